"""Reading the commits `--against` compares (GitPython, never a checkout): the ref, the fork
point (`git merge-base HEAD REF`), the migration files of a commit and their bytes."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from chaintui.errors import ChaintuiError

#: Ways to say "this branch's upstream"; with none configured there is nothing to compare with.
UPSTREAM_REFS = frozenset({"@{upstream}", "@{u}", "@{UPSTREAM}", "@{U}"})


class NoUpstream(ChaintuiError):
    """`--against @{upstream}` on a branch that has no upstream: nothing to compare with."""

    exit_code = 0


@dataclass(frozen=True)
class Points:
    """The commits a comparison is made between."""

    ref: str
    """REF as the user wrote it."""
    ref_sha: str
    head_sha: str
    fork_sha: str
    """`git merge-base HEAD REF`."""

    @property
    def merged_checkout(self) -> bool:
        """HEAD already contains REF (e.g. a pull request merged into its base by CI)."""
        return self.fork_sha == self.ref_sha and self.head_sha != self.ref_sha


class GitTrees:
    """Read-only access to the commits of the repository holding the project."""

    def __init__(self, root: Path) -> None:
        import git

        try:
            self.repo = git.Repo(root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise ChaintuiError(f"{root} is not in a git repository: --against compares git commits") from None
        if self.repo.working_tree_dir is None:
            raise ChaintuiError(f"{root} is a bare git repository: use a checkout")
        self.top = Path(self.repo.working_tree_dir).resolve()
        self._blobs: dict[str, bytes] = {}

    def _git(self, *args: str) -> str:
        import git

        try:
            return self.repo.git.execute(["git", *args], strip_newline_in_stdout=False)
        except git.GitCommandError as exc:
            lines = [l.strip() for l in str(exc.stderr or "").splitlines() if l.strip().strip("'")]
            detail = lines[-1].strip("'") if lines else f"exit {exc.status}"
            raise ChaintuiError(f"git {args[0]} failed: {detail[:200]}") from None

    def resolve(self, ref: str) -> str:
        try:
            return self._git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").strip()
        except ChaintuiError:
            if ref in UPSTREAM_REFS:
                raise NoUpstream("no upstream branch is configured: nothing to compare with "
                                 "(git branch --set-upstream-to origin/main)") from None
            raise ChaintuiError(f"{ref}: no such git ref (is it fetched? in CI, check out with "
                                "fetch-depth: 0)") from None

    def points(self, ref: str) -> Points:
        ref_sha = self.resolve(ref)
        try:
            head_sha = self.repo.head.commit.hexsha
        except ValueError:
            raise ChaintuiError("the repository has no commits yet: nothing to compare with") from None
        try:
            fork = self._git("merge-base", head_sha, ref_sha).strip()
        except ChaintuiError:  # exit 1: no common ancestor
            fork = ""
        if not fork:
            if self._git("rev-parse", "--is-shallow-repository").strip() == "true":
                raise ChaintuiError(f"this is a shallow clone: HEAD and {ref} have no fork point in it; "
                                    "fetch full history (git fetch --unshallow; in CI, fetch-depth: 0)")
            raise ChaintuiError(f"HEAD and {ref} share no history: no fork point to compare from")
        if ref in UPSTREAM_REFS:  # name it: `origin/main` says more than `@{upstream}`
            ref = self._git("rev-parse", "--abbrev-ref", ref).strip() or ref
        return Points(ref, ref_sha, head_sha, fork)

    def tree(self, sha: str, dirs: list[str]) -> dict[str, str]:
        """Path (relative to the top of the work tree) -> blob sha, of every file under `dirs`."""
        out = self._git("ls-tree", "-r", "-z", "--full-tree", sha, "--", *dirs)
        result = {}
        for entry in out.split("\0"):
            if not entry:
                continue
            meta, _, path = entry.partition("\t")
            mode, kind, blob = meta.split()
            if kind == "blob":
                result[path] = blob
        return result

    def changed_since(self, sha: str, dirs: list[str]) -> set[str]:
        """Tracked paths whose working-tree content differs from commit `sha`."""
        out = self._git("diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", sha, "--", *dirs)
        return {p for p in out.split("\0") if p}

    def blob(self, sha: str) -> bytes:
        if sha not in self._blobs:
            self._blobs[sha] = self.repo.odb.stream(bytes.fromhex(sha)).read()
        return self._blobs[sha]

    def toprel(self, path: Path) -> str:
        try:
            rel = Path(os.path.realpath(path)).relative_to(self.top).as_posix()
        except ValueError:
            raise ChaintuiError(f"{path} is outside the git work tree {self.top}") from None
        return rel
