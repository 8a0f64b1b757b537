"""The revision tree: `git log --graph` lanes drawn line by line, so 5,000 revisions stay instant.

A ScrollView with the Line API: only the visible lines are rendered (`render_line`), from the
pure layout in chaintui.lanes. Long plain runs are folded; Enter or → opens a fold. How a whole
row stands out (cursor, a selected problem's revisions, search matches) is decided in one place,
`_row_style`, and painted over the row's own colours with a mark in the gutter, so it shows in
every theme and on a 16-colour terminal.
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
from chaintui.lanes import CONNECTOR, FOLDED, GAP, PHANTOM, Layout, Row, abbreviations, layout
from chaintui.model import Problem
from chaintui.tui.widgets.tree_words import row_words

CURSOR_MARK = "▶"
"""Gutter mark of the cursor row while the tree has focus."""
BLURRED_MARK = "▷"
"""Gutter mark of the cursor row while another pane has focus."""
HIGHLIGHT_MARK = "•"
"""Gutter mark of a selected problem's revisions and of search matches."""


def lane_cap(width: int) -> int:
    """How many lanes a tree pane `width` cells wide draws before branches share a column:
    about a quarter of the pane, so the node, the id and some of the message always fit."""
    return max(3, min(6, (width - 20) // 4))


class RevisionTree(ScrollView, can_focus=True):
    """Every revision of one migration set, bases at the top, heads at the bottom."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, tooltip="The revision above"),
        Binding("down,j", "cursor(1)", "Down", show=False, tooltip="The revision below"),
        Binding("pageup", "page(-1)", "Page up", show=False, tooltip="A screenful up"),
        Binding("pagedown", "page(1)", "Page down", show=False, tooltip="A screenful down"),
        Binding("home", "jump(0)", "First", show=False, tooltip="The first row (a base)"),
        Binding("end", "jump(-1)", "Last", show=False, tooltip="The last row (a head)"),
        Binding("right,l", "fold(True)", "Open fold", show=False, tooltip="Show the revisions a ┊ row hides"),
        Binding("left,h", "fold(False)", "Close fold", show=False, tooltip="Fold the run this revision is in again"),
        Binding("enter", "activate", "Fix / open", show=False,
                tooltip="Fix the revision's problem, or open a fold"),
    ]

    COMPONENT_CLASSES = {
        "revision-tree--cursor",
        "revision-tree--cursor-blurred",
        "revision-tree--highlight",
        "revision-tree--gutter",
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
        & > .revision-tree--cursor-blurred { background: $block-cursor-blurred-background; text-style: bold; }
        & > .revision-tree--highlight { background: $warning 25%; }
        & > .revision-tree--gutter { color: $accent; text-style: bold; }
        & > .revision-tree--lane { color: $secondary; }
        & > .revision-tree--id { color: $text; text-style: bold; }
        & > .revision-tree--message { color: $text-muted; }
        & > .revision-tree--missing { color: $error; text-style: italic; }
        & > .revision-tree--fold { color: $text-muted; text-style: italic; }
        & > .revision-tree--error { color: $error; text-style: bold; }
        & > .revision-tree--warning { color: $text-warning; }
        & > .revision-tree--applied { color: $success; }
        & > .revision-tree--own { color: $accent; text-style: bold; }
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
        """Revisions marked in the gutter: the selected problem's, or the search's matches."""
        self.own: frozenset[str] | None = None
        """With `--against REF`: this branch's own revisions, highlighted; all others (REF's)
        are dimmed. None: no comparison, every revision drawn alike."""
        self.opened: set[int] = set()
        self.short: dict[str, str] = {}
        """Revision id -> the id as shown (hex ids abbreviated, long ids cut with `…`)."""
        self.cap = 0
        self._haystack: list[tuple[str, str]] = []

    # ------------------------------------------------------------------ data in

    def show(self, graph: RevisionGraph, problems: dict[str, list[Problem]],
             applied: frozenset[str] | set[str] = frozenset()) -> None:
        """Display `graph`; `problems` maps revision ids to the problems marking them;
        `applied` are the revisions the `--db` database has run (marked, never folded away)."""
        self.graph = graph
        self.problems = problems
        self.applied = frozenset(applied)
        self.short = abbreviations([*graph.by_id, *graph.children])
        self._haystack = [
            (rev, "\n".join([rev, *(f"{m.message}\n{m.name}" for m in files)]).lower())
            for rev, files in graph.by_id.items()
        ]
        self._relayout(self.cap or lane_cap(self.size.width or self.app.size.width // 2))

    def _relayout(self, cap: int) -> None:
        current = self.current_rev
        self.cap = cap
        if self.graph is not None:
            self.layout_ = layout(self.graph, keep=self.problems, max_lanes=cap)
        self.opened = set()
        self._rebuild()
        if current is not None and not self.select(current, post=False):
            self.cursor = min(self.cursor, max(len(self.rows) - 1, 0))
        self._post_highlight()

    def on_resize(self, event: events.Resize) -> None:
        cap = lane_cap(event.size.width)
        if self.graph is not None and cap != self.cap:
            self._relayout(cap)

    def highlight(self, revisions: set[str], first: str | None = None) -> None:
        """Mark `revisions` (a selected problem's) and move the cursor to `first` (by default
        the first of them in the tree's order)."""
        self.highlighted = set(revisions)
        target = first if first in self.highlighted else None
        if target is None:
            target = next((row.rev for row in self.layout_.rows if row.rev in self.highlighted), None)
        if target is not None:
            self.select(target)
        self.refresh()

    def select(self, rev: str, post: bool = True) -> bool:
        """Move the cursor to `rev`, opening the fold that hides it. False if not shown."""
        fold = self.layout_.fold_of(rev)
        if fold is not None and fold not in self.opened:
            self.opened.add(fold)
            self._rebuild()
        for index, row in enumerate(self.rows):
            if row.rev == rev and row.is_node:
                height = self.scrollable_content_region.height
                top = int(self.scroll_offset.y)
                if height and not top <= index < top + height:
                    # a jump (search, next problem): the row lands mid-pane, with context around it
                    self.scroll_to(y=max(index - height // 2, 0), animate=False, immediate=True)
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
        width = max((len(row.cells) + 2 + len(self._text(row)) for row in self.rows), default=0)
        self.virtual_size = Size(width, len(self.rows))
        self.refresh()

    # ------------------------------------------------------------------ finding

    def matches(self, query: str) -> list[str]:
        """Revisions whose id, message or file name contains `query` (any case), in tree order."""
        needle = query.strip().lower()
        if not needle:
            return []
        found = {rev for rev, text in self._haystack if needle in text}
        return [row.rev for row in self.layout_.rows if row.kind != PHANTOM and row.rev in found]

    def following(self, revisions: list[str] | set[str], direction: int = 1, *,
                  start: str | None = None, inclusive: bool = False) -> str | None:
        """The first of `revisions` after (direction 1) or before (-1) `start` (default: the
        cursor) in the tree's order, wrapping around; None when there is none."""
        wanted = set(revisions)
        order = [row.rev for row in self.layout_.rows if row.is_node]
        if not wanted or not order:
            return None
        start = start if start is not None else self.current_rev
        here = order.index(start) if start in order else (-1 if direction > 0 else len(order))
        count = len(order)
        first = 0 if inclusive else 1
        for step in range(first, count + 1):
            rev = order[(here + direction * step) % count]
            if rev in wanted:
                return rev
        return None

    # ------------------------------------------------------------------ drawing

    def _text(self, row: Row) -> str:
        """The words after the lanes (without styles), for width computations."""
        return "".join(text for text, _ in self._words(row))

    def _words(self, row: Row) -> list[tuple[str, str]]:
        """(text, component class) pieces after the lane glyphs."""
        return row_words(row, self.graph, self.problems, self.applied, self.short, self.own)

    def _row_style(self, index: int, row: Row) -> tuple[str, Style | None]:
        """How a whole row stands out: (gutter mark, style painted over the row), or (" ", None).

        The one place for it: the cursor (focused or not), then the revisions of the selected
        problem or search. A new kind of marked row belongs here too.
        """
        if index == self.cursor and row.kind not in (CONNECTOR, GAP):
            if self.has_focus:
                return CURSOR_MARK, self.get_component_rich_style("revision-tree--cursor")
            style = self.get_component_rich_style("revision-tree--cursor-blurred")
            if style.bgcolor is None or style.bgcolor.is_default:
                style += Style(underline=True)  # ANSI themes leave it no colour of its own
            return BLURRED_MARK, style
        if row.rev is not None and row.rev in self.highlighted:
            return HIGHLIGHT_MARK, self.get_component_rich_style("revision-tree--highlight")
        return " ", None

    def _lane_width(self, top: int) -> int:
        """Lane columns of the rows in view: the ids line up, and a linear stretch in view
        gets no blank columns for branches elsewhere in the history."""
        rows = self.rows[top:top + max(self.size.height, 1)]
        return max((len(row.cells) for row in rows), default=0)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        # the scrollbar takes the last column: cut before it, so the `…` shows
        width = self.scrollable_content_region.width or self.size.width
        base = self.rich_style
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        mark, over = self._row_style(index, row)
        lanes = self._lane_width(scroll_y)
        segments = [
            Segment(mark, base + self.get_component_rich_style("revision-tree--gutter")),
            Segment(row.cells.ljust(lanes) + " ", base + self.get_component_rich_style("revision-tree--lane")),
        ]
        for text, component in self._words(row):
            segments.append(Segment(text, base + self.get_component_rich_style(component)))
        strip = Strip(segments)
        if strip.cell_length - scroll_x > width > 1:
            # cut at the border with a visible ellipsis, never mid-glyph into the frame
            strip = strip.crop(scroll_x, scroll_x + width - 1)
            strip = Strip([*strip, Segment("…", base + self.get_component_rich_style("revision-tree--message"))])
        else:
            strip = strip.crop_extend(scroll_x, scroll_x + width, base)
        if over is not None:
            strip = Strip([Segment(text, (style + over) if style else over, control)
                           for text, style, control in strip])
        return strip

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

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
