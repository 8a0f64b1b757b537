"""Remove a revision file: which file (for a duplicate), and what happens to its children."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from chaintui.graph import RevisionGraph
from chaintui.tui.screens.choice import ChoiceDialog
from chaintui.tui.text import elide_middle


class RemoveScreen(ChoiceDialog[str | None]):
    """Returns the file (relative path) to remove, or None."""

    DIALOG_ID = "remove-dialog"
    CHOOSE_LABEL = "Remove (enter)"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="remove.cancel", tooltip="Keep every file")]

    def __init__(self, graph: RevisionGraph, rev: str) -> None:
        super().__init__()
        self.graph = graph
        self.rev = rev
        self.files = [m.rel for m in graph.by_id.get(rev, [])]

    def compose_head(self) -> ComposeResult:
        files = self.graph.by_id.get(self.rev, [])
        children = self.graph.child_ids(self.rev)
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

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        width = self.text_width - 2
        for m in self.graph.by_id.get(self.rev, []):
            ops = ", ".join(f"{op.kind} {op.table}" for op in m.ops[:4]) or "no schema operations"
            options.add_option(Option(Content.assemble(
                Content.styled(elide_middle(m.name, width), "bold"), "\n  ",
                Content.styled(f"{m.header.create_date or 'no date'} · {ops}", "$text-muted")), id=m.rel))
        options.highlighted = 0
        options.focus()

    def value_of(self, index: int) -> str:
        return self.files[index]
