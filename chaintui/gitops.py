"""The git contract, through GitPython: refuse when unsafe, one atomic commit per fix, undo by revert.

- Refuse to write when the migration files or the index have uncommitted changes, a merge,
  rebase, cherry-pick or revert is in progress, or HEAD is detached (GitRefused, one line).
- Apply a fix atomically: every edit/rename/removal of the fix, then one commit; if anything
  fails, the working tree, the index and HEAD are exactly as before.
- Commit subject `chaintui: <what>`, a body saying why, trailer `Chaintui-Fix: <kind>`.
- Undo reverts the newest chaintui commit not yet reverted, with a revert commit.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from chaintui.changes import ChangeSet
from chaintui.errors import ChaintuiError, GitRefused, NothingToDo

log = logging.getLogger(__name__)

TRAILER = "Chaintui-Fix:"
_IN_PROGRESS = {
    "MERGE_HEAD": "a merge", "rebase-merge": "a rebase", "rebase-apply": "a rebase or am",
    "CHERRY_PICK_HEAD": "a cherry-pick", "REVERT_HEAD": "a revert", "BISECT_LOG": "a bisect",
}


@dataclass(frozen=True)
class CommitInfo:
    """One commit chaintui made (or reverted)."""

    sha: str
    subject: str
    kind: str
    """The fix kind from the trailer, or `undo` for a revert commit."""

    @property
    def short(self) -> str:
        return self.sha[:8]


class Repository:
    """A git work tree holding an Alembic project."""

    def __init__(self, repo, root: Path) -> None:
        self.repo = repo
        self.root = root
        self.top = Path(repo.working_tree_dir).resolve()

    @classmethod
    def open(cls, root: str | os.PathLike[str]) -> Repository:
        import git

        root = Path(root).resolve()
        try:
            repo = git.Repo(root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise GitRefused(
                f"{root} is not in a git repository: run `git init` and commit the migrations first"
            ) from None
        if repo.bare or repo.working_tree_dir is None:
            raise GitRefused(f"{root} is a bare git repository: use a checkout")
        return cls(repo, root)

    # ---------------------------------------------------------------------------- refusals

    def check_writable(self, paths: Iterable[Path] = ()) -> None:
        """Raise GitRefused unless it is safe to write and commit `paths` (absolute paths)."""
        git_dir = Path(self.repo.git_dir)
        for marker, what in _IN_PROGRESS.items():
            if (git_dir / marker).exists():
                raise GitRefused(f"{what} is in progress: finish or abort it, then run chaintui again")
        try:
            if self.repo.head.is_detached:
                raise GitRefused("HEAD is detached: check out a branch (git switch -c chaintui-fix) first")
            self.repo.head.commit  # noqa: B018 - raises on an unborn branch
        except ValueError:
            raise GitRefused("the repository has no commits yet: commit the migrations first") from None
        staged = self.repo.git.diff("--cached", "--name-only")
        if staged.strip():
            first = staged.split()[0]
            raise GitRefused(
                f"the index has staged changes ({first}...): commit or unstage them first "
                "(chaintui makes one commit per fix)"
            )
        rels = [self._rel(p) for p in paths]
        if rels:
            dirty = [
                line for line in self.repo.git.status("--porcelain", "--untracked-files=all", "--", *rels).splitlines()
                if line.strip() and "__pycache__/" not in line and not line.endswith((".pyc", ".pyo"))
            ]
            if dirty:
                line = dirty[0]
                raise GitRefused(
                    f"uncommitted changes in the migrations ({line.strip()}): commit or stash them first"
                )

    def _rel(self, path: Path) -> str:
        path = Path(path)
        absolute = path if path.is_absolute() else self.root / path
        try:
            return absolute.resolve().relative_to(self.top).as_posix()
        except ValueError:
            raise ChaintuiError(f"{path} is outside the git work tree {self.top}") from None

    # ---------------------------------------------------------------------------- applying

    def apply(self, fix, graph, changeset: ChangeSet | None = None) -> CommitInfo:
        """Write `fix`'s edits and commit them; on any failure restore everything and re-raise."""
        changeset = changeset if changeset is not None else fix.changes(graph)
        if not changeset:
            raise ChaintuiError(f"{fix.summary}: nothing to change")
        version_dirs = list(graph.mset.version_dirs)
        self.check_writable(version_dirs)
        return self.commit_changeset(changeset, fix.commit_message(), fix.kind)

    def commit_changeset(self, changeset: ChangeSet, message: str, kind: str) -> CommitInfo:
        root = changeset.root
        head_before = self.repo.head.commit.hexsha
        backups: dict[Path, bytes | None] = {}
        touched: list[str] = []

        def remember(path: Path) -> None:
            if path not in backups:
                backups[path] = path.read_bytes() if path.exists() else None

        try:
            for change in changeset.changes:
                old_path = root / change.rel
                new_path = root / change.target
                remember(old_path)
                remember(new_path)
                touched += [self._rel(old_path), self._rel(new_path)]
                if change.new is None:
                    old_path.unlink()
                else:
                    if new_path != old_path and new_path.exists():
                        raise ChaintuiError(f"{change.target} already exists")
                    _atomic_write(new_path, change.new)
                    if new_path != old_path and old_path.exists() and change.old is not None:
                        old_path.unlink()
                _drop_bytecode(old_path)
                _drop_bytecode(new_path)
            touched = list(dict.fromkeys(touched))
            self.repo.git.add("--all", "--", *touched)
            self.repo.git.commit("-q", "-F", "-", istream=_Message(message))
        except BaseException as exc:
            self._restore(backups, touched, head_before)
            import git

            if isinstance(exc, git.GitCommandError):
                raise ChaintuiError(f"git refused the commit, nothing was changed: {_git_error(exc)}") from None
            raise
        commit = self.repo.head.commit
        log.info("committed %s %s", commit.hexsha[:8], commit.summary)
        return CommitInfo(commit.hexsha, str(commit.summary), kind)

    def _restore(self, backups: dict[Path, bytes | None], touched: list[str], head_before: str) -> None:
        """Put the work tree, index and HEAD back exactly as they were."""
        try:
            if self.repo.head.commit.hexsha != head_before:
                self.repo.git.reset("-q", "--soft", head_before)
        except Exception:  # pragma: no cover - best effort on a broken repository
            log.exception("could not move HEAD back")
        for path, data in backups.items():
            try:
                if data is None:
                    if path.exists():
                        path.unlink()
                else:
                    _atomic_write(path, data)
                _drop_bytecode(path)
            except OSError:  # pragma: no cover
                log.exception("could not restore %s", path)
        if touched:
            try:
                self.repo.git.reset("-q", "HEAD", "--", *touched)
            except Exception:  # pragma: no cover
                log.exception("could not restore the index")

    # ---------------------------------------------------------------------------- history

    def chaintui_commits(self, limit: int = 500) -> list[CommitInfo]:
        """chaintui's fix commits on HEAD, newest first, reverted ones excluded."""
        reverted: set[str] = set()
        found = []
        for commit in self.repo.iter_commits("HEAD", max_count=limit):
            message = commit.message
            if message.startswith('Revert "chaintui:'):
                for line in message.splitlines():
                    if line.startswith("This reverts commit "):
                        reverted.add(line.split()[3].rstrip("."))
                continue
            kind = _trailer(message)
            if kind and commit.hexsha not in reverted:
                found.append(CommitInfo(commit.hexsha, str(commit.summary), kind))
        return found

    def session_commits(self, since: str) -> list[CommitInfo]:
        """Commits made after `since` (oldest first): fixes and undos."""
        result = []
        for commit in self.repo.iter_commits(f"{since}..HEAD"):
            kind = _trailer(commit.message) or ("undo" if commit.message.startswith('Revert "chaintui:') else "")
            result.append(CommitInfo(commit.hexsha, str(commit.summary), kind or "other"))
        return list(reversed(result))

    def head_sha(self) -> str:
        return self.repo.head.commit.hexsha

    def undo(self, paths: Iterable[Path] = ()) -> CommitInfo:
        """Revert the newest chaintui commit not yet reverted (history is never rewritten).

        `paths` are the migration directories: uncommitted changes there refuse the undo.
        """
        self.check_writable(paths)
        commits = self.chaintui_commits()
        if not commits:
            raise NothingToDo("no chaintui commit to undo on this branch")
        target = commits[0]
        files = self.repo.git.show("--name-only", "--format=", target.sha).split()
        if files:
            self.check_writable([self.top / f for f in files])
        try:
            self.repo.git.revert("--no-edit", target.sha)
        except Exception as exc:
            try:
                self.repo.git.revert("--abort")
            except Exception:
                pass
            raise ChaintuiError(
                f"cannot revert {target.short} ({target.subject}): later commits changed the same "
                f"lines; revert by hand ({_one_line(exc)})"
            ) from None
        for f in files:
            _drop_bytecode(self.top / f)
        commit = self.repo.head.commit
        return CommitInfo(commit.hexsha, str(commit.summary), "undo")

    def create_branch(self, name: str) -> None:
        """Start a new branch at HEAD and switch to it (for `fix --branch`)."""
        import git

        self.check_writable()
        try:
            self.repo.git.check_ref_format("--branch", name)
        except git.GitCommandError:
            raise ChaintuiError(f"{name!r} is not a valid branch name") from None
        if name in [h.name for h in self.repo.heads]:
            raise ChaintuiError(f"branch {name!r} already exists")
        self.repo.git.switch("-q", "-c", name)


class _Message:
    """A file-like stdin for `git commit -F -` (GitPython wants an object with fileno/read)."""

    def __new__(cls, text: str):
        handle = tempfile.TemporaryFile()
        handle.write(text.encode("utf-8"))
        handle.seek(0)
        return handle


def _trailer(message: str) -> str | None:
    for line in reversed(message.strip().splitlines()):
        if line.startswith(TRAILER):
            return line[len(TRAILER):].strip()
    return None


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _drop_bytecode(source: Path) -> None:
    """Remove `__pycache__/<stem>.*.pyc`: Python reuses a .pyc whose source changed within the
    same second and size, so alembic would otherwise load the old revision."""
    cache = source.parent / "__pycache__"
    if not cache.is_dir():
        return
    for pyc in cache.glob(f"{source.stem}.*.pyc"):
        try:
            pyc.unlink()
        except OSError:
            pass


def _git_error(exc) -> str:
    text = (getattr(exc, "stderr", "") or str(exc)).strip()
    lines = [l.strip() for l in text.replace("stderr:", "").splitlines() if l.strip().strip("'")]
    return (lines[-1] if lines else str(exc)).strip("'")[:200]


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200]
