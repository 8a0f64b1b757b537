"""The diff preview shown before every commit: what the fix changes, and why."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.highlight import highlight
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from chaintui.changes import ChangeSet
from chaintui.fixes import Fix

APPLY, SKIP, CHANGE = "apply", "skip", "change"
MAX_WARNINGS = 3
"""Warnings shown one by one; more are counted, so the diff and the buttons stay on screen."""


class DiffPreviewScreen(ModalScreen[str | None]):
    """Returns "apply", or in a Fix-all review also "skip" / "change"; None = cancel."""

    BINDINGS = [
        Binding("y", "answer('apply')", "Apply & commit", id="preview.apply", tooltip="Write the change and commit it"),
        Binding("s", "answer('skip')", "Skip", id="preview.skip", tooltip="Leave this problem for now"),
        Binding("c", "answer('change')", "Change", id="preview.change", tooltip="Choose differently"),
        Binding("escape,n", "cancel", "Cancel", id="preview.cancel", tooltip="Close without changing anything"),
    ]

    def __init__(self, fix: Fix, changeset: ChangeSet, *, step: str = "",
                 warnings: list[str] | tuple[str, ...] = ()) -> None:
        super().__init__()
        self.warnings = tuple(warnings)
        """Schema-order breakage and applied-revision changes: applying means confirming them."""
        self.fix = fix
        self.changeset = changeset
        self.step = step
        """e.g. "Fix all · step 2 (8 left)"; empty outside a Fix-all review."""

    @property
    def review(self) -> bool:
        return bool(self.step)

    def compose(self) -> ComposeResult:
        added, removed = self.changeset.stats()
        files = len(self.changeset.changes)
        with Vertical(classes="dialog wide", id="preview-dialog"):
            if self.step:
                yield Label(self.step, classes="dialog-step")
            yield Label(f"chaintui: {self.fix.summary}", classes="dialog-title", markup=False)
            yield Static(self.fix.reason, classes="hint", markup=False)
            for warning in self.warnings[:MAX_WARNINGS]:
                yield Static(f"⚠ {warning}", classes="preview-warning", markup=False)
            if len(self.warnings) > MAX_WARNINGS:
                yield Static(f"⚠ … and {len(self.warnings) - MAX_WARNINGS} more like these",
                             classes="preview-warning", markup=False)
            yield Static(Content.assemble(
                Content.styled(f"+{added}", "$text-success"), " ",
                Content.styled(f"-{removed}", "$text-error"),
                f" in {files} file{'s' if files != 1 else ''} · one commit"), id="preview-stats")
            with VerticalScroll(id="diff", can_focus=True):
                yield Static(highlight(self.changeset.diff(), language="diff"), id="diff-text")
            with Horizontal(classes="buttons"):
                label = "Apply anyway (y)" if self.warnings else "Apply & commit (y)"
                yield Button(label, variant="warning" if self.warnings else "success", id="apply", compact=True)
                if self.review:
                    yield Button("Skip (s)", id="skip", compact=True)
                    yield Button("Change… (c)", id="change", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#diff").focus()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "answer" and parameters and parameters[0] in (SKIP, CHANGE):
            return self.review
        return True

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None if event.button.id == "cancel" else event.button.id)
