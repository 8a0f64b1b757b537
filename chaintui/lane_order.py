"""The order the tree shows revisions in: parents before children, one chain at a time.

Pure (no Textual import). `walk` is a depth-first topological order, as `git log --graph
--topo-order` draws (bases first here): after a revision comes one of its children whose parents
are all shown, so a chain is followed to its end before another starts; side branches come right
after their branch point and the child carrying the longest history comes last, so the main line
reads on without interruption. When nothing is ready, the next chain starts at the earliest
remaining start (by `Create Date` in hex-id projects, by the project's numbering otherwise): a
base, a revision whose parent no file declares, or the entry of a loop. A loop is cut where it is
entered: the member's parents inside the loop that are not shown yet are its back edges, and
only loop members get one. Linear in the size of the graph.
"""

from __future__ import annotations

import heapq

from chaintui.graph import RevisionGraph
from chaintui.naming import detect_style, natural_key

REV = "rev"
PHANTOM = "missing"


def walk(graph: RevisionGraph) -> tuple[list[tuple[str, str]], dict[str, tuple[str, ...]], dict[str, int]]:
    """(rows, back edges, heights).

    rows: (kind, id) in display order, a phantom (`missing`) just before the first revision
    naming an undeclared parent. back edges: revision -> its parents shown after it (loops
    only). heights: revision -> the length of the longest chain from it to a head (loop edges
    left out), which tells the main line from side branches.
    """
    ids = list(graph.by_id)
    declared = graph.by_id
    parents = {rev: [p for p in graph.parent_ids(rev) if p in declared] for rev in ids}
    children = {rev: [c for c in graph.child_ids(rev) if c in declared] for rev in ids}
    comp_of: dict[str, int] = {}
    for index, component in enumerate(graph.strongly_connected()):
        for rev in component:
            comp_of[rev] = index
    when = _when(graph)
    height = _heights(ids, children, comp_of)

    waiting = {rev: len(parents[rev]) for rev in ids}
    outside = {rev: sum(1 for p in parents[rev] if comp_of.get(p) != comp_of[rev])
               for rev in comp_of}
    starts = [(when[rev], rev) for rev in ids if waiting[rev] == 0]
    starts += [(when[rev], rev) for rev, count in outside.items() if count == 0 and waiting[rev] > 0]
    heapq.heapify(starts)
    stack: list[str] = []
    placed: set[str] = set()
    rows: list[tuple[str, str]] = []
    back: dict[str, tuple[str, ...]] = {}
    phantoms: set[str] = set()

    def place(rev: str) -> None:
        for parent in graph.parent_ids(rev):
            if parent not in declared and parent not in phantoms:
                phantoms.add(parent)
                rows.append((PHANTOM, parent))
        rows.append((REV, rev))
        placed.add(rev)
        ready = []
        for child in children[rev]:
            waiting[child] -= 1
            if child in placed:
                continue
            if waiting[child] == 0:
                ready.append(child)
            elif child in comp_of and comp_of.get(rev) != comp_of[child]:
                outside[child] -= 1
                if outside[child] == 0:
                    heapq.heappush(starts, (when[child], child))
        # the last pushed is shown next: the lowest (side branches) first, the main line last
        ready.sort(key=when.__getitem__, reverse=True)
        ready.sort(key=lambda c: -height[c])
        stack.extend(ready)

    while len(placed) < len(ids):
        if stack:
            rev = stack.pop()
            if rev not in placed:
                place(rev)
            continue
        while starts:
            _, rev = heapq.heappop(starts)
            if rev not in placed:
                break
        else:  # cannot happen (every loop has an entry); keep every revision anyway
            rev = next(r for r in ids if r not in placed)
        later = tuple(p for p in graph.parent_ids(rev) if p in declared and p not in placed)
        if later:
            back[rev] = later
        place(rev)
    return rows, back, height


def _when(graph: RevisionGraph) -> dict[str, tuple]:
    """Sort key for where a chain starts: the project's numbering, or for hex ids (which carry
    no order) the `Create Date` header, then the id."""
    style, _ = detect_style(graph.by_id)
    result = {}
    for rev, files in graph.by_id.items():
        if style == "hex":
            dates = [m.header.create_date for m in files if m.header.create_date]
            result[rev] = (0, min(dates), natural_key(rev)) if dates else (1, "", natural_key(rev))
        else:
            result[rev] = (0, "", natural_key(rev))
    return result


def _heights(ids: list[str], children: dict[str, list[str]], comp_of: dict[str, int]) -> dict[str, int]:
    """Longest chain from each revision down to a head, edges inside a loop left out (so the
    rest is acyclic): Kahn's algorithm from the heads up."""
    kids = {rev: [c for c in children[rev] if comp_of.get(c, -1) != comp_of.get(rev, -2)] for rev in ids}
    parents_of: dict[str, list[str]] = {rev: [] for rev in ids}
    for rev in ids:
        for child in kids[rev]:
            parents_of[child].append(rev)
    remaining = {rev: len(kids[rev]) for rev in ids}
    height = {rev: 1 for rev in ids}
    todo = [rev for rev in ids if remaining[rev] == 0]
    while todo:
        rev = todo.pop()
        for parent in parents_of[rev]:
            height[parent] = max(height[parent], height[rev] + 1)
            remaining[parent] -= 1
            if remaining[parent] == 0:
                todo.append(parent)
    return height
