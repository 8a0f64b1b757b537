"""Lay a revision graph out as `git log --graph` lanes: one row per revision, bases first.

Pure (no Textual import): the TUI's tree pane draws these rows and the tests check their shape.

Every revision is one row whatever the depth, so a linear history of 500 revisions is 500 rows
in one lane, not 500 levels of nesting. Rows come in parent order (see `walk`): a chain is
followed to its end before another starts, as `git log --graph --topo-order` does, whatever the
ids look like. A parent with several children opens lanes on a connector row (`├─╮`); the child
that carries the longest history keeps the parent's lane, so the main line stays in lane 0. A
revision with several parents closes lanes on its own row (`●─╯`). Past `max_lanes` the extra
branches share the last column (`┆`); their nodes are still drawn there. A parent that no file
declares gets a phantom row (`◌`) just above the revisions naming it; a loop is cut where it is
entered and reported as a back edge on that row only. Long runs of plain revisions fold into one
row that can be opened.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from chaintui.graph import RevisionGraph
from chaintui.lane_order import walk

NODE = "●"
MISSING = "◌"
FOLD = "┊"
OVERFLOW = "┆"
#: Runs of at least this many plain rows fold (the first and last EDGE rows stay visible).
FOLD_MIN = 12
EDGE = 2
#: Lanes drawn before further branches share the last column.
MAX_LANES = 6

_HEX = re.compile(r"^[0-9a-f]{8,40}$")

REV = "rev"
PHANTOM = "missing"
CONNECTOR = "connector"
FOLDED = "fold"
GAP = "gap"


@dataclass(frozen=True)
class Row:
    """One line of the lane drawing."""

    kind: str
    """`rev` (a declared revision), `missing` (a phantom for an undeclared parent),
    `connector` (lanes opening after a branch point), `gap` (a blank line between a chain that
    ends and an unrelated one starting in the same lane) or `fold` (a folded run)."""
    rev: str | None
    """The revision id (None for connectors)."""
    col: int
    """The column the node is drawn in (at most `max_lanes - 1`)."""
    cells: str
    """The lane glyphs, two characters per lane (`│ ● ─╯`)."""
    back: tuple[str, ...] = ()
    """Parents that come later in the order: the edge where a loop was cut."""
    folded: int = 0
    """For a fold row: how many revisions it hides."""
    fold_index: int = -1
    """For a fold row, and for every row it hides: which fold it belongs to."""
    lane: int = -1
    """The lane the node really sits in (beyond `col` when branches share the last column)."""

    @property
    def is_node(self) -> bool:
        return self.kind in (REV, PHANTOM)


@dataclass
class Layout:
    """All rows of a graph and the folds over them."""

    rows: list[Row] = field(default_factory=list)
    folds: list[tuple[int, int]] = field(default_factory=list)
    """(first, last) row indices, inclusive, of each foldable run."""
    width: int = 0
    """Columns of lanes drawn at the widest point (at most `max_lanes`)."""
    lanes: int = 0
    """Lanes used at the widest point, before capping."""

    def visible(self, opened: Iterable[int] = ()) -> list[Row]:
        """The rows to draw: each fold not in `opened` is replaced by one fold row."""
        opened = set(opened)
        result: list[Row] = []
        starts = {first: (index, last) for index, (first, last) in enumerate(self.folds)}
        i = 0
        rows = self.rows
        while i < len(rows):
            fold = starts.get(i)
            if fold is not None and fold[0] not in opened:
                index, last = fold
                sample = rows[i]
                cells = sample.cells[:2 * sample.col] + FOLD + sample.cells[2 * sample.col + 1:]
                result.append(Row(FOLDED, f"{rows[i].rev} … {rows[last].rev}", sample.col, cells,
                                  folded=last - i + 1, fold_index=index))
                i = last + 1
                continue
            result.append(rows[i])
            i += 1
        return result

    def fold_of(self, rev: str) -> int | None:
        """The fold hiding `rev`, if any."""
        for index, (first, last) in enumerate(self.folds):
            for row in self.rows[first:last + 1]:
                if row.rev == rev:
                    return index
        return None


def sequence(graph: RevisionGraph) -> list[tuple[str, str]]:
    """(kind, id) for every row node, in parent order (see `walk`)."""
    return walk(graph)[0]


def layout(graph: RevisionGraph, *, keep: Iterable[str] = (), fold_min: int = FOLD_MIN,
           max_lanes: int = MAX_LANES) -> Layout:
    """Lay `graph` out in lanes; revisions in `keep` (e.g. those with problems) never fold."""
    nodes, back_edges, height = walk(graph)
    cap = max(2, max_lanes)
    pos = {rev: i for i, (_, rev) in enumerate(nodes)}
    lanes: list[str | None] = []
    rows: list[Row] = []
    plain: list[bool] = []
    width = 0
    for kind, node in nodes:
        cols = [i for i, target in enumerate(lanes) if target == node]
        col = cols[0] if cols else _free(lanes, 0)
        merged = cols[1:]
        for c in cols:
            lanes[c] = None
        back = back_edges.get(node, ())
        right = max(merged) if merged else col
        glyphs = []
        for i in range(max(len(lanes), col + 1)):
            if i == col:
                glyph = NODE if kind == REV else MISSING
            elif i in merged:
                glyph = "┴" if i < right else "╯"
            elif col < i < right:
                glyph = "┼" if lanes[i] else "─"
            else:
                glyph = "│" if lanes[i] else " "
            glyphs.append(glyph)
        if not cols and rows and rows[-1].is_node and rows[-1].lane == col:
            # A chain starts where another just ended: a blank row so they don't read as one.
            rows.append(Row(GAP, None, min(col, cap - 1), ""))
            plain.append(False)
        row = Row(kind, node, min(col, cap - 1), _draw(glyphs, col, right, cap), back=back, lane=col)
        kids = [k for k in graph.child_ids(node) if pos.get(k, -1) > pos[node]]
        opened: list[int] = []
        if kids:
            # the child carrying the longest history keeps this lane; the others open new ones
            main = max(kids, key=lambda k: (height(k), -pos[k])) if len(kids) > 1 else kids[0]
            lanes[col] = main
            for kid in sorted((k for k in kids if k != main), key=pos.__getitem__):
                c = _free(lanes, col + 1)
                lanes[c] = kid
                opened.append(c)
        rows.append(row)
        plain.append(kind == REV and not merged and not opened and not back and len(kids) == 1)
        if opened:
            far = max(opened)
            glyphs = []
            for i in range(len(lanes)):
                if i == col:
                    glyph = "├"
                elif i in opened:
                    glyph = "┬" if i < far else "╮"
                elif col < i < far:
                    glyph = "┼" if lanes[i] else "─"
                else:
                    glyph = "│" if lanes[i] else " "
                glyphs.append(glyph)
            rows.append(Row(CONNECTOR, None, min(col, cap - 1), _draw(glyphs, col, far, cap), lane=col))
            plain.append(False)
        while lanes and lanes[-1] is None:
            lanes.pop()
        width = max(width, len(lanes), col + 1)
    result = Layout(rows, [], min(width, cap), width)
    result.folds = _folds(rows, plain, set(keep), fold_min)
    return result


#: Which glyph wins when several lanes share the last column.
_PRIORITY = (NODE, MISSING, "├", "╯", "┴", "╮", "┬", "┼", "│", "─", " ")


def _draw(glyphs: list[str], col: int, right: int, cap: int) -> str:
    """Two characters per lane; lanes from `cap - 1` on share one column."""
    if len(glyphs) > cap:
        shared = glyphs[cap - 1:]
        best = min(shared, key=_PRIORITY.index)
        lines = sum(1 for g in shared if g != " ")
        if best in ("┴", "╯"):
            best = "╯"
        elif best in ("┬", "╮"):
            best = "╮"
        elif best in ("│", "┼") and lines > 1:
            best = OVERFLOW
        elif best == "┼":
            best = "│"
        glyphs = [*glyphs[:cap - 1], best]
    cells = []
    for i, glyph in enumerate(glyphs):
        joined = col <= i < right and i < len(glyphs) - 1
        cells.append(glyph + ("─" if joined else " "))
    return "".join(cells).rstrip()


def _free(lanes: list[str | None], start: int) -> int:
    for i in range(start, len(lanes)):
        if lanes[i] is None:
            return i
    lanes.append(None)
    return len(lanes) - 1


def _folds(rows: Sequence[Row], plain: Sequence[bool], keep: set[str], fold_min: int) -> list[tuple[int, int]]:
    """Runs of plain rows with the same lane picture, minus EDGE rows at each end."""
    folds = []
    i = 0
    while i < len(rows):
        if not plain[i] or rows[i].rev in keep:
            i += 1
            continue
        j = i
        while j + 1 < len(rows) and plain[j + 1] and rows[j + 1].rev not in keep \
                and rows[j + 1].cells == rows[i].cells:
            j += 1
        if j - i + 1 >= fold_min:
            folds.append((i + EDGE, j - EDGE))
        i = j + 1
    return folds


def abbreviations(ids: Iterable[str], *, hex_min: int = 7, longest: int = 16) -> dict[str, str]:
    """The id to show in a narrow column: hex ids cut to the shortest prefix (at least `hex_min`)
    that is still unique, like `git log --abbrev`; other ids longer than `longest` end in `…`."""
    ids = list(dict.fromkeys(ids))
    hexes = [rev for rev in ids if len(rev) > hex_min and _HEX.match(rev)]
    size = hex_min
    while size < 40 and len({rev[:size] for rev in hexes}) < len(hexes):
        size += 1
    result = {}
    hex_set = set(hexes)
    for rev in ids:
        if rev in hex_set:
            result[rev] = rev[:size]
        elif len(rev) > longest:
            result[rev] = rev[:longest - 1] + "…"
        else:
            result[rev] = rev
    return result
