"""The main screen: header, revision tree, problems panel, detail and history; every action is a
binding.

Attributes down, messages up: the widgets post what the user did, this screen sets what they
show. Slow work runs in SessionWorkers, choices in FixFlows, finding things in Navigation.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from chaintui.analysis import Analysis, SetAnalysis
from chaintui.model import Problem
from chaintui.tui.flows import FixFlows, _one_line
from chaintui.tui.marks import problems_by_revision
from chaintui.tui.messages import AnalysisReady, FixApplied, GitFactsReady, GitFailed, HistoryReady, UndoDone
from chaintui.tui.screens.message import REFUSAL_HINT, MessageScreen
from chaintui.tui.screens.navigation import Navigation
from chaintui.tui.screens.verify import VerifyScreen
from chaintui.tui.session import Session
from chaintui.tui.widgets.detail_pane import DetailPane
from chaintui.tui.widgets.history_pane import HistoryPane
from chaintui.tui.widgets.problems_panel import ProblemsPanel
from chaintui.tui.widgets.revision_tree import RevisionTree
from chaintui.tui.widgets.search_bar import SearchBar
from chaintui.tui.widgets.session_header import SessionHeader, home_relative
from chaintui.tui.workers import SessionWorkers

DETAIL_DELAY = 0.12
"""Seconds the tree cursor must rest before the detail pane follows it."""


class MainScreen(Navigation, FixFlows, SessionWorkers, Screen):
    """The repair session's window."""

    # The footer shows the keys with show=True and fits 80 columns with q and ? (the app's);
    # every other key is in the help screen (?) and the command palette (ctrl+p).
    BINDINGS = [
        Binding("f", "fix", "Fix", id="fix", tooltip="Fix the selected problem (choose, preview, commit)"),
        Binding("a", "fix_all", "Fix all", id="fix-all", tooltip="Review the automatic plan step by step: accept, skip or change"),
        Binding("slash", "search", "Search", id="search", tooltip="Find a revision by id, message or file name"),
        Binding("n,right_square_bracket", "next_problem(1)", "Next problem", id="next-problem",
                tooltip="Move to the next problem in the tree"),
        Binding("N,left_square_bracket", "next_problem(-1)", "Previous problem", id="previous-problem", show=False,
                tooltip="Move to the previous problem in the tree"),
        Binding("u", "undo", "Undo", id="undo", tooltip="Revert this session's newest chaintui commit"),
        Binding("v", "verify(False)", "Verify", id="verify", tooltip="Ask alembic itself (in a subprocess)"),
        Binding("V", "verify(True)", "Verify+SQLite", id="verify-sqlite", show=False,
                tooltip="Also upgrade, downgrade and upgrade a scratch SQLite database"),
        Binding("r", "relink", "Relink", id="relink", show=False, tooltip="Choose a new parent for the selected revision"),
        Binding("d", "keep", "Duplicate", id="keep", show=False, tooltip="Choose which file keeps a duplicated id"),
        Binding("x", "remove", "Remove", id="remove", show=False, tooltip="Remove the selected revision's file (git rm)"),
        Binding("m", "heads", "Heads", id="heads", show=False, tooltip="Linearize or merge several heads"),
        Binding("o", "loop", "Loop", id="loop", show=False, tooltip="Break a down_revision loop"),
        Binding("y", "copy('id')", "Copy id", id="copy-id", show=False,
                tooltip="Copy the selected revision id to the clipboard (OSC 52, works over SSH)"),
        Binding("Y", "copy('path')", "Copy path", id="copy-path", show=False,
                tooltip="Copy the selected revision's file path to the clipboard"),
        Binding("ctrl+r,f5", "rescan", "Rescan", id="rescan", show=False, tooltip="Read every migration again"),
        Binding("t", "focus('tree')", "Tree", id="focus-tree", show=False, tooltip="Focus the revision tree"),
        Binding("p", "focus('problems')", "Problems", id="focus-problems", show=False, tooltip="Focus the problems panel"),
        Binding("H", "history", "History", id="history", show=False, tooltip="Show this session's commits"),
        Binding("S", "next_set", "Next set", id="next-set", show=False, tooltip="Show the next migration set"),
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
        yield SessionHeader(id="header")
        with Horizontal(id="body"):
            yield RevisionTree(id="tree")
            with Vertical(id="side"):
                yield Static(id="finished")
                yield ProblemsPanel(id="problems")
                with TabbedContent(id="tabs"):
                    with TabPane("Detail", id="tab-detail"):
                        yield DetailPane(id="detail")
                    with TabPane("History", id="tab-history"):
                        yield HistoryPane(id="history")
        yield SearchBar(id="search")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(SessionHeader).path = home_relative(self.session.root)
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
        tree.own = self.session.own
        tree.show(sa.graph, problems_by_revision(sa.problems), self.session.known_applied)
        heads = [tree.short.get(h, h) for h in sa.graph.heads]
        tree.border_subtitle = ("head " if len(heads) == 1 else "heads ") + ", ".join(heads[:3]) + (
            "…" if len(heads) > 3 else "")
        order = [row.rev for row in tree.layout_.rows if row.is_node]
        self.query_one(ProblemsPanel).show(sa.problems, sa.graph, order, tree.short)
        errors = sum(1 for p in analysis.problems if p.is_error)
        header = self.query_one(SessionHeader)
        header.errors = errors
        header.warnings = len(analysis.problems) - errors
        self._show_finished(errors, len(analysis.problems) - errors)
        self.current_rev = tree.current_rev
        self._show_detail()
        self.refresh_bindings()

    def _show_finished(self, errors: int, warnings: int) -> None:
        """With no error left, say so in words and what comes next."""
        finished = self.query_one("#finished", Static)
        finished.display = errors == 0
        self.query_one(ProblemsPanel).display = bool(errors or warnings)
        if errors:
            return
        commits = self.query_one(SessionHeader).commits
        lines = [Content.styled("✔ No errors left: alembic can load this history.", "bold $success")]
        if warnings:
            lines.append(Content.styled(f"{warnings} warning{'s' if warnings != 1 else ''} below "
                                        "(optional: f fixes one).", "$text-warning"))
        # each command on a line of its own: never broken over two lines
        lines.append(Content.assemble("Next: press ", Content.styled("V", "bold"), ", which runs"))
        lines.append(Content.styled("  chaintui verify --sqlite", "bold"))
        lines.append(Content("(upgrade, downgrade, upgrade a scratch SQLite database), then"))
        lines.append(Content.assemble(Content.styled("  git push", "bold"),
                                      f"  ({commits} commit{'s' if commits != 1 else ''})" if commits else ""))
        finished.update(Content("\n").join(lines))

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
            self.query_one(RevisionTree).highlight(set(message.problem.revisions), first=message.anchor)

    def on_analysis_ready(self, message: AnalysisReady) -> None:
        self.facts = {k: v for k, v in self.facts.items() if any(k in sa.graph.by_rel for sa in message.analysis.sets)}
        self.show_analysis(message.analysis)

    def on_history_ready(self, message: HistoryReady) -> None:
        self.query_one(HistoryPane).show(message.entries)
        self.query_one("#tab-history", TabPane).label = f"History ({len(message.entries)})" if message.entries else "History"  # type: ignore[attr-defined]
        header = self.query_one(SessionHeader)
        header.commits = len(message.entries)
        header.branch, header.head = message.branch, message.head
        header.in_git = bool(message.branch or message.head)
        self.can_undo = message.can_undo
        if header.errors == 0:
            self._show_finished(0, header.warnings)
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
        if event.state == WorkerState.ERROR and event.worker.name not in ("fix-all", "plan"):
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
        panel = self.query_one(ProblemsPanel)
        current = panel.current
        # the panel's problem when it is focused or is about the tree's revision (n moved there)
        if self.focused is panel or (current is not None and self.current_rev in current.revisions):
            return current
        return self._problem_at(self.current_rev) or current

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        sa = self.current_set if self.session.analysis.sets else None
        graph = sa.graph if sa else None
        rev = self.current_rev
        codes = {p.code for p in sa.problems} if sa else set()
        if action == "fix":
            return True if self._selected_problem() else None
        if action in ("relink", "remove", "copy"):
            return True if graph is not None and (rev in graph.by_id or action == "copy" and rev) else None
        if action == "keep":
            return True if graph is not None and len(graph.by_id.get(rev or "", [])) > 1 else None
        if action == "heads":
            return True if "multiple-heads" in codes else None
        if action == "loop":
            return True if "cycle" in codes else None
        if action in ("fix_all", "next_problem"):
            return True if sa and sa.problems else None
        if action == "undo":
            return self.can_undo  # hidden until there is something to undo
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
