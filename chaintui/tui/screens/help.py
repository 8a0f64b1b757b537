"""Help generated from the bindings themselves: every key, what it does, and why it may be dimmed."""

from __future__ import annotations

from dataclasses import dataclass

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
    """Every binding active on `screen` (focused widget, screen, app), de-duplicated by action."""
    seen: set[str] = set()
    result = []
    for key, active in screen.active_bindings.items():
        binding: Binding = active.binding
        if not binding.description or binding.action in seen:
            continue
        seen.add(binding.action)
        keys = [screen.app.get_key_display(Binding(k, "")) for k in
                [b.key for b in _same_action(screen, binding)] or [key]]
        result.append(HelpEntry(" ".join(dict.fromkeys(keys)), binding.description,
                                binding.tooltip, active.enabled))
    return result


def _same_action(screen, binding: Binding) -> list[Binding]:
    return [a.binding for a in screen.active_bindings.values() if a.binding.action == binding.action]


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
