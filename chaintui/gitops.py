"""The git contract, through git and GitPython: refuse when unsafe, one atomic commit per fix, undo by revert.

- Refuse to write when the migration files or the index have uncommitted changes, a merge,
  rebase, cherry-pick or revert is in progress, HEAD is detached, `.git/index.lock` exists or
  git has no committer identity (GitRefused, one line).
- One writer at a time: every write holds the repository's lock (chaintui.lock).
- Apply a fix atomically: each file is compared with the bytes the fix was planned from just
  before it changes (chaintui.safewrite), then one commit; if anything fails, or a signal
  arrives before `git commit` starts (chaintui.interrupts), the work tree and the index are put
  back exactly as they were at the last commit. HEAD never moves backwards.
- The commit reported is the one our `git commit` created (the branch's reflog entry from the
  commit we started at), not whatever HEAD is afterwards.
- Commit subject `chaintui: <what>`, a body saying why, trailer `Chaintui-Fix: <kind>`.
- Undo reverts the newest chaintui commit not yet reverted, with a revert commit; on failure
  nothing is left staged or changed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from chaintui import fileops, gitcmd, interrupts, lock
from chaintui.changes import ChangeSet
from chaintui.errors import ChaintuiError, GitRefused, NothingToDo
from chaintui.safewrite import FileTransaction

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
        self.git_dir = Path(repo.git_dir).resolve()
        self._identity_ok = False

    @classmethod
    def open(cls, root: str | os.PathLike[str]) -> Repository:
        import git

        root = Path(root).resolve()
        try:
            repo = gitcmd.session_repo(root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise GitRefused(
                f"{root} is not in a git repository: run `git init` and commit the migrations first"
            ) from None
        if repo.bare or repo.working_tree_dir is None:
            raise GitRefused(f"{root} is a bare git repository: use a checkout")
        return cls(repo, root)

    def _git(self, *args: str, input: bytes | None = None, check: bool = True,
             abortable: bool = False) -> gitcmd.Result:
        return gitcmd.run(self.top, *args, input=input, check=check, abortable=abortable)

    @contextmanager
    def locked(self, wait: float = 0, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """Hold the repository's write lock (reentrant); see chaintui.lock."""
        with lock.hold(self.git_dir, wait=wait, on_wait=on_wait):
            yield

    # ---------------------------------------------------------------------------- refusals

    def check_writable(self, paths: Iterable[Path] = ()) -> None:
        """Raise GitRefused unless it is safe to write and commit `paths` (absolute paths)."""
        for marker, what in _IN_PROGRESS.items():
            if (self.git_dir / marker).exists():
                raise GitRefused(f"{what} is in progress: finish or abort it, then run chaintui again")
        index_lock = self.git_dir / "index.lock"
        if index_lock.exists():
            raise GitRefused(f"{index_lock} exists: another git command is running here, or one was "
                             "killed; remove that file if no git is running, then run chaintui again")
        try:
            if self.repo.head.is_detached:
                raise GitRefused("HEAD is detached: check out a branch (git switch -c chaintui-fix) first")
            self.repo.head.commit  # noqa: B018 - raises on an unborn branch
        except ValueError:
            raise GitRefused("the repository has no commits yet: commit the migrations first") from None
        staged = self._git("diff", "--cached", "--name-only").stdout
        if staged.strip():
            first = staged.split()[0]
            raise GitRefused(
                f"the index has staged changes ({first}...): commit or unstage them first "
                "(chaintui makes one commit per fix)"
            )
        paths = list(paths)
        fileops.sweep_stale_temps(paths)  # left by a chaintui that was killed while writing
        rels = [self._rel(p) for p in paths]
        if rels:
            dirty = [
                line for line in self._git("status", "--porcelain", "--untracked-files=all", "--",
                                           *rels).stdout.splitlines()
                if line.strip() and "__pycache__/" not in line and not line.endswith((".pyc", ".pyo"))
            ]
            if dirty:
                line = dirty[0]
                raise GitRefused(
                    f"uncommitted changes in the migrations ({line.strip()}): commit or stash them first"
                )
        self._check_identity()

    def _check_identity(self) -> None:
        """git can make commits here (asked once per Repository: it does not change mid-run)."""
        if self._identity_ok:
            return
        for who in ("GIT_COMMITTER_IDENT", "GIT_AUTHOR_IDENT"):
            ident = self._git("var", who, check=False)
            if ident.returncode != 0:
                raise GitRefused(
                    f"git has no identity to commit with ({gitcmd.one_line(ident.stderr)}): run "
                    "`git config --global user.name \"Your Name\"` and "
                    "`git config --global user.email you@example.com`"
                )
        self._identity_ok = True

    def _rel(self, path: Path) -> str:
        path = Path(path)
        absolute = path if path.is_absolute() else self.root / path
        try:
            return absolute.resolve().relative_to(self.top).as_posix()
        except ValueError:
            raise ChaintuiError(f"{path} is outside the git work tree {self.top}") from None

    def _git_rel(self, path: Path) -> str:
        """`path` relative to the work tree for git, keeping a symlink itself (not its target)."""
        try:
            return Path(path).relative_to(self.top).as_posix()
        except ValueError:
            return self._rel(path)

    # ---------------------------------------------------------------------------- applying

    def apply(self, fix, graph, changeset: ChangeSet | None = None) -> CommitInfo:
        """Write `fix`'s edits and commit them; on any failure restore everything and raise."""
        with interrupts.deferred(), self.locked():
            changeset = changeset if changeset is not None else fix.changes(graph)
            if not changeset:
                raise ChaintuiError(f"{fix.summary}: nothing to change")
            self.check_writable(list(graph.mset.version_dirs))
            return self.commit_changeset(changeset, fix.commit_message(), fix.kind)

    def commit_changeset(self, changeset: ChangeSet, message: str, kind: str) -> CommitInfo:
        with interrupts.deferred(), self.locked():
            head_before = self.head_sha()
            tx = FileTransaction(changeset, self.top)
            paths: list[str] = []
            try:
                try:
                    tx.prepare()
                    interrupts.check()
                    tx.apply()
                    interrupts.check()
                    paths = [self._git_rel(p) for p in tx.git_paths]
                    self._git("add", "--all", "--", *paths)
                    interrupts.check()
                except BaseException as exc:
                    self._give_up(exc, tx.rollback, paths, head_before, "git add")
                # The commit window: a signal now waits for `git commit` to finish.
                try:
                    self._git("commit", "-q", "-F", "-", input=message.encode("utf-8"), abortable=True)
                except BaseException as exc:
                    if self._created_commit_or_none(head_before) is None:
                        self._give_up(exc, tx.rollback, paths, head_before, "git commit")
                tx.commit()
            finally:
                tx.close()
            sha = self._created_commit(head_before)
            for path in tx.git_paths:
                _drop_bytecode(path)
            if sha is None:  # pragma: no cover - git reported success but made no commit
                raise ChaintuiError("git commit reported success but made no commit")
            info = self._commit_info(sha, kind)
            log.info("committed %s %s", info.short, info.subject)
            return info

    def _give_up(self, exc: BaseException, restore: Callable[[], list[str]], paths: list[str],
                 head_before: str, step: str) -> None:
        """Put the work tree and index back at the last commit, then raise one clear error."""
        problems = restore()
        if paths:
            reset = self._git("reset", "-q", head_before, "--", *paths, check=False)
            if reset.returncode != 0:
                problems.append(f"could not unstage: {gitcmd.one_line(reset.stderr)}")
        if problems:
            tail = "; and putting things back failed: " + "; ".join(problems) + " (check `git status`)"
        else:
            tail = ""
        if isinstance(exc, gitcmd.GitFailed) and interrupts.pending() is not None:
            exc = interrupts.Interrupted(interrupts.pending())  # a second signal aborted git
        if isinstance(exc, interrupts.Interrupted):
            if tail:
                raise ChaintuiError(str(exc) + tail) from None
            raise exc
        if isinstance(exc, gitcmd.GitFailed):
            what = "git refused the commit" if step == "git commit" else f"{step} failed"
            raise ChaintuiError(f"{what}: {exc.detail}{tail}" if tail
                                else f"{what}, nothing was changed: {exc.detail}") from None
        if isinstance(exc, ChaintuiError):
            raise ChaintuiError(f"{exc}{tail}") from None
        if isinstance(exc, OSError):
            what = Path(exc.filename).name if exc.filename else "a file"
            raise ChaintuiError(f"cannot write {what}: {exc.strerror or exc}"
                                + (tail or " (nothing was changed)")) from None
        raise exc

    def _created_commit(self, head_before: str) -> str | None:
        """The commit our `git commit` (or revert) made on top of `head_before`, or None.

        Read from the branch's reflog (the update that started at `head_before`), not from
        HEAD: another process may have committed meanwhile. Without a reflog, HEAD counts only
        when it is a child of `head_before`. (Refs and the reflog are files GitPython reads,
        objects come from its long-lived cat-file helper: no git process per question.)
        """
        head = self.head_sha()
        if head == head_before:
            return None
        try:
            entries = list(self.repo.head.ref.log())
        except (TypeError, ValueError, OSError):  # detached, or no reflog file
            entries = []
        for entry in reversed(entries):
            if entry.oldhexsha == head_before:
                return entry.newhexsha if self._parent(entry.newhexsha) == head_before else None
        return head if self._parent(head) == head_before else None

    def _created_commit_or_none(self, head_before: str) -> str | None:
        """After git failed: did it still make the commit (killed after updating the branch)?"""
        try:
            return self._created_commit(head_before)
        except Exception:  # cannot tell: treat as not made, so the files are put back
            return None

    def _parent(self, sha: str) -> str | None:
        parents = self.repo.commit(sha).parents
        return parents[0].hexsha if parents else None

    def _commit_info(self, sha: str, kind: str) -> CommitInfo:
        commit = self.repo.commit(sha)
        return CommitInfo(commit.hexsha, str(commit.summary), kind)

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
        from git.refs.symbolic import SymbolicReference

        try:
            return SymbolicReference.dereference_recursive(self.repo, "HEAD")
        except ValueError:  # pragma: no cover - an unborn branch (check_writable refuses it)
            raise GitRefused("the repository has no commits yet: commit the migrations first") from None

    def undo(self, paths: Iterable[Path] = ()) -> CommitInfo:
        """Revert the newest chaintui commit not yet reverted (history is never rewritten).

        `paths` are the migration directories: uncommitted changes there refuse the undo. If
        the revert cannot be made or committed, nothing is left staged or changed.
        """
        with interrupts.deferred(), self.locked():
            self.check_writable(paths)
            commits = self.chaintui_commits()
            if not commits:
                raise NothingToDo("no chaintui commit to undo on this branch")
            target = commits[0]
            files = [f for f in self._git("show", "--no-renames", "--name-only", "-z", "--format=",
                                          target.sha).stdout.split("\0") if f.strip()]
            if files:
                self.check_writable([self.top / f for f in files])
            head_before = self.head_sha()
            before = fileops.Snapshot([self.top / f for f in files])

            def restore() -> list[str]:
                if (self.git_dir / "REVERT_HEAD").exists() or (self.git_dir / "sequencer").exists():
                    self._git("revert", "--quit", check=False)
                return before.restore()

            step = "git revert"
            try:
                try:
                    self._git("revert", "--no-commit", target.sha, abortable=True)
                except gitcmd.GitFailed:
                    unmerged = self._git("diff", "--name-only", "--diff-filter=U", check=False).stdout
                    if unmerged.strip():
                        raise ChaintuiError(
                            f"cannot revert {target.short} ({target.subject}): later commits changed the "
                            f"same lines ({unmerged.split()[0]}); revert it by hand") from None
                    raise
                interrupts.check()
                step = "git commit"
                message = f'Revert "{target.subject}"\n\nThis reverts commit {target.sha}.\n'
                self._git("commit", "-q", "-F", "-", input=message.encode("utf-8"), abortable=True)
            except BaseException as exc:
                if step != "git commit" or self._created_commit_or_none(head_before) is None:
                    self._give_up(exc, restore, files, head_before, step)
            sha = self._created_commit(head_before)
            for f in files:
                _drop_bytecode(self.top / f)
            if sha is None:  # pragma: no cover - git reported success but made no commit
                raise ChaintuiError("git commit reported success but made no commit")
            return self._commit_info(sha, "undo")

    # ---------------------------------------------------------------------------- branches

    def current_branch(self) -> str | None:
        out = self._git("symbolic-ref", "--short", "-q", "HEAD", check=False)
        return out.stdout.strip() or None

    def create_branch(self, name: str) -> None:
        """Start a new branch at HEAD and switch to it (for `fix --branch`)."""
        self.check_writable()
        if self._git("check-ref-format", "--branch", name, check=False).returncode != 0:
            raise ChaintuiError(f"{name!r} is not a valid branch name")
        if self._git("rev-parse", "--verify", "-q", f"refs/heads/{name}", check=False).returncode == 0:
            raise ChaintuiError(f"branch {name!r} already exists")
        self._git("switch", "-q", "-c", name)

    def leave_branch(self, name: str, original: str) -> list[str]:
        """Undo `create_branch` after a `--branch` run that did not finish: back on `original`,
        `name` deleted. Returns what could not be done, one line each."""
        switched = self._git("switch", "-q", original, check=False)
        if switched.returncode != 0:
            return [f"could not switch back to {original}: {gitcmd.one_line(switched.stderr)}"]
        deleted = self._git("branch", "-q", "-D", name, check=False)
        if deleted.returncode != 0:
            return [f"could not delete branch {name}: {gitcmd.one_line(deleted.stderr)}"]
        return []


def _trailer(message: str) -> str | None:
    for line in reversed(message.strip().splitlines()):
        if line.startswith(TRAILER):
            return line[len(TRAILER):].strip()
    return None


def _drop_bytecode(source: Path) -> None:
    """Remove `__pycache__/<stem>.*.pyc`: Python reuses a .pyc whose source changed within the
    same second and size, so alembic would otherwise load the old revision."""
    cache = Path(source).parent / "__pycache__"
    if not cache.is_dir():
        return
    for pyc in cache.glob(f"{Path(source).stem}.*.pyc"):
        try:
            pyc.unlink()
        except OSError:
            pass
