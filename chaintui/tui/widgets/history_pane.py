"""The history pane: this session's commits, newest first, with what undo would revert."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class HistoryPane(OptionList):
    """Hash and subject of every commit this session made (fixes and undos)."""

    DEFAULT_CSS = """
    HistoryPane { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list = []

    def show(self, entries: list) -> None:
        """`entries` oldest first (gitops.CommitInfo); shown newest first."""
        self.entries = list(entries)
        self.clear_options()
        if not self.entries:
            self.add_option(Option(Content.styled("No commits yet in this session.", "$text-muted"),
                                   disabled=True))
            return
        for entry in reversed(self.entries):
            style = "$text-muted" if entry.kind == "undo" else ""
            self.add_option(Option(Content.assemble(
                Content.styled(entry.short, "bold $text-accent"), " ",
                Content.styled(entry.subject, style)), id=entry.sha))
        self.highlighted = 0
