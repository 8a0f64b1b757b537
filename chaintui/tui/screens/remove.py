"""Remove a revision file: which file (for a duplicate), and what happens to its children."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from chaintui.graph import RevisionGraph


class RemoveScreen(ModalScreen[str | None]):
    """Returns the file (relative path) to remove, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="remove.cancel", tooltip="Keep every file")]

    def __init__(self, graph: RevisionGraph, rev: str) -> None:
        super().__init__()
        self.graph = graph
        self.rev = rev

    def compose(self) -> ComposeResult:
        files = self.graph.by_id.get(self.rev, [])
        children = self.graph.child_ids(self.rev)
        with Vertical(classes="dialog", id="remove-dialog"):
            yield Label(f"Remove a file of revision {self.rev}", classes="dialog-title", markup=False)
            if len(files) > 1:
                why = "Several files declare this id; the other one keeps it, so its children stay as they are."
            elif children:
                parents = ", ".join(self.graph.parent_ids(self.rev)) or "nothing (they become bases)"
                why = f"Its children ({', '.join(children)}) will be relinked onto {parents}."
            else:
                why = "Nothing names it as a parent."
            yield Static(why + " The file is removed with git rm in one commit (undo reverts it).",
                         classes="hint", markup=False)
            options = OptionList(id="files")
            for m in files:
                ops = ", ".join(f"{op.kind} {op.table}" for op in m.ops[:4]) or "no schema operations"
                options.add_option(Option(Content.assemble(
                    Content.styled(m.name, "bold"), "\n  ",
                    Content.styled(f"{m.header.create_date or 'no date'} · {ops}", "$text-muted")), id=m.rel))
            yield options
            yield Static("enter remove · esc cancel", classes="keys")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
