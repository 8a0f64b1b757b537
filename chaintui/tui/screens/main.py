"""The main screen: revision tree, problems panel, detail and history; every action is a binding.

Attributes down, messages up: the widgets post what the user did, this screen sets what they
show. Slow work runs in SessionWorkers, choices in FixFlows.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from chaintui.analysis import Analysis, SetAnalysis
from chaintui.model import Problem
from chaintui.tui.flows import FixFlows, _one_line
from chaintui.tui.marks import problems_by_revision
from chaintui.tui.messages import AnalysisReady, FixApplied, GitFactsReady, GitFailed, HistoryReady, UndoDone
from chaintui.tui.screens.message import REFUSAL_HINT, MessageScreen
from chaintui.tui.screens.verify import VerifyScreen
from chaintui.tui.session import Session
from chaintui.tui.widgets.detail_pane import DetailPane
from chaintui.tui.widgets.history_pane import HistoryPane
from chaintui.tui.widgets.problems_panel import ProblemsPanel
from chaintui.tui.widgets.revision_tree import RevisionTree
from chaintui.tui.workers import SessionWorkers


DETAIL_DELAY = 0.12
"""Seconds the tree cursor must rest before the detail pane follows it."""


class MainScreen(FixFlows, SessionWorkers, Screen):
    """The repair session's window."""

    BINDINGS = [
        Binding("f", "fix", "Fix", id="fix", tooltip="Fix the selected problem (choose, preview, commit)"),
        Binding("a", "fix_all", "Fix all", id="fix-all", tooltip="Review the automatic plan step by step: accept, skip or change"),
        Binding("r", "relink", "Relink", id="relink", tooltip="Choose a new parent for the selected revision"),
        Binding("d", "keep", "Duplicate", id="keep", tooltip="Choose which file keeps a duplicated id"),
        Binding("x", "remove", "Remove", id="remove", tooltip="Remove the selected revision's file (git rm)"),
        Binding("m", "heads", "Heads", id="heads", tooltip="Linearize or merge several heads"),
        Binding("o", "loop", "Loop", id="loop", tooltip="Break a down_revision loop"),
        Binding("u", "undo", "Undo", id="undo", tooltip="Revert this session's newest chaintui commit"),
        Binding("v", "verify(False)", "Verify", id="verify", tooltip="Ask alembic itself (in a subprocess)"),
        Binding("V", "verify(True)", "Verify+SQLite", id="verify-sqlite", show=False,
                tooltip="Also upgrade, downgrade and upgrade a scratch SQLite database"),
        Binding("ctrl+r,f5", "rescan", "Rescan", id="rescan", show=False, tooltip="Read every migration again"),
        Binding("t", "focus('tree')", "Tree", id="focus-tree", show=False, tooltip="Focus the revision tree"),
        Binding("p", "focus('problems')", "Problems", id="focus-problems", show=False, tooltip="Focus the problems panel"),
        Binding("H", "history", "History", id="history", show=False, tooltip="Show this session's commits"),
        Binding("n", "next_set", "Next set", id="next-set", show=False, tooltip="Show the next migration set"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.set_index = 0
        self.current_rev: str | None = None
        self.can_undo = False
        self.facts: dict = {}
        self._detail_timer = None
        self._binding_state: tuple = ()

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield RevisionTree(id="tree")
            with Vertical(id="side"):
                yield ProblemsPanel(id="problems")
                with TabbedContent(id="tabs"):
                    with TabPane("Detail", id="tab-detail"):
                        yield DetailPane(id="detail")
                    with TabPane("History", id="tab-history"):
                        yield HistoryPane(id="history")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.show_analysis(self.session.analysis)
        self.query_one(RevisionTree).focus()
        self.load_history()
        if self.session.db:
            self.load_applied()

    @property
    def current_set(self) -> SetAnalysis:
        sets = self.session.analysis.sets
        return sets[min(self.set_index, len(sets) - 1)]

    def show_analysis(self, analysis: Analysis) -> None:
        if not analysis.sets:
            return
        sa = self.current_set
        tree = self.query_one(RevisionTree)
        tree.border_title = f"{sa.mset.name} · {len(sa.graph.by_id)} revisions"
        tree.border_subtitle = "heads " + ", ".join(sa.graph.heads[:3]) + ("…" if len(sa.graph.heads) > 3 else "")
        tree.own = self.session.own
        tree.show(sa.graph, problems_by_revision(sa.problems), self.session.known_applied)
        self.query_one(ProblemsPanel).show(sa.problems)
        self.current_rev = tree.current_rev
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        sa = self.current_set
        rev = self.current_rev
        problems = problems_by_revision(sa.problems).get(rev, []) if rev else []
        self.query_one(DetailPane).show(sa.graph, rev, problems, self.facts)
        files = [m.rel for m in sa.graph.by_id.get(rev, [])] if rev else []
        missing = [rel for rel in files if rel not in self.facts]
        if missing:
            self.load_git_facts(missing)

    # ------------------------------------------------------------------ messages up

    def on_revision_tree_highlighted(self, message: RevisionTree.Highlighted) -> None:
        self.current_rev = message.rev
        # Holding an arrow key over 5,000 revisions must not read and highlight every file on
        # the way: the detail pane follows once the cursor rests (DETAIL_DELAY).
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(DETAIL_DELAY, self._show_detail)
        self._refresh_bindings_if_changed()

    def _refresh_bindings_if_changed(self) -> None:
        """The footer is rebuilt only when what applies to the cursor's revision changes."""
        graph = self.current_set.graph
        rev = self.current_rev or ""
        state = (rev in graph.by_id, len(graph.by_id.get(rev, [])) > 1, self._problem_at(rev) is not None)
        if state != self._binding_state:
            self._binding_state = state
            self.refresh_bindings()

    def on_revision_tree_activated(self, message: RevisionTree.Activated) -> None:
        problem = self._problem_at(message.rev)
        if problem is None:
            self.notify(f"{message.rev} has no problem. r relinks it, x removes it.", title="Nothing to fix")
            return
        self._fix(problem)

    def on_problems_panel_chosen(self, message: ProblemsPanel.Chosen) -> None:
        if message.fix:
            self._fix(message.problem)
        else:
            self.query_one(RevisionTree).highlight(set(message.problem.revisions))

    def on_analysis_ready(self, message: AnalysisReady) -> None:
        self.facts = {k: v for k, v in self.facts.items() if any(k in sa.graph.by_rel for sa in message.analysis.sets)}
        self.show_analysis(message.analysis)

    def on_history_ready(self, message: HistoryReady) -> None:
        self.query_one(HistoryPane).show(message.entries)
        self.query_one("#tab-history", TabPane).label = f"History ({len(message.entries)})" if message.entries else "History"  # type: ignore[attr-defined]
        self.can_undo = message.can_undo
        self.refresh_bindings()

    def on_fix_applied(self, message: FixApplied) -> None:
        self.notify(f"{message.commit.short}  {message.commit.subject}", title="Committed")

    def on_undo_done(self, message: UndoDone) -> None:
        self.notify(f"{message.commit.short}  {message.commit.subject}", title="Reverted")

    def on_git_failed(self, message: GitFailed) -> None:
        hint = REFUSAL_HINT if message.refused else "Nothing was changed: the working tree and the index are as before."
        self.app.push_screen(MessageScreen(message.title, message.message, hint))

    def on_git_facts_ready(self, message: GitFactsReady) -> None:
        self.facts[message.rel] = message.facts
        sa = self.current_set
        if self.current_rev and any(m.rel == message.rel for m in sa.graph.by_id.get(self.current_rev, [])):
            self._show_detail()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.name != "fix-all":
            self.app.push_screen(MessageScreen(f"{event.worker.description or event.worker.name} failed",
                                               _one_line(event.worker.error)))

    # ------------------------------------------------------------------ actions

    def _problem_at(self, rev: str | None) -> Problem | None:
        if rev is None:
            return None
        found = problems_by_revision(self.current_set.problems).get(rev, [])
        errors = [p for p in found if p.is_error]
        return (errors or found or [None])[0]

    def _fix(self, problem: Problem) -> None:
        sa = self.current_set
        files = [m.rel for m in sa.graph.by_id.get(self.current_rev or "", [])]
        self.fix_problem(problem, next((f for f in files if f in problem.files), None))

    def _selected_problem(self) -> Problem | None:
        if self.focused is self.query_one(ProblemsPanel):
            return self.query_one(ProblemsPanel).current
        return self._problem_at(self.current_rev) or self.query_one(ProblemsPanel).current

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        sa = self.current_set if self.session.analysis.sets else None
        graph = sa.graph if sa else None
        rev = self.current_rev
        codes = {p.code for p in sa.problems} if sa else set()
        if action == "fix":
            return True if self._selected_problem() else None
        if action in ("relink", "remove"):
            return True if graph is not None and rev in graph.by_id else None
        # Problem-specific actions leave the footer when they don't apply (it is 80 columns).
        if action == "keep":
            return graph is not None and len(graph.by_id.get(rev or "", [])) > 1
        if action == "heads":
            return "multiple-heads" in codes
        if action == "loop":
            return "cycle" in codes
        if action == "fix_all":
            return True if sa and sa.problems else None
        if action == "undo":
            return self.can_undo  # hidden until there is something to undo (room for q and ?)
        if action == "next_set":
            return len(self.session.analysis.sets) > 1
        return True

    def action_fix(self) -> None:
        problem = self._selected_problem()
        if problem is not None:
            self._fix(problem)

    def action_fix_all(self) -> None:
        self.fix_all()

    def action_relink(self) -> None:
        self.fix_kind("relink", self.current_rev or "")

    def action_keep(self) -> None:
        self.fix_kind("keep", self.current_rev or "")

    def action_remove(self) -> None:
        self.fix_kind("remove", self.current_rev or "")

    def action_heads(self) -> None:
        self.fix_kind("heads", self.current_rev or "")

    def action_loop(self) -> None:
        rev = self.current_rev or ""
        in_loop = any(p.code == "cycle" and rev in p.revisions for p in self.current_set.problems)
        self.fix_kind("loop", rev if in_loop else "")

    def action_undo(self) -> None:
        self.undo_last()

    def action_verify(self, sqlite: bool) -> None:
        self.app.push_screen(VerifyScreen(self.session, sqlite=sqlite))

    def action_rescan(self) -> None:
        self.rescan()

    def action_focus(self, which: str) -> None:
        self.query_one(f"#{which}").focus()

    def action_history(self) -> None:
        self.query_one(TabbedContent).active = "tab-history"

    def action_next_set(self) -> None:
        self.set_index = (self.set_index + 1) % len(self.session.analysis.sets)
        self.show_analysis(self.session.analysis)

    def select_revision(self, rev: str) -> None:
        """Move the tree's cursor to `rev` (used by the command palette)."""
        self.query_one(RevisionTree).select(rev)
        self.query_one(RevisionTree).focus()
