"""An extra root: remove its file, relink it onto a parent, or first give it an id of its own."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from chaintui.graph import RevisionGraph
from chaintui.model import Migration
from chaintui.tui.screens.choice import ChoiceDialog
from chaintui.tui.text import elide_middle

REMOVE, RELINK, RENUMBER = "remove", "relink", "renumber"


class RootScreen(ChoiceDialog[str | None]):
    """Returns "remove", "relink" or "renumber" (the file shares its id: keep-duplicate first),
    or None. Every choice offered leads to a fix that can be built."""

    DIALOG_ID = "root-dialog"
    WIDE = True
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="root.cancel", tooltip="Leave the extra root")]

    def __init__(self, graph: RevisionGraph, extra: Migration, main: str, *, redundant: bool = False) -> None:
        super().__init__()
        self.graph = graph
        self.extra = extra
        self.main = main
        self.redundant = redundant
        """The extra root re-creates tables the main root already creates: removing it is suggested."""
        self.others = [m for m in graph.by_id.get(extra.revision, []) if m.rel != extra.rel]
        self.choices: list[str] = []

    def compose_head(self) -> ComposeResult:
        name = elide_middle(self.extra.name, self.text_width - 20)
        yield Label(f"Extra root {self.extra.revision}: {name}", classes="dialog-title", markup=False)
        shared = (f" It also shares the id {self.extra.revision} with {', '.join(m.name for m in self.others)}."
                  if self.others else "")
        yield Static(f"{self.main} is the main root; alembic wants one base (down_revision = None) unless "
                     f"each extra one has its own branch label.{shared}", classes="hint", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        kids = self.graph.child_ids(self.extra.revision) if not self.others else []
        what_then = (f"its children ({', '.join(kids)}) become bases" if kids else "nothing names it")
        rows = [(REMOVE, "remove", f"delete the file with git rm ({what_then})",
                 "suggested: it re-creates tables the main root already creates" if self.redundant else "")]
        rows.append((RELINK, "relink", f"choose the revision it should follow (it stays {self.extra.revision})", ""))
        if self.others:
            rows.append((RENUMBER, "new id", f"keep {self.others[0].name} as {self.extra.revision} and give this "
                         "file the next free id first; relink it after", ""))
        if not self.redundant:
            rows.insert(0, rows.pop(1))  # relinking is the usual answer when the file is not redundant
        for value, verb, text, note in rows:
            self.choices.append(value)
            options.add_option(Option(Content.assemble(
                Content.styled(f"{verb} ", "bold"), text,
                Content.styled(f"\n  {note}", "$success") if note else "")))
        options.highlighted = 0
        options.focus()

    def value_of(self, index: int) -> str:
        return self.choices[index]
