"""The diff preview shown before every commit: what the fix changes, and why."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Button, Label, Static

from chaintui.changes import ChangeSet
from chaintui.fixes import Fix
from chaintui.tui.screens.dialog import Dialog
from chaintui.tui.widgets.diff_view import render_changeset

APPLY, SKIP, CHANGE, UNDO = "apply", "skip", "change", "undo"
MAX_WARNINGS = 3
"""Warnings shown one by one; more are counted, so the diff stays close to the top."""


class DiffPreviewScreen(Dialog[str | None]):
    """Returns "apply", or in a Fix-all review also "skip" / "change" (and "undo" when the
    review has committed a step); None = cancel."""

    DIALOG_ID = "preview-dialog"
    WIDE = True
    BINDINGS = [
        Binding("y", "answer('apply')", "Apply & commit", id="preview.apply", tooltip="Write the change and commit it"),
        Binding("s", "answer('skip')", "Skip", id="preview.skip", tooltip="Leave this problem for now; the rest is planned again"),
        Binding("c", "answer('change')", "Change", id="preview.change", tooltip="Choose differently"),
        Binding("u", "answer('undo')", "Undo last", id="preview.undo",
                tooltip="Revert the step committed last in this review and plan again"),
        Binding("escape,n", "cancel", "Cancel", id="preview.cancel", tooltip="Close without changing anything"),
    ]

    def __init__(self, fix: Fix, changeset: ChangeSet, *, step: str = "",
                 warnings: list[str] | tuple[str, ...] = (), can_undo: bool = False, note: str = "") -> None:
        super().__init__()
        self.warnings = tuple(warnings)
        """Schema-order breakage and applied-revision changes: applying means confirming them."""
        self.fix = fix
        self.changeset = changeset
        self.step = step
        """e.g. "Fix all · step 2 (8 left)"; empty outside a Fix-all review."""
        self.can_undo = can_undo
        """A Fix-all review that has committed a step: offer to revert it."""
        self.note = note
        """Why the plan stopped short, when it did (shown under the reason)."""

    @property
    def review(self) -> bool:
        return bool(self.step)

    def compose_head(self) -> ComposeResult:
        if self.step:
            yield Label(self.step, classes="dialog-step")
        yield Label(f"chaintui: {self.fix.summary}", classes="dialog-title", markup=False)

    def compose_body(self) -> ComposeResult:
        added, removed = self.changeset.stats()
        files = len(self.changeset.changes)
        with VerticalScroll(id="diff", can_focus=True, classes="dialog-body"):
            yield Static(self.fix.reason, classes="hint", markup=False)
            if self.note:
                yield Static(f"ⓘ {self.note}", classes="hint", markup=False)
            for warning in self.warnings[:MAX_WARNINGS]:
                yield Static(f"⚠ {warning}", classes="preview-warning", markup=False)
            if len(self.warnings) > MAX_WARNINGS:
                yield Static(f"⚠ … and {len(self.warnings) - MAX_WARNINGS} more like these",
                             classes="preview-warning", markup=False)
            yield Static(Content.assemble(
                Content.styled(f"+{added}", "$success"), " ",
                Content.styled(f"-{removed}", "$error"),
                f" in {files} file{'s' if files != 1 else ''} · one commit · ↑↓ pgup pgdn scroll"),
                id="preview-stats")
            for index, section in enumerate(render_changeset(self.changeset, self.text_width)):
                yield Static(section, id=f"diff-file-{index}", classes="diff-file")

    def compose_buttons(self) -> ComposeResult:
        label = "Apply anyway (y)" if self.warnings else "Apply & commit (y)"
        yield Button(label, variant="warning" if self.warnings else "success", id=APPLY, compact=True)
        if self.review:
            yield Button("Skip (s)", id=SKIP, compact=True)
            yield Button("Change… (c)", id=CHANGE, compact=True)
            if self.can_undo:
                yield Button("Undo (u)", id=UNDO, compact=True)
        yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#diff").focus()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "answer" and parameters and parameters[0] in (SKIP, CHANGE):
            return self.review
        if action == "answer" and parameters and parameters[0] == UNDO:
            return self.review and self.can_undo
        return True

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)

    def answer(self, button: str) -> None:
        self.dismiss(None if button == "cancel" else button)
