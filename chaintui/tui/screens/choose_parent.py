"""Which parent to relink a revision onto: ranked suggestions with reasons, plus a fuzzy filter."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from chaintui.suggest import Option as Suggestion

LIMIT = 60


@dataclass(frozen=True)
class Candidate:
    """One revision that may be chosen."""

    rev: str
    message: str


class ChooseParentScreen(ModalScreen[str | None]):
    """Returns the chosen revision id, or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="parent.cancel", tooltip="Close without choosing"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
    ]

    def __init__(self, title: str, why: str, suggestions: list[Suggestion], candidates: list[Candidate]) -> None:
        super().__init__()
        self.title_text = title
        self.why = why
        self.suggestions = suggestions
        self.candidates = candidates
        self._choices = {c.rev: f"{c.rev} {c.message}" for c in candidates}
        self._messages = {c.rev: c.message for c in candidates}
        self.shown: list[str] = []
        """The revision ids currently listed, in order."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="parent-dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.why, classes="hint", markup=False)
            yield Input(placeholder="type to filter every revision (fuzzy)…", id="filter")
            yield OptionList(id="parents")
            yield Static("↑↓ choose · enter select · esc cancel", classes="keys")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#filter", Input).focus()

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value.strip())

    def _fill(self, query: str) -> None:
        options = self.query_one("#parents", OptionList)
        options.clear_options()
        self.shown = []
        if not query:
            ranked = [s for s in self.suggestions if s.score > 0] or self.suggestions[:1]
            rest = [s for s in self.suggestions if s not in ranked]
            for s in [*ranked, *rest][:LIMIT]:
                self.shown.append(s.value)
                options.add_option(Option(self._prompt(s.value, s.reasons), id=s.value))
        else:
            allowed = {s.value for s in self.suggestions} if self.suggestions else set(self._choices)
            choices = {rev: text for rev, text in self._choices.items() if rev in allowed}
            for _text, _score, rev in process.extract(query, choices, scorer=fuzz.WRatio, limit=LIMIT, score_cutoff=40):
                self.shown.append(rev)
                options.add_option(Option(self._prompt(rev, ()), id=rev))
        if self.shown:
            options.highlighted = 0

    def _prompt(self, rev: str, reasons: tuple[str, ...]) -> Content:
        line = Content.assemble(Content.styled(rev, "bold"), "  ",
                                Content.styled(self._messages.get(rev, ""), "$text-muted"))
        if reasons:
            line = Content.assemble(line, "\n  ", Content.styled("; ".join(reasons), "$text-success"))
        return line

    def action_move(self, delta: int) -> None:
        options = self.query_one("#parents", OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + delta))

    @on(Input.Submitted, "#filter")
    def _submit(self) -> None:
        options = self.query_one("#parents", OptionList)
        if options.highlighted is not None and self.shown:
            self.dismiss(self.shown[options.highlighted])

    @on(OptionList.OptionSelected, "#parents")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
