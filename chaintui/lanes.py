"""Lay a revision graph out as `git log --graph` lanes: one row per revision, bases first.

Pure (no Textual import): the TUI's tree pane draws these rows and the tests check their shape.

Every revision is one row whatever the depth, so a linear history of 500 revisions is 500 rows
in one lane, not 500 levels of nesting. A parent with several children opens lanes on a
connector row (`├─╮`); a revision with several parents closes them on its own row (`●─╯`).
A parent that no file declares gets a phantom row (`◌`) where it would be, above the revisions
naming it; a parent that comes *later* in the order (a loop) is reported as a back edge on the
row that names it. Long runs of plain revisions fold into one row that can be opened.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from chaintui.graph import RevisionGraph

NODE = "●"
MISSING = "◌"
FOLD = "┊"
#: Runs of at least this many plain rows fold (the first and last EDGE rows stay visible).
FOLD_MIN = 12
EDGE = 2

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
    """The lane the node sits in."""
    cells: str
    """The lane glyphs, two characters per lane (`│ ● ─╯`)."""
    back: tuple[str, ...] = ()
    """Parents that come later in the order: edges of a loop."""
    folded: int = 0
    """For a fold row: how many revisions it hides."""
    fold_index: int = -1
    """For a fold row, and for every row it hides: which fold it belongs to."""

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
    """Lanes used at the widest point."""

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
    """(kind, id) for every row node: the graph's topological order, with a phantom for each
    missing parent placed just before the first revision naming it."""
    result: list[tuple[str, str]] = []
    placed: set[str] = set()
    for rev in graph.topological():
        for parent in graph.parent_ids(rev):
            if parent not in graph.by_id and parent not in placed:
                placed.add(parent)
                result.append((PHANTOM, parent))
        result.append((REV, rev))
    return result


def layout(graph: RevisionGraph, *, keep: Iterable[str] = (), fold_min: int = FOLD_MIN) -> Layout:
    """Lay `graph` out in lanes; revisions in `keep` (e.g. those with problems) never fold."""
    nodes = sequence(graph)
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
        parents = graph.parent_ids(node) if kind == REV else ()
        back = tuple(p for p in parents if pos.get(p, -1) > pos[node])
        right = max(merged) if merged else col
        cells = []
        for i in range(max(len(lanes), col + 1)):
            if i == col:
                glyph = NODE if kind == REV else MISSING
            elif i in merged:
                glyph = "┴" if i < right else "╯"
            elif col < i < right:
                glyph = "┼" if lanes[i] else "─"
            else:
                glyph = "│" if lanes[i] else " "
            cells.append(glyph + ("─" if col <= i < right else " "))
        if not cols and rows and rows[-1].is_node and rows[-1].col == col:
            # A chain starts where another just ended: a blank row so they don't read as one.
            rows.append(Row(GAP, None, col, ""))
            plain.append(False)
        row = Row(kind, node, col, "".join(cells).rstrip(), back=back)
        kids = sorted((k for k in graph.child_ids(node) if pos.get(k, -1) > pos[node]), key=pos.__getitem__)
        opened: list[int] = []
        if kids:
            lanes[col] = kids[0]
            for kid in kids[1:]:
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
                glyphs.append(glyph + ("─" if col <= i < far else " "))
            rows.append(Row(CONNECTOR, None, col, "".join(glyphs).rstrip()))
            plain.append(False)
        while lanes and lanes[-1] is None:
            lanes.pop()
        width = max(width, len(lanes), col + 1)
    result = Layout(rows, [], width)
    result.folds = _folds(rows, plain, set(keep), fold_min)
    return result


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
