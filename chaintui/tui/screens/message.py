"""A dialog that explains a refusal or a failure and what to do about it (never a traceback)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Button, Label, Static

from chaintui.tui.screens.dialog import Dialog


class MessageScreen(Dialog[None]):
    """Title, the message, and what the user can do next."""

    DIALOG_ID = "message-dialog"
    BINDINGS = [Binding("escape,enter", "dismiss", "Close", id="message.close", tooltip="Close this dialog")]

    def __init__(self, title: str, message: str, hint: str = "", *, error: bool = True) -> None:
        super().__init__(classes="error" if error else "")
        self.title_text = title
        self.message = message
        self.hint = hint

    def compose_head(self) -> ComposeResult:
        yield Label(self.title_text, classes="dialog-title", markup=False)

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-body", id="message-body"):
            yield Static(self.message, id="message-text", markup=False)
            if self.hint:
                yield Static(self.hint, id="message-hint", classes="hint", markup=False)

    def compose_buttons(self) -> ComposeResult:
        yield Button("OK (enter)", variant="primary", id="ok", compact=True)

    def on_mount(self) -> None:
        self.query_one("#ok").focus()

    def answer(self, button: str) -> None:
        self.dismiss(None)


REFUSAL_HINT = ("Nothing was written. Put the repository right in another shell (the message says "
                "how), then press ctrl+r to rescan and try again.")
