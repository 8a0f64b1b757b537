"""Which parent to relink a revision onto: ranked suggestions with reasons, plus a fuzzy filter."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from chaintui.suggest import Option as Suggestion
from chaintui.tui.screens.dialog import Dialog

LIMIT = 60


@dataclass(frozen=True)
class Candidate:
    """One revision that may be chosen."""

    rev: str
    message: str


class ChooseParentScreen(Dialog[str | None]):
    """Returns the chosen revision id, or None."""

    DIALOG_ID = "parent-dialog"
    WIDE = True
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="parent.cancel", tooltip="Close without choosing"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
        Binding("pagedown", "move(8)", "Page down", show=False),
        Binding("pageup", "move(-8)", "Page up", show=False),
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

    def compose_head(self) -> ComposeResult:
        yield Label(self.title_text, classes="dialog-title", markup=False)
        yield Static(self.why + " ↑↓ choose, type to filter every revision.", classes="hint", markup=False)
        yield Input(placeholder="filter (fuzzy): id or message…", id="filter", compact=True)

    def compose_body(self) -> ComposeResult:
        yield OptionList(id="parents", classes="dialog-body")

    def compose_buttons(self) -> ComposeResult:
        yield Button("Choose (enter)", variant="primary", id="choose", compact=True)
        yield Button("Cancel (esc)", id="cancel", compact=True)

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
            wrapped = textwrap.wrap("; ".join(reasons), max(self.text_width - 6, 20))
            line = Content.assemble(line,
                                    *(Content.assemble("\n  ", Content.styled(part, "$success")) for part in wrapped))
        return line

    def action_move(self, delta: int) -> None:
        options = self.query_one("#parents", OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + delta))

    @on(Input.Submitted, "#filter")
    def _submit(self) -> None:
        self.answer("choose")

    @on(OptionList.OptionSelected, "#parents")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def answer(self, button: str) -> None:
        options = self.query_one("#parents", OptionList)
        if button == "choose":
            if options.highlighted is not None and self.shown:
                self.dismiss(self.shown[options.highlighted])
            return
        self.dismiss(None)
