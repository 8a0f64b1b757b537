"""Alembic's own verdict, run in a thread worker with each step shown as it starts and ends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Label, LoadingIndicator, Static

from chaintui.tui.screens.dialog import Dialog


class VerifyScreen(Dialog[bool | None]):
    """Runs `verify` on the project; returns True when alembic accepts it (None if closed early)."""

    DIALOG_ID = "verify-dialog"
    WIDE = True
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

    def compose_head(self) -> ComposeResult:
        what = "load the history, then upgrade/downgrade a scratch SQLite database" if self.sqlite \
            else "load the history and count heads and bases (V also runs it on a scratch SQLite database)"
        yield Label("Verify with alembic", classes="dialog-title")
        yield Static(f"alembic runs in a subprocess to {what}.", classes="hint", markup=False)

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-body", id="verify-body"):
            yield LoadingIndicator(id="verify-spinner")
            yield Static("", id="verify-log")

    def compose_buttons(self) -> ComposeResult:
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
            log.update(Content.styled(f"could not run: {message.error}", "$error"))
            return
        result = message.result
        self.ok = bool(result.ok)
        lines = []
        for s in result.steps:
            first, *rest = (s.output or "").splitlines() or [""]
            lines.append(Content.assemble(
                Content.styled("ok   " if s.ok else "FAIL ", "bold $success" if s.ok else "bold $error"),
                Content.styled(s.name, "bold"), f": {first}"))
            lines += [Content.styled(f"     {line}", "" if s.ok else "$error") for line in rest]
        verdict = Content.styled("alembic accepts this history." if result.ok else "alembic does not accept this history yet.",
                                 "bold $success" if result.ok else "bold $error")
        if result.ok:
            verdict = Content.assemble(verdict, " Next: ", Content.styled("git push", "bold"), ".")
        log.update(Content("\n").join([*lines, Content(""), verdict]))

    def action_close(self) -> None:
        self.dismiss(self.ok)

    def answer(self, button: str) -> None:
        self.action_close()
