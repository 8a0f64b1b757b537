"""Break a loop: which member's down_revision edge to cut (the new parent is chosen next)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from chaintui.graph import RevisionGraph
from chaintui.naming import natural_key
from chaintui.tui.screens.choice import ChoiceDialog
from chaintui.tui.text import elide_middle


class LoopScreen(ChoiceDialog[str | None]):
    """Returns the file of the loop member to relink, or None."""

    DIALOG_ID = "loop-dialog"
    CHOOSE_LABEL = "Cut here (enter)"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="loop.cancel", tooltip="Leave the loop")]

    def __init__(self, graph: RevisionGraph, members: tuple[str, ...], suggested: str | None = None) -> None:
        super().__init__()
        self.graph = graph
        self.members = members
        self.suggested = suggested
        self.files: list[str] = []

    def compose_head(self) -> ComposeResult:
        loop = " → ".join([*self.members, self.members[0]])
        yield Label(f"Break the loop {loop}", classes="dialog-title", markup=False)
        yield Static("Following down_revision goes round in a circle, which alembic rejects. "
                     "Pick the edge to cut; next you choose where that revision goes instead.",
                     classes="hint", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        members = set(self.members)
        highlight = 0
        width = self.text_width - 2
        for rev in self.members:
            m = self.graph.by_id[rev][0]
            inside = [p for p in m.down_revision if p in members]
            forward = any(natural_key(p) >= natural_key(rev) for p in inside)
            if rev == self.suggested:
                highlight = len(self.files)
            self.files.append(m.rel)
            note = "  (points forward in the project's order: likely the wrong edge)" if forward else ""
            options.add_option(Option(Content.assemble(
                Content.styled(rev, "bold"), f" names {', '.join(inside)}",
                Content.styled(note, "$success"), "\n  ",
                Content.styled(elide_middle(m.name, width), "$text-muted"))))
        options.highlighted = highlight
        options.focus()

    def value_of(self, index: int) -> str:
        return self.files[index]
