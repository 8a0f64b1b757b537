"""The problems panel: one short line per problem, leading with the revision it is about
(`017 duplicate id · 2 files`), grouped by revision in the tree's order."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from chaintui.graph import RevisionGraph
from chaintui.model import Problem
from chaintui.tui.marks import ProblemLine, ordered, problem_line

ID_WIDTH = 16
"""The anchor column is as wide as the longest anchor shown, at most this."""


class ProblemsPanel(OptionList):
    """One line per problem; highlighting one selects its revisions, Enter fixes it."""

    DEFAULT_CSS = """
    ProblemsPanel { height: 1fr; }
    """

    @dataclass
    class Chosen(Message):
        """The highlighted problem changed (`fix` False) or Enter was pressed on it (`fix` True)."""

        panel: ProblemsPanel
        problem: Problem
        fix: bool = False

        @property
        def control(self) -> ProblemsPanel:
            return self.panel

        @property
        def anchor(self) -> str:
            return self.panel.anchor_of(self.problem)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.problems: list[Problem] = []
        """In display order: grouped by anchor revision, groups in the tree's order."""
        self.lines: list[ProblemLine] = []

    def show(self, problems: list[Problem], graph: RevisionGraph | None = None,
             order: list[str] | None = None, short: dict[str, str] | None = None) -> None:
        """Replace the list, keeping the highlight on the same problem when it remains.
        `order` is the tree's row order; `short` maps ids to how the tree shows them."""
        before = self.current
        lines = [problem_line(p, graph, short) for p in problems]
        index_order = ordered(problems, lines, order or [])
        self.problems = [problems[i] for i in index_order]
        self.lines = [lines[i] for i in index_order]
        shown = [(short or {}).get(line.anchor, line.anchor) for line in self.lines]
        room = (self.size.width or self.app.size.width // 2) // 3
        width = min(max((cell_len(s) for s in shown), default=0), ID_WIDTH, max(room, 4))
        self.clear_options()
        options = []
        for i, (problem, line) in enumerate(zip(self.problems, self.lines)):
            same = i > 0 and self.lines[i - 1].anchor == line.anchor
            options.append(Option(self._prompt(problem, line, shown[i], width, same), id=str(i)))
        self.add_options(options)
        errors = sum(1 for p in self.problems if p.is_error)
        warnings = len(self.problems) - errors
        if not self.problems:
            self.border_title = "Problems: none"
        else:
            self.border_title = f"Problems · {errors} error{'s' if errors != 1 else ''}" + (
                f" · {warnings} warning{'s' if warnings != 1 else ''}" if warnings else "")
        if self.problems:
            index = 0
            if before is not None:
                for i, p in enumerate(self.problems):
                    if p.code == before.code and p.revisions == before.revisions:
                        index = i
                        break
            self.highlighted = index

    @property
    def current(self) -> Problem | None:
        index = self.highlighted
        return self.problems[index] if index is not None and index < len(self.problems) else None

    def anchor_of(self, problem: Problem) -> str:
        for p, line in zip(self.problems, self.lines):
            if p is problem:
                return line.anchor
        return problem.revisions[0] if problem.revisions else ""

    def anchors(self) -> list[str]:
        return [line.anchor for line in self.lines]

    @staticmethod
    def _prompt(problem: Problem, line: ProblemLine, shown: str, width: int, same: bool) -> Content:
        if cell_len(shown) > width:
            shown = shown[:width - 1] + "…"
        error = problem.is_error
        anchor = Content.styled((" " * width if same else shown.ljust(width)) + " ",
                                "bold $error" if error else "bold $text-warning")
        text = Content.styled(line.text, "$text" if error else "$text-warning")
        return Content.assemble(anchor, "" if error else Content.styled("⚠ ", "$text-warning"), text)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        problem = self.current
        if problem is not None:
            self.post_message(self.Chosen(self, problem))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        problem = self.current
        if problem is not None:
            self.post_message(self.Chosen(self, problem, fix=True))
