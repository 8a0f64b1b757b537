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


def walk(graph: RevisionGraph) -> tuple[list[tuple[str, str]], dict[str, tuple[str, ...]], Heights]:
    """(rows, back edges, heights).

    rows: (kind, id) in display order, a phantom (`missing`) just before the first revision
    naming an undeclared parent. back edges: revision -> its parents shown after it (loops
    only). heights: revision -> the length of the longest chain from it to a head (loop edges
    left out), which tells the main line from side branches.
    """
    ids = list(graph.by_id)
    declared = graph.by_id
    when = _When(graph)
    height = Heights(graph)
    children = {rev: graph.child_ids(rev) for rev in ids}  # asked twice each: built once

    # counts, not lists: 5,000 small lists cost more in the collector than in the walk
    waiting: dict[str, int] = {}
    for rev in ids:
        count = 0
        for parent in graph.parent_ids(rev):
            if parent in declared:
                count += 1
        waiting[rev] = count
    starts = [(when(rev), rev) for rev in ids if waiting[rev] == 0]
    heapq.heapify(starts)
    comp_of: dict[str, int] = {}
    """Loop members -> their loop (most histories have none: then it stays empty)."""
    outside: dict[str, int] = {}
    """For loop members: parents outside their loop not shown yet."""
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
                    heapq.heappush(starts, (when(child), child))
        if len(ready) > 1:
            # the last pushed is shown next: the lowest (side branches) first, the main line last
            ready.sort(key=when, reverse=True)
            ready.sort(key=lambda c: -height(c))
        stack.extend(ready)

    def find_loops() -> None:
        """Each loop member whose parents outside its loop are all shown can start a chain,
        in the order of its start key like any other start."""
        for index, component in enumerate(graph.strongly_connected()):
            for rev in component:
                comp_of[rev] = index
        for rev, comp in comp_of.items():
            if rev in placed:
                continue
            outside[rev] = sum(1 for p in graph.parent_ids(rev)
                               if p in declared and p not in placed and comp_of.get(p) != comp)
            if outside[rev] == 0:
                heapq.heappush(starts, (when(rev), rev))

    if _has_loop(children, waiting, [rev for _, rev in starts]):
        find_loops()
    while len(placed) < len(ids):
        if stack:
            rev = stack.pop()
            if rev not in placed:
                place(rev)
            continue
        while starts and starts[0][1] in placed:
            heapq.heappop(starts)
        if starts:
            rev = heapq.heappop(starts)[1]
        else:  # cannot happen (every loop has an entry); keep every revision anyway
            rev = next(r for r in ids if r not in placed)
        later = tuple(p for p in graph.parent_ids(rev) if p in declared and p not in placed)
        if later:
            back[rev] = later
        place(rev)
    return rows, back, height


def _has_loop(children: dict[str, list[str]], waiting: dict[str, int], roots: list[str]) -> bool:
    """True when some revision can never have all its parents shown: Kahn's algorithm from the
    roots, counting only (the strongly-connected pass runs only for histories that need it)."""
    left = dict(waiting)
    todo = list(roots)
    seen = 0
    while todo:
        rev = todo.pop()
        seen += 1
        for child in children[rev]:
            left[child] -= 1
            if left[child] == 0:
                todo.append(child)
    return seen < len(children)


class Heights:
    """The longest chain from a revision down to a head, loop edges left out. Computed on
    demand and remembered: only children of branch points are asked, so a linear history
    costs nothing."""

    def __init__(self, graph: RevisionGraph) -> None:
        self.graph = graph
        self.memo: dict[str, int] = {}

    def __call__(self, rev: str) -> int:
        memo = self.memo
        if rev in memo:
            return memo[rev]
        child_ids = self.graph.child_ids
        on_path: set[str] = set()
        stack = [(rev, False)]
        while stack:  # iterative post-order: a history of 20,000 needs no recursion
            node, expanded = stack.pop()
            if expanded:
                on_path.discard(node)
                memo[node] = 1 + max((memo.get(c, 0) for c in child_ids(node) if c not in on_path), default=0)
                continue
            if node in memo or node in on_path:
                continue  # done, or a loop's edge back to the path: left out
            on_path.add(node)
            stack.append((node, True))
            stack.extend((c, False) for c in child_ids(node) if c not in memo and c not in on_path)
        return memo[rev]


class _When:
    """Sort key for where a chain starts: the project's numbering, or for hex ids (which carry
    no order) the `Create Date` header, then the id. Computed for the ids asked only."""

    def __init__(self, graph: RevisionGraph) -> None:
        self.graph = graph
        self.hex: bool | None = None
        self.memo: dict[str, tuple] = {}

    def __call__(self, rev: str) -> tuple:
        key = self.memo.get(rev)
        if key is None:
            if self.hex is None:
                self.hex = detect_style(self.graph.by_id)[0] == "hex"
            if self.hex:
                dates = [m.header.create_date for m in self.graph.by_id[rev] if m.header.create_date]
                key = (0, min(dates), natural_key(rev)) if dates else (1, "", natural_key(rev))
            else:
                key = (0, "", natural_key(rev))
            self.memo[rev] = key
        return key
