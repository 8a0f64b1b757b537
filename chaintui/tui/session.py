"""The session the TUI drives: blocking calls into the core, run by the screens' thread workers.

No Textual import: every method here may block (git, alembic, rescanning) and is called from a
worker, never from the event loop. The screens only hold the results.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from chaintui import interrupts
from chaintui.analysis import Analysis, SetAnalysis, analyze
from chaintui.errors import ChaintuiError
from chaintui.fixes import Fix
from chaintui.gitops import CommitInfo


class Session:
    """One repair session on one project: its latest analysis and its git repository."""

    def __init__(self, analysis: Analysis, db: str | None = None) -> None:
        self.analysis = analysis
        self.root: Path = analysis.root
        self.db = db
        self.start_sha: str | None = None
        """HEAD when the session opened the repository: the history pane lists commits after it."""
        self._repo = None
        self._applied: frozenset[str] | None = None
        self._applied_heads: frozenset[str] | None = None
        self.own: frozenset[str] | None = None
        """With `--against REF`: the revisions this branch added (the rest are REF's)."""
        interrupts.install()  # SIGTERM/SIGHUP during a worker's commit wait for its boundary

    # ------------------------------------------------------------------ git

    def repository(self):
        """The git repository (opened once); raises GitRefused when there is none."""
        if self._repo is None:
            from chaintui.gitops import Repository

            repo = Repository.open(self.root)
            try:
                self.start_sha = repo.head_sha()
            except Exception:  # an unborn branch: apply() will refuse with a clear message
                self.start_sha = None
            self._repo = repo
        return self._repo

    def apply(self, fix: Fix, set_name: str):
        """Write and commit `fix` (atomic) under the repository's lock; returns the CommitInfo.
        Another chaintui writing to the repository refuses it at once (GitRefused)."""
        sa = self.set_named(set_name)
        repo = self.repository()
        # A signal meanwhile is delivered once the commit is complete and the lock released.
        with interrupts.deferred(), repo.locked():
            return repo.apply(fix, sa.graph)

    def undo(self):
        repo = self.repository()
        with interrupts.deferred(), repo.locked():
            return repo.undo()

    def history(self) -> list[CommitInfo]:
        """This session's commits, oldest first (empty when there is no repository)."""
        try:
            repo = self.repository()
        except ChaintuiError:
            return []
        if self.start_sha is None:
            return []
        return repo.session_commits(self.start_sha)

    def git_state(self) -> tuple[str, str]:
        """(branch, HEAD short sha), ("", "") outside git; "detached HEAD" without a branch."""
        try:
            repo = self.repository().repo
            head = repo.head.commit.hexsha[:8]
        except Exception:  # not a repository, or an unborn branch
            return "", ""
        try:
            branch = repo.active_branch.name
        except TypeError:  # GitPython: HEAD is detached
            branch = "detached HEAD"
        return branch, head

    # ------------------------------------------------------------------ analysis

    def reanalyze(self) -> Analysis:
        self.analysis = analyze(self.root)
        self._applied = None
        self.applied  # noqa: B018 - read the database here, in the worker, not while drawing
        return self.analysis

    def set_named(self, name: str) -> SetAnalysis:
        for sa in self.analysis.sets:
            if sa.mset.name == name:
                return sa
        if self.analysis.sets:
            return self.analysis.sets[0]
        raise ChaintuiError("no migration set found")

    @property
    def applied(self) -> frozenset[str]:
        """Revisions the `--db` database has applied: its version table's heads (read once,
        read-only) and everything below them in the current graphs. Empty without `--db`.
        Blocking on first use: call it from a worker (reanalyze does)."""
        if not self.db:
            return frozenset()
        if self._applied_heads is None:
            from chaintui.db import read_applied

            self._applied_heads = frozenset(read_applied(self.db))
        if self._applied is None:
            from chaintui.db import applied_closure

            closure: set[str] = set(self._applied_heads)
            for sa in self.analysis.sets:
                closure |= applied_closure(sa.graph, self._applied_heads)
            self._applied = frozenset(closure)
        return self._applied

    @property
    def known_applied(self) -> frozenset[str]:
        """`applied` as far as already read (never blocks): for drawing on the event loop."""
        return self._applied or frozenset()

    def plan(self, declined: frozenset[str] | set[str] = frozenset()):
        """The automatic plan from the current files; `declined` holds the `Fix.key`s the user
        skipped, whose problems the plan leaves to the user."""
        from chaintui.planner import plan

        return plan(self.analysis, applied=self.applied, declined=frozenset(declined))

    def preview_warnings(self, fix: Fix) -> list[str]:
        """Schema-order and applied-revision warnings to show before committing `fix`."""
        from chaintui.planner import preview_warnings

        return preview_warnings(fix, self.set_named(fix.set_name).graph, self.applied)

    def verify(self, sqlite: bool = False, progress: Callable[[str], None] | None = None):
        from chaintui.verify import verify

        return verify(self.root, sqlite=sqlite, progress=progress)
