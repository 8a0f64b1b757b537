"""The shape every dialog shares: a head (title, short hint), a body that scrolls, and a row of
buttons that always stays on screen, at 80x24 too.

The head and the buttons are docked (top and bottom) so the body, however long, only gets the
rows left between them: a long list or diff scrolls, the actions are never cut off.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button

T = TypeVar("T")

DIALOG_WIDTH = 64
WIDE_WIDTH = 96
CHROME = 5
"""Columns a dialog line loses to the border, the padding and a scrollbar."""


class Dialog(ModalScreen[T]):
    """Subclasses yield `compose_head`, `compose_body` (one widget with the class `dialog-body`)
    and `compose_buttons`; each button's id is what `on_button_pressed` answers with."""

    DIALOG_ID: ClassVar[str] = ""
    WIDE: ClassVar[bool] = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide" if self.WIDE else "dialog", id=self.DIALOG_ID or None):
            with Vertical(classes="dialog-head"):
                yield from self.compose_head()
            yield from self.compose_body()
            with Horizontal(classes="buttons"):
                yield from self.compose_buttons()

    def compose_head(self) -> ComposeResult:
        yield from ()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def compose_buttons(self) -> ComposeResult:
        yield Button("Cancel (esc)", id="cancel", compact=True)

    @property
    def text_width(self) -> int:
        """Cells a line of the body has on this terminal."""
        width = WIDE_WIDTH if self.WIDE else DIALOG_WIDTH
        return max(min(width, self.app.size.width) - CHROME, 20)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.answer(event.button.id or "cancel")

    def answer(self, button: str) -> None:
        """A button was pressed (its id); by default only "cancel" exists."""
        self.dismiss(None)
