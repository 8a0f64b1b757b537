"""The problems panel: every problem of the set, severity first, with a count in its title."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from chaintui.model import Problem


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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.problems: list[Problem] = []

    def show(self, problems: list[Problem]) -> None:
        """Replace the list, keeping the highlight on the same kind of problem when it remains."""
        before = self.current
        self.problems = list(problems)
        self.clear_options()
        self.add_options([Option(self._prompt(p), id=str(i)) for i, p in enumerate(self.problems)])
        errors = sum(1 for p in self.problems if p.is_error)
        warnings = len(self.problems) - errors
        self.border_title = f"Problems {errors} errors · {warnings} warnings" if self.problems else "Problems: none"
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

    @staticmethod
    def _prompt(problem: Problem) -> Content:
        mark = Content.styled("E ", "bold $text-error") if problem.is_error else Content.styled("W ", "$text-warning")
        return Content.assemble(mark, Content.styled(problem.code, "bold"), " ", problem.message)

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
