"""What git knows about the migration files: when each landed on the current branch, which
files once declared an id, and when a `down_revision` line was last edited.

- **Landing** comes from one first-parent walk of the current branch (`git log --first-parent
  --name-status`, merges diffed against their first parent), so a pull request's migrations land
  when the pull request was merged, not when its commits were written. Renames are followed; a
  file deleted and added again lands when it was added again.
- **Renamed-away ids** (`renamed_from`): one `git log -G` over all asked ids at once.
- **Edits of a line** (`edited_after_landing`): `git blame` of single lines, only for the few
  revisions of a loop.

Missing git, no repository, no commit yet, or any git error: `for_graph` returns None and
callers fall back to what the files say (numbers, `Create Date`).
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass
from pathlib import Path

from chaintui.model import Migration

INF = float("inf")

#: (work tree, folders, newest landing) -> the renamed-id answers of GitHistory.renamed_from.
_RENAMED: dict[tuple, dict[str, set[str]]] = {}


@dataclass(frozen=True)
class Landing:
    """One first-parent commit that brought migration files onto the branch."""

    seq: int
    """Position on the first-parent history, oldest first."""
    sha: str
    time: int
    """Committer timestamp (seconds)."""
    merged: bool = False
    """A merge commit: the files came from a side branch (a pull request merged with a merge
    commit), written without seeing what landed on the branch meanwhile."""

    @property
    def short(self) -> str:
        return self.sha[:8]


class GitHistory:
    """Git facts about the migration files of one set (see the module docstring)."""

    def __init__(self, repo, workdir: Path, pathspecs: list[str]) -> None:
        self.repo = repo
        self.workdir = workdir
        self.pathspecs = pathspecs
        self.landings: list[Landing] = []
        self.first: dict[str, int] = {}
        """Path (relative to the work tree) -> index in `landings` of the commit that added it."""
        self.renames: list[tuple[int, str, str]] = []
        self.aliases: dict[Path, Path] = {}
        """Planned name -> committed name, for files a planned (uncommitted) fix renamed."""
        self._fork_cache: dict[str, int | None] = {}
        self._dirs: dict[str, str] = {}
        self._walk()
        # Renamed-id answers are shared by every reader of the same work tree, folders and
        # history (the planner and the ranking each have one): `git log -G` runs once per id.
        key = (str(workdir), tuple(pathspecs), self.landings[-1].sha if self.landings else "")
        self._renamed_cache: dict[str, set[str]] = _RENAMED.setdefault(key, {})
        if len(_RENAMED) > 8:
            _RENAMED.pop(next(iter(_RENAMED)))

    @classmethod
    def for_graph(cls, graph) -> GitHistory | None:
        """A reader for `graph`'s folders, looking files that planned fixes renamed up under their
        committed names (`graph.path_aliases`); None without git or a first commit."""
        try:
            import git
        except ImportError:  # pragma: no cover - GitPython is a dependency
            return None
        dirs = list(graph.mset.version_dirs) or [m.path.parent for m in graph.migrations[:1]]
        if not dirs:
            return None
        try:
            repo = git.Repo(dirs[0], search_parent_directories=True)
            if repo.bare or not repo.head.is_valid():
                return None
            workdir = Path(repo.working_tree_dir).resolve()
            specs = []
            for d in dirs:
                try:
                    specs.append(Path(d).resolve().relative_to(workdir).as_posix() or ".")
                except ValueError:
                    continue
            if not specs:
                return None
            history = cls(repo, workdir, specs)
        except Exception:
            return None
        history.aliases = dict(getattr(graph, "path_aliases", {}))
        return history

    def with_aliases(self, aliases: dict[Path, Path]) -> GitHistory:
        """The same history (one walk, shared answers) read for a graph whose planned fixes
        renamed files: `aliases` maps a planned name to the committed one."""
        twin = copy.copy(self)
        twin.aliases = dict(aliases)
        return twin

    # ------------------------------------------------------------------------------ landing

    def _walk(self) -> None:
        out = self.repo.git.log("--first-parent", "--diff-merges=first-parent", "--reverse",
                                "--name-status", "-M", "--format=%x00%H %ct %P", "--", *self.pathspecs)
        for chunk in out.split("\0")[1:]:
            lines = chunk.strip("\n").splitlines()
            if not lines:
                continue
            sha, stamp, *parents = lines[0].split()
            seq = len(self.landings)
            self.landings.append(Landing(seq, sha, int(stamp or 0), merged=len(parents) > 1))
            for line in lines[1:]:
                parts = line.split("\t")
                status = parts[0][:1]
                if status in ("A", "C") and len(parts) >= 2:
                    self.first[parts[-1]] = seq
                elif status == "R" and len(parts) >= 3:
                    self.first[parts[2]] = self.first.pop(parts[1], seq)
                    self.renames.append((seq, parts[1], parts[2]))
                elif status == "D" and len(parts) >= 2:
                    self.first.pop(parts[1], None)

    def rel(self, path: Path) -> str | None:
        """`path` relative to the work tree, resolving each directory once (not every file)."""
        # keyed by the folder's text: a Path's parent and hash cost more than the lookup itself
        text = str(path)
        cut = text.rfind(os.sep)
        key, name = (text[:cut], text[cut + 1:]) if cut > 0 else (str(path.parent), path.name)
        folder = self._dirs.get(key)
        if folder is None:
            try:
                folder = path.parent.resolve().relative_to(self.workdir).as_posix()
            except ValueError:
                folder = ""
            self._dirs[key] = folder
        if not folder:
            return None
        return name if folder == "." else f"{folder}/{name}"

    def landing(self, m: Migration) -> Landing | None:
        """The first-parent commit that added the file; None when it is not committed yet.

        A file a planned fix renamed (not committed yet) is looked up under its committed name:
        once committed as a rename, git follows it the same way.
        """
        rel = self.rel(self.aliases.get(m.path, m.path) if self.aliases else m.path)
        seq = self.first.get(rel) if rel is not None else None
        return None if seq is None else self.landings[seq]

    def first_commit(self, m: Migration) -> float:
        """Landing position of the file; +inf when not committed yet."""
        landed = self.landing(m)
        return INF if landed is None else float(landed.seq)

    def seen_before(self, landing: Landing) -> int:
        """The last landing its author saw: for a merge commit, the last landing at the point its
        side branch forked (the merge base); for a direct commit, the one before it."""
        if not landing.merged:
            return landing.seq - 1
        if landing.sha not in self._fork_cache:
            self._fork_cache[landing.sha] = self._fork_seq(landing)
        seen = self._fork_cache[landing.sha]
        return landing.seq - 1 if seen is None else seen

    def _fork_seq(self, landing: Landing) -> int | None:
        try:
            base = self.repo.git.merge_base(f"{landing.sha}^1", f"{landing.sha}^2").strip()
            if not base:
                return None
            reached = set(self.repo.git.rev_list("--first-parent", base).split())
        except Exception:
            return None
        return max((x.seq for x in self.landings[:landing.seq] if x.sha in reached), default=-1)

    # ------------------------------------------------------------------------------ renamed ids

    def renamed_from(self, ids: list[str]) -> dict[str, set[str]]:
        """id -> current paths of files whose `revision` once was that id (and changed)."""
        wanted = [i for i in dict.fromkeys(ids) if i and i not in self._renamed_cache]
        if wanted:
            for i in wanted:
                self._renamed_cache[i] = set()
            pattern = "|".join(re.escape(i) for i in wanted)
            try:
                # Only removed lines matter, and a root commit removes nothing: leaving the roots
                # out spares grepping every file of an initial import (0.24 s of 0.25 s on a
                # 5,000-file first commit).
                roots = self.repo.git.rev_list("--max-parents=0", "HEAD").split()
                out = self.repo.git.log("-p", "--reverse", "--no-merges", "-M", f"-G({pattern})",
                                        "--format=%x00%H", "HEAD", "--not", *roots, "--", *self.pathspecs)
            except Exception:
                out = ""
            seq_of = {landing.sha: landing.seq for landing in self.landings}
            assign = re.compile(r"^-\s*revision\s*(?::[^=]*)?=\s*[uU]?['\"]([^'\"]+)['\"]")
            for chunk in out.split("\0")[1:]:
                lines = chunk.splitlines()
                if not lines:
                    continue
                seq = seq_of.get(lines[0].strip(), -1)
                path = None
                for line in lines[1:]:
                    if line.startswith("+++ "):
                        path = line[6:] if line.startswith("+++ b/") else None
                    elif path and line.startswith("-") and not line.startswith("---"):
                        match = assign.match(line)
                        if match and match.group(1) in self._renamed_cache:
                            self._renamed_cache[match.group(1)].add(self._follow(path, seq))
        return {i: self._renamed_cache.get(i, set()) for i in ids}

    def _follow(self, path: str, seq: int) -> str:
        for when, old, new in self.renames:
            if when > seq and old == path:
                path = new
        return path

    # ------------------------------------------------------------------------------ line edits

    def edited_after_landing(self, m: Migration, line: int | None) -> int | None:
        """When line `line` of the file was last changed, if that was after the file landed
        (a `down_revision` someone edited by hand); None when it is as the file first came."""
        rel = self.rel(m.path)
        landed = self.landing(m)
        if rel is None or landed is None or not line:
            return None
        try:
            out = self.repo.git.blame("--porcelain", "-L", f"{line},{line}", "HEAD", "--", rel)
        except Exception:
            return None
        sha = out.split(" ", 1)[0] if out else ""
        stamp = re.search(r"^committer-time (\d+)$", out, re.M)
        if not sha or not stamp or sha == landed.sha:
            return None
        when = int(stamp.group(1))
        return when if when > landed.time else None
