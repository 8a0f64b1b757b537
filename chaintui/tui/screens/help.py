"""Help generated from the bindings themselves: every key, what it does and why it may be dimmed,
then the legend of every symbol and tag the tree and the problems panel draw."""

from __future__ import annotations

from dataclasses import dataclass

from textual.actions import parse as parse_action
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, DataTable, Label, Static

from chaintui.tui.marks import SYMBOLS, TAG_MEANINGS
from chaintui.tui.screens.dialog import Dialog
from chaintui.tui.text import ellipsize

NOISE = frozenset({"scroll_left", "scroll_right", "page_left", "page_right", "copy_text"})
"""Textual's own bindings that do nothing useful in chaintui's panes (no horizontal scrolling)."""
KEY_WIDTH = 12
ACTION_WIDTH = 18


@dataclass(frozen=True)
class HelpEntry:
    key: str
    description: str
    tooltip: str
    enabled: bool = True


def entries_from(screen) -> list[HelpEntry]:
    """Every binding of the focused widget, its ancestors, the screen and the app, by action.

    Read from the bindings themselves (not from what the footer shows), so actions that do not
    apply right now are listed too, marked as such.
    """
    nodes = [screen]  # the screen's actions first: they are what the user came for
    node = screen.focused
    while node is not None and node is not screen:
        nodes.append(node)
        node = node.parent
    nodes.append(screen.app)
    by_action: dict[tuple, list[str]] = {}
    entries: dict[tuple, HelpEntry] = {}
    for node in nodes:
        for key, bindings in node._bindings.key_to_bindings.items():
            for binding in bindings:
                if not binding.description or binding.action in NOISE:
                    continue
                ident = (id(node), binding.action)
                by_action.setdefault(ident, []).append(screen.app.get_key_display(binding))
                if ident not in entries:
                    _, action, params = parse_action(binding.action)
                    enabled = node.check_action(action, params) is True
                    entries[ident] = HelpEntry("", binding.description, binding.tooltip, enabled)
    result = []
    seen: set[str] = set()
    for ident, entry in entries.items():
        if entry.description in seen:
            continue
        seen.add(entry.description)
        keys = " ".join(dict.fromkeys(by_action[ident]))
        result.append(HelpEntry(keys, entry.description, entry.tooltip, entry.enabled))
    return result


def legend() -> list[tuple[str, str]]:
    """(symbol or tag, meaning) for everything the screens draw."""
    return [*SYMBOLS, *((f"[{tag}]", meaning) for tag, meaning in TAG_MEANINGS.items())]


class HelpScreen(Dialog[None]):
    """A table of the bindings of the screen it was opened from, then the legend. Each row is
    one line (long texts end in `…`); the highlighted row's full text shows above the table."""

    DIALOG_ID = "help-dialog"
    WIDE = True
    BINDINGS = [Binding("escape,question_mark,f1,q", "dismiss", "Close", id="help.close", tooltip="Close help")]

    def __init__(self, entries: list[HelpEntry]) -> None:
        super().__init__()
        self.entries = entries
        self.full: list[str] = []
        """The full text of each table row (what `…` cut)."""
        self.texts: list[str] = []
        """The whole "what it does" of each table row."""

    def compose_head(self) -> ComposeResult:
        yield Label("Keys and symbols", classes="dialog-title")
        yield Static("Every action is also in the command palette (ctrl+p). The mouse works too: "
                     "click a revision or a problem, double-click to fix.", classes="hint", id="help-hint")
        yield Static("", id="help-full", classes="hint", markup=False)

    def compose_body(self) -> ComposeResult:
        table = DataTable(id="help-table", cursor_type="row", zebra_stripes=True, classes="dialog-body")
        what = max(self.text_width - KEY_WIDTH - ACTION_WIDTH - 6, 12)
        table.add_column("key", width=KEY_WIDTH)
        table.add_column("action", width=ACTION_WIDTH)
        table.add_column("what it does", width=what)
        for entry in self.entries:
            action = entry.description + ("" if entry.enabled else " (n/a now)")
            self._row(table, entry.key, action, entry.tooltip, what)
        self._row(table, "", "", "", what)
        for symbol, meaning in legend():
            self._row(table, symbol, "(symbol)" if not symbol.startswith("[") else "(tag)", meaning, what)
        yield table

    def _row(self, table: DataTable, key: str, action: str, text: str, width: int) -> None:
        self.full.append(f"{key}  {action}: {text}" if text else "")
        self.texts.append(text)
        table.add_row(ellipsize(key, KEY_WIDTH), ellipsize(action, ACTION_WIDTH), ellipsize(text, width))

    def compose_buttons(self) -> ComposeResult:
        yield Button("Close (esc)", id="close", compact=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        text = self.full[event.cursor_row] if 0 <= event.cursor_row < len(self.full) else ""
        cut = any(str(cell).endswith("…") for cell in event.data_table.get_row_at(event.cursor_row))
        self.query_one("#help-full", Static).update(text if cut else "")
        self.query_one("#help-full", Static).display = cut

    def answer(self, button: str) -> None:
        self.dismiss(None)
