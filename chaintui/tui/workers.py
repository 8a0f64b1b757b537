"""The main screen's thread workers: every slow call (scan, git, planning) runs here.

Each worker calls the blocking Session and reports back only with post_message (and its return
value, for flows that await it); none touches a widget.
"""

from __future__ import annotations

from textual import work

from chaintui.errors import ChaintuiError, GitRefused
from chaintui.fixes import Fix
from chaintui.tui.gitfacts import added_by
from chaintui.tui.messages import AnalysisReady, FixApplied, GitFactsReady, GitFailed, HistoryReady, UndoDone
from chaintui.tui.session import Session


class SessionWorkers:
    """Mixin for the main screen: `self.session` is the Session, `self.post_message` reports."""

    session: Session

    @work(thread=True, exclusive=True, group="scan", name="rescan", description="rescan the project",
          exit_on_error=False)
    def rescan(self) -> None:
        self.post_message(AnalysisReady(self.session.reanalyze()))

    @work(thread=True, exclusive=True, group="db", name="read-applied",
          description="read alembic_version from --db (read-only)", exit_on_error=False)
    def load_applied(self) -> None:
        """Read the applied revisions once; the redraw marks them in the tree."""
        self.session.applied  # noqa: B018 - blocking database read, here in the worker
        self.post_message(AnalysisReady(self.session.analysis))

    @work(thread=True, group="git", name="git-history", description="read this session's commits",
          exit_on_error=False)
    def load_history(self) -> None:
        self._post_history()

    def _post_history(self) -> None:
        entries = self.session.history()
        fixes = sum(1 for e in entries if e.kind not in ("undo", "other"))
        undos = sum(1 for e in entries if e.kind == "undo")
        branch, head = self.session.git_state()
        self.post_message(HistoryReady(entries, fixes > undos, branch, head))

    @work(thread=True, exclusive=True, group="facts", name="git-facts", description="who added these files",
          exit_on_error=False)
    def load_git_facts(self, rels: list[str]) -> None:
        for rel in rels:
            self.post_message(GitFactsReady(rel, added_by(self.session.root, rel)))

    @work(thread=True, group="git", name="apply-fix", description="write and commit a fix", exit_on_error=False)
    def apply_fix(self, fix: Fix, set_name: str) -> bool:
        try:
            commit = self.session.apply(fix, set_name)
        except GitRefused as exc:
            self.post_message(GitFailed("Git refused to write", str(exc), refused=True))
            return False
        except ChaintuiError as exc:
            self.post_message(GitFailed("The fix could not be applied", str(exc)))
            return False
        self.post_message(FixApplied(commit, fix.summary))
        self.post_message(AnalysisReady(self.session.reanalyze()))
        self._post_history()
        return True

    @work(thread=True, group="git", name="undo", description="revert the newest chaintui commit",
          exit_on_error=False)
    def undo_last(self) -> bool:
        try:
            commit = self.session.undo()
        except GitRefused as exc:
            self.post_message(GitFailed("Git refused to undo", str(exc), refused=True))
            return False
        except ChaintuiError as exc:
            self.post_message(GitFailed("Undo failed", str(exc)))
            return False
        self.post_message(UndoDone(commit))
        self.post_message(AnalysisReady(self.session.reanalyze()))
        self._post_history()
        return True

    @work(thread=True, exclusive=True, group="plan", name="plan", description="plan every fix",
          exit_on_error=False)
    def make_plan(self, declined: frozenset[str] = frozenset()):
        return self.session.plan(declined)
