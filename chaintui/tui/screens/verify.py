"""Alembic's own verdict, run in a thread worker with each step shown as it starts and ends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Label, LoadingIndicator, Static


class VerifyScreen(ModalScreen[bool | None]):
    """Runs `verify` on the project; returns True when alembic accepts it (None if closed early)."""

    BINDINGS = [Binding("escape,enter", "close", "Close", id="verify.close", tooltip="Close the verdict")]

    @dataclass
    class Progress(Message):
        step: str

    @dataclass
    class Finished(Message):
        result: Any
        error: str = ""

    def __init__(self, session, *, sqlite: bool = False) -> None:
        super().__init__()
        self.session = session
        self.sqlite = sqlite
        self.steps: list[str] = []
        self.ok: bool | None = None

    def compose(self) -> ComposeResult:
        what = "load the history, then upgrade/downgrade a scratch SQLite database" if self.sqlite \
            else "load the history and count heads and bases"
        with Vertical(classes="dialog wide", id="verify-dialog"):
            yield Label("Verify with alembic", classes="dialog-title")
            yield Static(f"alembic runs in a subprocess to {what}.", classes="hint")
            yield LoadingIndicator(id="verify-spinner")
            yield Static("", id="verify-log")
            with Horizontal(classes="buttons"):
                yield Button("Close (esc)", id="close", compact=True)

    def on_mount(self) -> None:
        self.run_verify()

    @work(thread=True, exclusive=True, group="verify", name="verify",
          description="alembic verdict in a subprocess", exit_on_error=False)
    def run_verify(self) -> None:
        try:
            result = self.session.verify(self.sqlite, progress=lambda step: self.post_message(self.Progress(step)))
        except Exception as exc:  # ChaintuiError or alembic failing to start: shown, not raised
            self.post_message(self.Finished(None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
            return
        self.post_message(self.Finished(result))

    def on_verify_screen_progress(self, message: Progress) -> None:
        self.steps.append(message.step)
        self.query_one("#verify-log", Static).update(
            Content("\n").join(Content(f"… {step}") for step in self.steps))

    def on_verify_screen_finished(self, message: Finished) -> None:
        self.query_one("#verify-spinner").display = False
        log = self.query_one("#verify-log", Static)
        if message.result is None:
            self.ok = False
            log.update(Content.styled(f"could not run: {message.error}", "$text-error"))
            return
        result = message.result
        self.ok = bool(result.ok)
        lines = [Content.assemble(Content.styled("ok   " if s.ok else "FAIL ", "bold $text-success" if s.ok else "bold $text-error"),
                                  Content.styled(s.name, "bold"), f": {s.output}") for s in result.steps]
        verdict = Content.styled("alembic accepts this history." if result.ok else "alembic does not accept this history yet.",
                                 "bold $text-success" if result.ok else "bold $text-error")
        log.update(Content("\n").join([*lines, Content(""), verdict]))

    def action_close(self) -> None:
        self.dismiss(self.ok)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_close()
