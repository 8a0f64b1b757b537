"""The revision graph of one migration set, built from scanned files (duplicates and all)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from pathlib import Path

from chaintui.model import Migration, MigrationSet


class RevisionGraph:
    """Revisions by id, parent/child edges, heads and bases of one migration set.

    Several files may declare one id (a duplicate) and a parent may name an id no file declares
    (dangling); the graph keeps both as they are so that diagnosis can name them.
    """

    def __init__(self, mset: MigrationSet, migrations: Iterable[Migration]) -> None:
        self.mset = mset
        self.migrations: list[Migration] = list(migrations)
        self.by_id: dict[str, list[Migration]] = defaultdict(list)
        self.by_rel: dict[str, Migration] = {}
        for m in self.migrations:
            self.by_rel[m.rel] = m
            if m.revision is not None:
                self.by_id[m.revision].append(m)
        self.by_id = dict(self.by_id)
        children: dict[str, list[Migration]] = defaultdict(list)
        for m in self.revisions:
            for parent in dict.fromkeys(m.down_revision):
                children[parent].append(m)
        self.children: dict[str, list[Migration]] = dict(children)
        self.path_aliases: dict[Path, Path] = {}
        """Planned path -> committed path of files renamed by planned, uncommitted fixes."""

    @cached_property
    def revisions(self) -> list[Migration]:
        """The files that declare a revision (parse errors excluded), in scan order."""
        return [m for m in self.migrations if m.revision is not None]

    @cached_property
    def ids(self) -> list[str]:
        return list(self.by_id)

    def get(self, rev: str) -> Migration | None:
        files = self.by_id.get(rev)
        return files[0] if files else None

    def __contains__(self, rev: object) -> bool:
        return rev in self.by_id

    def __len__(self) -> int:
        return len(self.by_id)

    def children_of(self, rev: str) -> list[Migration]:
        return self.children.get(rev, [])

    def child_ids(self, rev: str) -> list[str]:
        return list(dict.fromkeys(m.revision for m in self.children_of(rev)))

    @cached_property
    def heads(self) -> list[str]:
        """Ids nothing names as down_revision (alembic's `heads`)."""
        return [rev for rev in self.by_id if rev not in self.children]

    @cached_property
    def bases(self) -> list[str]:
        """Ids whose down_revision is None (alembic's `bases`)."""
        return [rev for rev, files in self.by_id.items() if any(m.is_base for m in files)]

    def parent_ids(self, rev: str) -> tuple[str, ...]:
        parents = self._parents.get(rev)
        if parents is None:
            files = self.by_id.get(rev, [])
            parents = tuple(dict.fromkeys(p for m in files for p in m.down_revision))
        return parents

    @cached_property
    def _parents(self) -> dict[str, tuple[str, ...]]:
        """Parent ids of every declared id, computed once (hot in Tarjan and topological)."""
        result = {}
        for rev, files in self.by_id.items():
            if len(files) == 1:
                result[rev] = tuple(dict.fromkeys(files[0].down_revision))
            else:
                result[rev] = tuple(dict.fromkeys(p for m in files for p in m.down_revision))
        return result

    def ancestors(self, rev: str) -> set[str]:
        """Every id reachable through down_revision (existing ones only), `rev` excluded."""
        seen: set[str] = set()
        stack = [p for p in self.parent_ids(rev) if p in self.by_id]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(p for p in self.parent_ids(current) if p in self.by_id and p not in seen)
        seen.discard(rev)
        return seen

    def descendants(self, rev: str) -> set[str]:
        seen: set[str] = set()
        stack = self.child_ids(rev)
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(c for c in self.child_ids(current) if c not in seen)
        seen.discard(rev)
        return seen

    def reachable_from_bases(self) -> set[str]:
        seen: set[str] = set()
        stack = list(self.bases)
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(self.child_ids(current))
        return seen

    def strongly_connected(self) -> list[list[str]]:
        """Cycles: strongly connected components of more than one id, or a self-loop (child ->
        parent edges), each in the project's own order."""
        if self._kahn[1]:  # the topological walk placed every id: there is no cycle
            return []
        return [sorted(component, key=self.order_key)
                for component in strongly_connected(self.by_id, self._edges)]

    def _edges(self, rev: str) -> list[str]:
        return [p for p in self.parent_ids(rev) if p in self.by_id]

    def order_key(self, rev: str) -> tuple:
        """Sort key that follows the project's own numbering (`008` < `008a` < `009`)."""
        from chaintui.naming import natural_key

        return natural_key(rev)

    def topological(self) -> list[str]:
        """Ids from bases to heads (parents before children where the graph allows it).

        Ids on cycles or hanging off missing parents come after, in natural order. (Computed
        once per graph: a graph is never changed after it is built.)
        """
        return list(self._topological)

    @cached_property
    def _topological(self) -> tuple[str, ...]:
        return self._kahn[0]

    @cached_property
    def _kahn(self) -> tuple[tuple[str, ...], bool]:
        """(topological order, whether it placed every id). An id is left over only when it
        is on a cycle or below one (a missing parent does not hold its children back)."""
        indegree = {rev: sum(1 for p in self.parent_ids(rev) if p in self.by_id) for rev in self.by_id}
        ready = sorted((r for r, d in indegree.items() if d == 0), key=self.order_key, reverse=True)
        order: list[str] = []
        while ready:
            rev = ready.pop()
            order.append(rev)
            new = []
            for child in self.child_ids(rev):
                indegree[child] -= 1
                if indegree[child] == 0:
                    new.append(child)
            ready.extend(sorted(new, key=self.order_key, reverse=True) if len(new) > 1 else new)
        acyclic = len(order) == len(indegree)
        if not acyclic:
            placed = set(order)
            order.extend(sorted((r for r in indegree if r not in placed), key=self.order_key))
        return tuple(order), acyclic


def strongly_connected(nodes: Iterable[str], edges: Callable[[str], Iterable[str]]) -> list[list[str]]:
    """The loops of a directed graph: its strongly connected components of more than one node,
    or of one node with an edge to itself. `edges(node)` names only nodes of the graph.

    Iterative Tarjan, so that a history of 20,000 revisions does not hit the recursion limit.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for start in nodes:
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(edges(start)))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, pending = work[-1]
            advanced = False
            for nxt in pending:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(edges(nxt))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges(node):
                    result.append(component)
    return result
