"""Help generated from the bindings themselves: every key, what it does, and why it may be dimmed."""

from __future__ import annotations

from dataclasses import dataclass

from textual.actions import parse as parse_action
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static


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
    nodes = []
    node = screen.focused
    while node is not None and node is not screen:
        nodes.append(node)
        node = node.parent
    nodes += [screen, screen.app]
    by_action: dict[tuple, list[str]] = {}
    entries: dict[tuple, HelpEntry] = {}
    for node in nodes:
        for key, bindings in node._bindings.key_to_bindings.items():
            for binding in bindings:
                if not binding.description:
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


class HelpScreen(ModalScreen[None]):
    """A table of the bindings of the screen it was opened from."""

    BINDINGS = [Binding("escape,question_mark,f1,q", "dismiss", "Close", id="help.close", tooltip="Close help")]

    def __init__(self, entries: list[HelpEntry]) -> None:
        super().__init__()
        self.entries = entries

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="help-dialog"):
            yield Label("Keys", classes="dialog-title")
            table = DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            table.add_columns("key", "action", "what it does")
            for entry in self.entries:
                table.add_row(entry.key, entry.description + ("" if entry.enabled else " (n/a now)"),
                              entry.tooltip)
            yield table
            yield Static("Every action is also in the command palette (ctrl+p). The mouse works too: "
                         "click a revision or a problem, double-click to fix.", classes="hint")
