"""The chaintui application: builds the Session, pushes the main screen, owns quit and help."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from chaintui.analysis import Analysis
from chaintui.tui.commands import ChaintuiCommands
from chaintui.tui.screens.help import HelpScreen, entries_from
from chaintui.tui.screens.main import MainScreen
from chaintui.tui.session import Session
from chaintui.tui.widgets.session_header import home_relative


class ChaintuiApp(App[int]):
    """Repair an Alembic migration chain, one reviewed commit per decision."""

    CSS_PATH = "app.tcss"
    TITLE = "chaintui"
    COMMANDS = App.COMMANDS | {ChaintuiCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Leave chaintui (every fix is already committed)"),
        Binding("question_mark,f1", "help", "Help", id="help", tooltip="Every key and what it does"),
    ]

    def __init__(self, analysis: Analysis, *, db: str | None = None,
                 own: frozenset[str] | None = None) -> None:
        super().__init__()
        self.session = Session(analysis, db=db)
        self.session.own = own

    def on_mount(self) -> None:
        self.title = f"chaintui — {home_relative(self.session.root)}"
        self.push_screen(MainScreen(self.session))

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(entries_from(self.screen)))

    def action_quit(self) -> None:
        self.exit(0)


def run_app(analysis: Analysis, db: str | None = None, own: frozenset[str] | None = None) -> int:
    """Run the interactive session on `analysis`; returns the process exit code. `own`: the
    revisions this branch added over `--against REF` (highlighted; the others dimmed)."""
    result = ChaintuiApp(analysis, db=db, own=own).run()
    return int(result or 0)
