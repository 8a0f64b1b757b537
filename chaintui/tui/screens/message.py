"""A dialog that explains a refusal or a failure and what to do about it (never a traceback)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class MessageScreen(ModalScreen[None]):
    """Title, the one-line message, and what the user can do next."""

    BINDINGS = [Binding("escape,enter", "dismiss", "Close", id="message.close", tooltip="Close this dialog")]

    def __init__(self, title: str, message: str, hint: str = "", *, error: bool = True) -> None:
        super().__init__(classes="error" if error else "")
        self.title_text = title
        self.message = message
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="message-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.message, id="message-text", markup=False)
            if self.hint:
                yield Static(self.hint, id="message-hint", classes="hint", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("OK", variant="primary", id="ok", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)


REFUSAL_HINT = ("Nothing was written. Put the repository right in another shell (the message says "
                "how), then press ctrl+r to rescan and try again.")
