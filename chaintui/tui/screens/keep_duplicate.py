"""Which duplicate keeps the id: candidates side by side, and which one each child meant."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Label, Select, Static

from chaintui.graph import RevisionGraph
from chaintui.model import Migration
from chaintui.suggest import rank_keep, rank_meant
from chaintui.tui.gitfacts import GitFacts, added_by
from chaintui.tui.screens.dialog import Dialog
from chaintui.tui.text import elide_middle


@dataclass(frozen=True)
class KeepChoice:
    """The file that keeps the id, and for each child naming it, the file it meant."""

    keep: str
    children: dict[str, str] = field(default_factory=dict)
    remove: bool = False
    """True: the user chose to remove one of the files instead (asked next)."""


class CandidateCard(Static, can_focus=True):
    """One file sharing the id: what it is and what it does."""

    selected: reactive[bool] = reactive(False)
    """True when this file is the one to keep."""

    def __init__(self, m: Migration, reasons: tuple[str, ...], index: int, width: int = 30) -> None:
        super().__init__(id=f"candidate-{index}", classes="candidate")
        self.width_hint = width
        """Cells a line of the card has: file names longer than that lose their middle."""
        self.migration = m
        self.reasons = reasons
        self.index = index
        self.facts: GitFacts | None | str = "reading…"

    def on_mount(self) -> None:
        self._draw()

    def watch_selected(self, selected: bool) -> None:
        self.set_class(selected, "-selected")
        self._draw()

    def set_facts(self, facts: GitFacts | None) -> None:
        self.facts = facts
        self._draw()

    def _draw(self) -> None:
        m = self.migration
        mark = "◉ keep" if self.selected else "○ renumber"
        ops = "\n".join(f"  {op.kind} {op.table}" for op in m.ops[:6]) or "  (no schema operations)"
        if isinstance(self.facts, str):
            git = self.facts
        elif self.facts is None:
            git = "not committed"
        else:
            git = f"{self.facts.author.split('<')[0].strip()}, {self.facts.date}"
        parents = ", ".join(m.down_revision) or "none (a root)"
        self.update(Content.assemble(
            Content.styled(f"{self.index + 1}. {mark}\n", "bold"),
            Content.styled(elide_middle(m.name, self.width_hint), "bold $text-accent"), "\n",
            Content.styled("created ", "$text-muted"), (m.header.create_date or "?")[:16], "\n",
            Content.styled("git     ", "$text-muted"), git, "\n",
            Content.styled("parent  ", "$text-muted"), parents, "\n",
            Content.styled("does\n", "$text-muted"), ops,
            Content.styled(("\n" + "; ".join(self.reasons)) if self.reasons else "", "$success"),
        ))

    def on_click(self) -> None:
        self.post_message(self.Picked(self.index))

    def on_focus(self) -> None:
        self.post_message(self.Picked(self.index))

    @dataclass
    class Picked(Message):
        index: int


class KeepDuplicateScreen(Dialog[KeepChoice | None]):
    """Returns a KeepChoice, or None."""

    DIALOG_ID = "keep-dialog"
    WIDE = True
    BINDINGS = [
        Binding("left", "pick(-1)", "Previous", show=False),
        Binding("right", "pick(1)", "Next", show=False),
        Binding("enter", "confirm", "Keep selected", id="keep.confirm", tooltip="Keep the selected file"),
        Binding("x", "remove", "Remove one instead", id="keep.remove",
                tooltip="Delete one of the files instead of renumbering it (e.g. a redundant extra root)"),
        Binding("escape", "cancel", "Cancel", id="keep.cancel", tooltip="Close without choosing"),
    ]

    def __init__(self, graph: RevisionGraph, rev: str) -> None:
        super().__init__()
        self.graph = graph
        self.rev = rev
        ranked = rank_keep(graph, rev)
        order = {o.value: i for i, o in enumerate(ranked)}
        self.reasons = {o.value: o.reasons for o in ranked}
        self.files = sorted(graph.by_id.get(rev, []), key=lambda m: order.get(m.rel, 99))
        self.child_files = list(graph.children_of(rev))
        self.selected = 0

    def compose_head(self) -> ComposeResult:
        yield Label(f"{len(self.files)} files declare revision {self.rev}: which keeps it?",
                    classes="dialog-title", markup=False)
        yield Static("←→ or 1-9 pick the file that keeps the id; the others get the next free id "
                     "and their files are renamed to match.", classes="hint")

    def compose_body(self) -> ComposeResult:
        # cards side by side: each gets its share of the line, minus its border and padding
        card = max((self.text_width - 1) // max(len(self.files), 1) - 5, 12)
        half = max(self.text_width // 2 - 2, 12)
        with VerticalScroll(id="keep-body", classes="dialog-body"):
            with Horizontal(id="candidates"):
                for index, m in enumerate(self.files):
                    yield CandidateCard(m, self.reasons.get(m.rel, ()), index, card)
            if self.child_files:
                yield Label(f"Children that name {self.rev}: which file did each mean?", classes="section")
                for child in self.child_files:
                    ranked = rank_meant(self.graph, child, self.rev)
                    with Horizontal(classes="child-row"):
                        yield Label(elide_middle(child.name, half), classes="child-name", markup=False)
                        yield Select([(elide_middle(Path(o.value).name, half - 4), o.value) for o in ranked],
                                     value=ranked[0].value if ranked else Select.NULL,
                                     allow_blank=False, id=f"meant-{self.child_files.index(child)}",
                                     compact=True)

    def compose_buttons(self) -> ComposeResult:
        yield Button("Keep selected (enter)", variant="primary", id="keep", compact=True)
        yield Button("Remove one instead (x)", id="remove", compact=True)
        yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self._select(0)
        self.query_one("#candidate-0").focus()
        self.load_facts()

    @work(thread=True, name="git-facts-duplicates", description="who added each duplicate", exit_on_error=False)
    def load_facts(self) -> None:
        for index, m in enumerate(self.files):
            self.post_message(self.FactsLoaded(index, added_by(self.graph.mset.root, m.rel)))

    @dataclass
    class FactsLoaded(Message):
        index: int
        facts: GitFacts | None

    def on_keep_duplicate_screen_facts_loaded(self, message: FactsLoaded) -> None:
        self.query_one(f"#candidate-{message.index}", CandidateCard).set_facts(message.facts)

    def on_candidate_card_picked(self, message: CandidateCard.Picked) -> None:
        self._select(message.index)

    def _select(self, index: int) -> None:
        self.selected = index
        for card in self.query(CandidateCard):
            card.selected = card.index == index

    def action_pick(self, delta: int) -> None:
        index = (self.selected + delta) % len(self.files)
        self._select(index)
        self.query_one(f"#candidate-{index}").focus()

    def on_key(self, event) -> None:
        if event.character and event.character.isdigit() and not isinstance(self.focused, Select):
            index = int(event.character) - 1
            if 0 <= index < len(self.files):
                event.stop()
                self._select(index)
                self.query_one(f"#candidate-{index}").focus()

    def choice(self) -> KeepChoice:
        keep = self.files[self.selected].rel
        children = {}
        for index, child in enumerate(self.child_files):
            value = self.query_one(f"#meant-{index}", Select).value
            if isinstance(value, str):
                children[child.rel] = value
        return KeepChoice(keep, children)

    def action_confirm(self) -> None:
        self.dismiss(self.choice())

    def action_remove(self) -> None:
        self.dismiss(KeepChoice("", remove=True))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def answer(self, button: str) -> None:
        if button == "keep":
            self.action_confirm()
        elif button == "remove":
            self.action_remove()
        else:
            self.action_cancel()
