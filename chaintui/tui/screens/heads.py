"""Several heads: linearize one branch after another, or write a merge revision."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from chaintui.graph import RevisionGraph
from chaintui.naming import natural_key
from chaintui.tui.screens.choice import ChoiceDialog


@dataclass(frozen=True)
class HeadsChoice:
    """`linearize` (put `head`'s branch after `onto`) or `merge` (join `heads`)."""

    kind: str
    head: str = ""
    onto: str = ""
    heads: tuple[str, ...] = ()


class HeadsScreen(ChoiceDialog[HeadsChoice | None]):
    """Returns a HeadsChoice, or None."""

    DIALOG_ID = "heads-dialog"
    WIDE = True
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="heads.cancel", tooltip="Leave the heads as they are")]

    def __init__(self, graph: RevisionGraph, heads: list[str]) -> None:
        super().__init__()
        self.graph = graph
        # the head with the longest history first: the others usually go after it
        self.heads = sorted(heads, key=lambda h: (-len(graph.ancestors(h)), natural_key(h)))
        self.choices: list[HeadsChoice] = []

    def compose_head(self) -> ComposeResult:
        yield Label(f"{len(self.heads)} heads: {', '.join(self.heads)}", classes="dialog-title", markup=False)
        yield Static("alembic's `upgrade head` refuses several heads. Linearizing puts one branch "
                     "after the other (what most teams want after two pull requests both added a "
                     "migration); a merge revision keeps both branches.", classes="hint", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        main = self.heads[0]
        pairs = [(h, main) for h in self.heads[1:]]
        pairs += [(h, o) for h in self.heads for o in self.heads if h != o and (h, o) not in pairs]
        for head, onto in pairs:
            choice = HeadsChoice("linearize", head=head, onto=onto)
            self.choices.append(choice)
            note = "  (suggested: the longest history stays first)" if onto == main and head == pairs[0][0] else ""
            options.add_option(Option(Content.assemble(
                Content.styled("linearize ", "bold"), f"put {head}'s branch after {onto}",
                Content.styled(note, "$success"))))
        choice = HeadsChoice("merge", heads=tuple(sorted(self.heads, key=natural_key)))
        self.choices.append(choice)
        options.add_option(Option(Content.assemble(
            Content.styled("merge ", "bold"), f"write a merge revision joining {' + '.join(choice.heads)}")))
        options.highlighted = 0
        options.focus()

    def value_of(self, index: int) -> HeadsChoice:
        return self.choices[index]
