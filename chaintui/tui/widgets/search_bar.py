"""The `/` search bar: incremental search over revision ids, messages and file names."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label


class SearchBar(Horizontal):
    """Shown by `/`: every keystroke moves the tree to the first match; ↓/↑ step through the
    matches; Enter keeps the place, Esc goes back to where the search started."""

    DEFAULT_CSS = """
    SearchBar { height: 1; display: none; background: $panel; }
    SearchBar.-open { display: block; }
    SearchBar > Label { width: auto; padding: 0 1; color: $text-accent; text-style: bold; }
    SearchBar > Input { width: 1fr; }
    SearchBar > #search-count { width: auto; padding: 0 1; color: $text-muted; }
    """

    BINDINGS = [
        Binding("down,ctrl+n,tab", "step(1)", "Next match", show=False),
        Binding("up,ctrl+p,shift+tab", "step(-1)", "Previous match", show=False),
        Binding("escape", "close(False)", "Cancel search", show=False),
    ]

    @dataclass
    class Changed(Message):
        """The query changed (empty: nothing to look for)."""

        query: str

    @dataclass
    class Step(Message):
        """Go to the next (1) or previous (-1) match."""

        direction: int

    @dataclass
    class Closed(Message):
        """The search ended: `keep` the place it found (Enter) or go back (Esc)."""

        keep: bool

    def compose(self) -> ComposeResult:
        yield Label("/")
        yield Input(placeholder="id, message or file name", id="search-input", compact=True)
        yield Label("", id="search-count")

    def open(self) -> None:
        self.add_class("-open")
        field = self.query_one(Input)
        field.value = ""
        self.set_count(0, 0)
        field.focus()

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def set_count(self, index: int, total: int, query: str = "") -> None:
        """`index` of `total` matches (0 of 0: none yet)."""
        label = self.query_one("#search-count", Label)
        if not query:
            label.update("↓↑ next · enter keep · esc back")
        elif total:
            label.update(f"{index} of {total} · ↓↑ · enter · esc")
        else:
            label.update("no match · esc back")

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(event.value))

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_close(True)

    def action_step(self, direction: int) -> None:
        self.post_message(self.Step(direction))

    def action_close(self, keep: bool) -> None:
        self.remove_class("-open")
        self.post_message(self.Closed(keep))
