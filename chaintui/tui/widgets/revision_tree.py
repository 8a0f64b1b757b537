"""The revision tree: `git log --graph` lanes drawn line by line, so 5,000 revisions stay instant.

A ScrollView with the Line API: only the visible lines are rendered (`render_line`), from the
pure layout in chaintui.lanes. Long plain runs are folded; Enter or → opens a fold.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from chaintui.graph import RevisionGraph
from chaintui.lanes import CONNECTOR, FOLDED, GAP, PHANTOM, Layout, Row, layout
from chaintui.model import Problem
from chaintui.tui.marks import tags


class RevisionTree(ScrollView, can_focus=True):
    """Every revision of one migration set, bases at the top, heads at the bottom."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("right,l", "fold(True)", "Open fold", show=False),
        Binding("left,h", "fold(False)", "Close fold", show=False),
        Binding("enter", "activate", "Fix / open", show=False),
    ]

    COMPONENT_CLASSES = {
        "revision-tree--cursor",
        "revision-tree--highlight",
        "revision-tree--lane",
        "revision-tree--id",
        "revision-tree--message",
        "revision-tree--missing",
        "revision-tree--fold",
        "revision-tree--error",
        "revision-tree--warning",
        "revision-tree--applied",
        "revision-tree--own",
        "revision-tree--ref",
    }

    DEFAULT_CSS = """
    RevisionTree {
        background: $surface;
        & > .revision-tree--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
        &:blur > .revision-tree--cursor { background: $block-cursor-blurred-background; text-style: none; }
        & > .revision-tree--highlight { background: $warning 30%; }
        & > .revision-tree--lane { color: $secondary; }
        & > .revision-tree--id { color: $text; text-style: bold; }
        & > .revision-tree--message { color: $text-muted; }
        & > .revision-tree--missing { color: $error; text-style: italic; }
        & > .revision-tree--fold { color: $text-muted; text-style: italic; }
        & > .revision-tree--error { color: $text-error; text-style: bold; }
        & > .revision-tree--warning { color: $text-warning; }
        & > .revision-tree--applied { color: $text-success; }
        & > .revision-tree--own { color: $text-accent; text-style: bold; }
        & > .revision-tree--ref { color: $text-disabled; }
    }
    """

    @dataclass
    class Highlighted(Message):
        """The cursor moved onto a revision (or a missing parent)."""

        tree: RevisionTree
        rev: str | None
        missing: bool

        @property
        def control(self) -> RevisionTree:
            return self.tree

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, RevisionTree.Highlighted)

    @dataclass
    class Activated(Message):
        """Enter (or a double click) on a revision: fix its problem."""

        tree: RevisionTree
        rev: str

    cursor: reactive[int] = reactive(0, always_update=True, init=False)
    """Index of the cursor line among the visible rows."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.graph: RevisionGraph | None = None
        self.layout_: Layout = Layout()
        self.rows: list[Row] = []
        self.problems: dict[str, list[Problem]] = {}
        self.applied: frozenset[str] = frozenset()
        self.highlighted: set[str] = set()
        self.own: frozenset[str] | None = None
        """With `--against REF`: this branch's own revisions, highlighted; all others (REF's)
        are dimmed. None: no comparison, every revision drawn alike."""
        self.opened: set[int] = set()
        self._lane_width = 0

    # ------------------------------------------------------------------ data in

    def show(self, graph: RevisionGraph, problems: dict[str, list[Problem]],
             applied: frozenset[str] | set[str] = frozenset()) -> None:
        """Display `graph`; `problems` maps revision ids to the problems marking them;
        `applied` are the revisions the `--db` database has run (marked, never folded away)."""
        current = self.current_rev
        self.graph = graph
        self.problems = problems
        self.applied = frozenset(applied)
        self.layout_ = layout(graph, keep=problems)
        self.opened = set()
        self._lane_width = min(self.layout_.width * 2, 24)
        self._rebuild()
        if current is not None and not self.select(current, post=False):
            self.cursor = min(self.cursor, max(len(self.rows) - 1, 0))
        self._post_highlight()

    def highlight(self, revisions: set[str]) -> None:
        """Mark `revisions` (a selected problem's) and move the cursor to the first of them."""
        self.highlighted = set(revisions)
        for row in self.layout_.rows:
            if row.rev in self.highlighted:
                self.select(row.rev)
                break
        self.refresh()

    def select(self, rev: str, post: bool = True) -> bool:
        """Move the cursor to `rev`, opening the fold that hides it. False if not shown."""
        fold = self.layout_.fold_of(rev)
        if fold is not None and fold not in self.opened:
            self.opened.add(fold)
            self._rebuild()
        for index, row in enumerate(self.rows):
            if row.rev == rev and row.is_node:
                self.cursor = index
                if post:
                    self._post_highlight()
                return True
        return False

    @property
    def current_row(self) -> Row | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    @property
    def current_rev(self) -> str | None:
        row = self.current_row
        return row.rev if row is not None and row.is_node else None

    def _rebuild(self) -> None:
        self.rows = self.layout_.visible(self.opened)
        width = max((self._lane_width + 2 + len(self._text(row)) for row in self.rows), default=0)
        self.virtual_size = Size(width, len(self.rows))
        self.refresh()

    # ------------------------------------------------------------------ drawing

    def _text(self, row: Row) -> str:
        """The words after the lanes (without styles), for width computations."""
        return "".join(text for text, _ in self._words(row))

    def _words(self, row: Row) -> list[tuple[str, str]]:
        """(text, component class) pieces after the lane glyphs."""
        if row.kind == FOLDED:
            return [(f"… {row.folded} revisions ({row.rev})  → open", "revision-tree--fold")]
        if row.kind in (CONNECTOR, GAP) or row.rev is None:
            return []
        if row.kind == PHANTOM:
            named = self.graph.child_ids(row.rev) if self.graph else []
            return [(row.rev, "revision-tree--missing"),
                    (f"  missing: named by {', '.join(named)}", "revision-tree--missing")]
        mine = self.own is not None and row.rev in self.own
        dimmed = self.own is not None and not mine
        words: list[tuple[str, str]] = [
            (row.rev, "revision-tree--own" if mine else "revision-tree--ref" if dimmed else "revision-tree--id")]
        if mine:
            words.append((" [branch]", "revision-tree--own"))
        files = self.graph.by_id.get(row.rev, []) if self.graph else []
        for tag, severity in tags(self.problems.get(row.rev, [])):
            extra = f"×{len(files)}" if tag == "dup" else ""
            words.append((f" [{tag}{extra}]", f"revision-tree--{severity}"))
        if row.rev in self.applied:
            words.append((" [applied]", "revision-tree--applied"))
        if row.back:
            words.append((f" ↻ names {', '.join(row.back)}", "revision-tree--error"))
        if files:
            words.append((f"  {files[0].message}", "revision-tree--ref" if dimmed else "revision-tree--message"))
        return words

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        row = self.rows[index]
        base = self.rich_style
        lane_style = base + self.get_component_rich_style("revision-tree--lane")
        segments = [Segment(" " + row.cells[:self._lane_width].ljust(self._lane_width) + " ", lane_style)]
        for text, component in self._words(row):
            segments.append(Segment(text, base + self.get_component_rich_style(component)))
        strip = Strip(segments).crop_extend(scroll_x, scroll_x + width, base)
        if row.rev is not None and row.rev in self.highlighted:
            strip = strip.apply_style(self.get_component_rich_style("revision-tree--highlight"))
        if index == self.cursor:
            strip = strip.apply_style(self._cursor_style())
        return strip

    def _cursor_style(self) -> Style:
        return self.get_component_rich_style("revision-tree--cursor")

    # ------------------------------------------------------------------ moving

    def watch_cursor(self, old: int, new: int) -> None:
        if self.rows:
            clamped = max(0, min(new, len(self.rows) - 1))
            if clamped != new:
                self.cursor = clamped
                return
        self.scroll_to_region(Region(0, new, 1, 1), animate=False, immediate=True, force=True)
        self.refresh()

    def _post_highlight(self) -> None:
        row = self.current_row
        self.post_message(self.Highlighted(self, row.rev if row and row.is_node else None,
                                           bool(row and row.kind == PHANTOM)))

    def _move_to(self, index: int) -> None:
        if not self.rows:
            return
        index = max(0, min(index, len(self.rows) - 1))
        step = 1 if index >= self.cursor else -1
        # skip connector and gap lines: they are drawing, not revisions
        while 0 <= index < len(self.rows) and self.rows[index].kind in (CONNECTOR, GAP):
            index += step
        index = max(0, min(index, len(self.rows) - 1))
        if index != self.cursor:
            self.cursor = index
            self._post_highlight()

    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move_to(self.cursor + direction * max(self.size.height - 1, 1))

    def action_jump(self, where: int) -> None:
        self._move_to(0 if where == 0 else len(self.rows) - 1)

    def action_fold(self, open_: bool) -> None:
        row = self.current_row
        if row is None:
            return
        if open_ and row.kind == FOLDED:
            self.opened.add(row.fold_index)
            self._rebuild()
            self._post_highlight()
        elif not open_ and row.rev is not None:
            fold = self.layout_.fold_of(row.rev)
            if fold is not None and fold in self.opened:
                self.opened.discard(fold)
                self._rebuild()
                for index, candidate in enumerate(self.rows):
                    if candidate.kind == FOLDED and candidate.fold_index == fold:
                        self.cursor = index
                        break
                self._post_highlight()

    def action_activate(self) -> None:
        row = self.current_row
        if row is None:
            return
        if row.kind == FOLDED:
            self.action_fold(True)
        elif row.rev is not None and row.is_node:
            self.post_message(self.Activated(self, row.rev))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = int(self.scroll_offset.y) + offset.y
        if 0 <= index < len(self.rows):
            self._move_to(index)
            if event.chain >= 2:
                self.action_activate()
