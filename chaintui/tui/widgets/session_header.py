"""The header line: where the session works (project, git branch, HEAD), what it has done this
session, and how many errors are left."""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from chaintui.tui.text import ELLIPSIS


def home_relative(path: Path) -> str:
    """`/home/ana/src/app` -> `~/src/app` (what a person typed to get there)."""
    try:
        return "~/" + path.resolve().relative_to(Path.home().resolve()).as_posix()
    except (ValueError, RuntimeError, OSError):
        return str(path)


def elide_left(text: str, width: int) -> str:
    """`~/src/team/app` -> `…/team/app`: the end of a directory path is what tells it apart."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:max(width, 0)]
    return ELLIPSIS + text[-(width - 1):]


class SessionHeader(Widget):
    """One line: `~/src/app  main @ 1a2b3c4d · 2 commits this session ····· 3 errors left`."""

    DEFAULT_CSS = """
    SessionHeader { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    path: reactive[str] = reactive("")
    """The project root, relative to the home directory when under it."""
    branch: reactive[str] = reactive("")
    """The checked-out branch ("" until read; "detached HEAD" when there is none)."""
    head: reactive[str] = reactive("")
    """HEAD's short sha ("" until read, or outside git)."""
    in_git: reactive[bool] = reactive(True)
    """False once known that the project is in no git repository (fixes will be refused)."""
    commits: reactive[int] = reactive(0)
    """Commits chaintui made in this session (fixes and undos)."""
    errors: reactive[int] = reactive(-1)
    """Errors left in the migration set shown (-1: not counted yet)."""
    warnings: reactive[int] = reactive(0)

    def render(self) -> Content:
        where = ""
        if self.branch or self.head:
            where = f"{self.branch or '?'} @ {self.head}" if self.head else self.branch
        done = f"{self.commits} commit{'s' if self.commits != 1 else ''} this session"
        if not self.in_git:
            where, done = "", "not in a git repository: fixes need one"
        if self.errors < 0:
            status, style = "", ""
        elif self.errors:
            status, style = f"{self.errors} error{'s' if self.errors != 1 else ''} left", "bold $error"
        else:
            status = "✔ no errors left" + (f" · {self.warnings} warning{'s' if self.warnings != 1 else ''}"
                                            if self.warnings else "")
            style = "bold $success"
        width = self.content_size.width or 80
        fixed = cell_len(where) + cell_len(done) + cell_len(status) + 8
        room = width - fixed
        if room < 8 and where:  # a narrow terminal: the branch goes before the path does
            fixed -= cell_len(where) + 2
            where = ""
            room = width - fixed
        path = elide_left(self.path, max(room, 8))
        left = Content.assemble(
            Content.styled(path, "bold"),
            Content.styled(f"  {where}", "$text-accent") if where else "",
            Content.styled(f" · {done}", "$text-muted"),
        )
        gap = max(width - left.cell_length - cell_len(status), 1)
        return Content.assemble(left, " " * gap, Content.styled(status, style) if status else "")
