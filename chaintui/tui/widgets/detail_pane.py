"""The detail pane: the selected revision's facts, git history and highlighted source."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.highlight import highlight
from textual.widgets import Static

from chaintui.graph import RevisionGraph
from chaintui.model import Migration, Problem
from chaintui.tui.gitfacts import GitFacts
from chaintui.tui.text import elide_middle

MAX_SOURCE = 200_000


class DetailPane(VerticalScroll):
    """Facts on top, then the source of the revision's file (each file of a duplicate)."""

    DEFAULT_CSS = """
    DetailPane { height: 1fr; }
    DetailPane > #facts { padding: 0 1; }
    DetailPane > #source { padding: 0 1; margin-top: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="facts")
        yield Static(id="source")

    def on_resize(self) -> None:
        if self._shown is not None:
            self._facts(*self._shown)

    @property
    def _width(self) -> int:
        """Cells a line of facts has (the pane minus its scrollbar and padding)."""
        return max((self.scrollable_content_region.width or 40) - 2, 10)

    def show(self, graph: RevisionGraph | None, rev: str | None, problems: list[Problem],
             facts: dict[str, GitFacts | None]) -> None:
        """Describe `rev` of `graph`; `facts` maps file paths to what git knows (absent: loading)."""
        self._shown = (graph, rev, problems, facts)
        self._facts(graph, rev, problems, facts)
        files = graph.by_id.get(rev, []) if graph is not None and rev is not None else []
        self.query_one("#source", Static).update(self._source(files))
        self.scroll_home(animate=False)

    def _facts(self, graph: RevisionGraph | None, rev: str | None, problems: list[Problem],
               facts: dict[str, GitFacts | None]) -> None:
        facts_widget = self.query_one("#facts", Static)
        if graph is None or rev is None:
            facts_widget.update(Content.styled("Select a revision.", "$text-muted"))
            return
        files = graph.by_id.get(rev, [])
        lines: list[Content] = []
        if not files:
            named = ", ".join(graph.child_ids(rev))
            lines.append(Content.styled(f"{rev}: no file declares this revision", "bold $error"))
            lines.append(Content(f"named as a parent by {named}"))
        else:
            lines.append(Content.assemble(Content.styled(rev, "bold"), Content.styled(
                f"  ({len(files)} files declare it)" if len(files) > 1 else "", "$error")))
            parents = graph.parent_ids(rev)
            children = graph.child_ids(rev)
            lines.append(self._field("parents", ", ".join(
                p if p in graph.by_id else f"{p} (missing)" for p in parents) or "none (a base)"))
            lines.append(self._field("children", ", ".join(children) or "none (a head)"))
            for m in files:
                lines.extend(self._file_lines(m, facts))
        for problem in problems:
            style = "$error" if problem.is_error else "$text-warning"
            lines.append(Content.styled(f"{problem.severity}: {problem.message}", style))
        facts_widget.update(Content("\n").join(lines))

    @staticmethod
    def _field(name: str, value: str) -> Content:
        return Content.assemble(Content.styled(f"{name}: ", "$text-muted"), value)

    def _file_lines(self, m: Migration, facts: dict[str, GitFacts | None]) -> list[Content]:
        # a path is never broken inside a name: the name on its own line, then its folder
        width = self._width
        folder = (m.rel[: -len(m.name)].rstrip("/") or ".") + "/"
        lines = []
        for label, value in (("file", m.name), ("in", folder)):
            if len(label) + 2 + len(value) <= width:
                lines.append(self._field(label, value))
            else:  # the value alone on the next line, whole when it fits there
                lines.append(Content.styled(f"{label}:", "$text-muted"))
                lines.append(Content(elide_middle(value, width)))
        if m.header.message:
            lines.append(self._field("message", m.header.message))
        if m.header.create_date:
            lines.append(self._field("created", m.header.create_date))
        if m.header.revises is not None:
            lines.append(self._field("header Revises", ", ".join(m.header.revises) or "(empty)"))
        if m.rel in facts:
            found = facts[m.rel]
            lines.append(self._field("git", found.describe() if found else "not committed"))
        else:
            lines.append(self._field("git", "reading…"))
        if m.ops:
            ops = ", ".join(f"{op.kind} {op.table}" for op in m.ops[:6])
            more = f" (+{len(m.ops) - 6})" if len(m.ops) > 6 else ""
            lines.append(self._field("does", ops + more))
        if m.error:
            lines.append(Content.styled(f"cannot parse: {m.error}", "$error"))
        return lines

    @staticmethod
    def _source(files: list[Migration]) -> Content:
        parts = []
        for m in files:
            try:
                text = Path(m.path).read_text(encoding="utf-8", errors="replace")[:MAX_SOURCE]
            except OSError as exc:
                text = f"# cannot read {m.rel}: {exc.strerror}"
            parts.append(Content.styled(f"── {m.name}", "bold $text-accent"))
            parts.append(highlight(text, language="python"))
        return Content("\n").join(parts) if parts else Content("")
