"""A dialog whose body is a list of choices: the option lists of heads, loop, remove, root."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, OptionList

from chaintui.tui.screens.dialog import Dialog, T


class ChoiceDialog(Dialog[T]):
    """The body is `#choices`, an OptionList; Enter or the first button takes the highlighted
    option, whose value `value_of(index)` returns."""

    CHOOSE_LABEL = "Choose (enter)"
    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Close without choosing")]

    def compose_body(self) -> ComposeResult:
        yield OptionList(id="choices", classes="dialog-body")

    def compose_buttons(self) -> ComposeResult:
        yield Button(self.CHOOSE_LABEL, variant="primary", id="choose", compact=True)
        yield Button("Cancel (esc)", id="cancel", compact=True)

    def value_of(self, index: int) -> T:
        raise NotImplementedError

    @on(OptionList.OptionSelected, "#choices")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.value_of(event.option_index))

    def answer(self, button: str) -> None:
        options = self.query_one("#choices", OptionList)
        if button == "choose" and options.highlighted is not None:
            self.dismiss(self.value_of(options.highlighted))
        elif button != "choose":
            self.dismiss(None)
