"""The tables that exist after each revision: replaying schema operations along the graph.

States are persistent sets (`Tables`): a revision whose operations change nothing shares its
parent's state, one that creates or drops a table shares all but a few nodes of it (a HAMT,
the structure behind `contextvars`), and a merge is computed from what changed on its branches
since they parted. Time and memory grow with the number of revisions and operations, not with
revisions x tables (a frozenset per revision took 5 GB at 20,000 revisions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Set

from immutables import Map

from chaintui.model import Migration, SchemaOp
from chaintui.schema.ops import changes, creates


class Tables(Set):
    """An immutable set of table names, derived from its parent state by a few changes.

    Invariant: the tables differ from the parent's only in names listed in `_touched`, and
    `_depth` is the parent's plus one. `union` relies on both to find where two states meet.
    """

    __slots__ = ("_map", "_parent", "_touched", "_depth")

    def __init__(self, tables: Map, parent: Tables | None, touched: tuple | None, depth: int = 0) -> None:
        self._map = tables
        self._parent = parent
        """The state this one was derived from (None for the empty root)."""
        self._touched = touched
        """The names whose existence may differ from the parent's: a linked list of tuples,
        `(names, rest)`, so that folding a change in is O(1)."""
        self._depth = depth

    def __contains__(self, table: object) -> bool:
        return table in self._map

    def __iter__(self) -> Iterator[str]:
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._map)

    def __repr__(self) -> str:
        return f"Tables({sorted(self._map)!r})"

    @classmethod
    def _from_iterable(cls, iterable: Iterable[str]) -> frozenset[str]:
        return frozenset(iterable)

    def with_changes(self, effect: dict[str, bool], *, fold: bool = False) -> Tables:
        """This state with each table of `effect` made to exist (True) or not (False).

        With `fold` the new state hangs off this state's parent, its changes added to this
        state's: right when this state will not be asked for again (a revision that is its
        parent's last child), so a straight history keeps no chain of old states alive.
        """
        changed = [(t, exists) for t, exists in effect.items() if (t in self._map) != exists]
        if not changed:
            return self
        with self._map.mutate() as mutation:
            for table, exists in changed:
                if exists:
                    mutation[table] = None
                else:
                    del mutation[table]
            tables = mutation.finish()
        names = tuple(t for t, _ in changed)
        if fold and self._parent is not None:
            return Tables(tables, self._parent, (names, self._touched), self._depth)
        return Tables(tables, self, (names, None), self._depth + 1)

    def union(self, other: Tables) -> Tables:
        """The tables of either state.

        Walks both derivation chains back to where they meet (usually the branch point of a
        merge), so the cost is what changed on the two branches, never more than going through
        the smaller state table by table.
        """
        if other is self or not other._map:
            return self
        if not self._map:
            return other
        budget = min(len(self._map), len(other._map)) + 8
        a, b = self, other
        touched: list[str] = []
        while a is not b:
            if a._depth >= b._depth:
                link, a = a._touched, a._parent
            else:
                link, b = b._touched, b._parent
            while link is not None and len(touched) <= budget:
                names, link = link
                touched += names
            if len(touched) > budget:
                small, large = (self, other) if len(self._map) <= len(other._map) else (other, self)
                return large.with_changes({t: True for t in small._map if t not in large._map})
        # A table no step touched is in both or in neither: only touched ones can be missing.
        return self.with_changes({t: True for t in touched if t in other._map and t not in self._map})


#: The state before any migration.
EMPTY = Tables(Map(), None, None)


def creators(graph) -> dict[str, list[Migration]]:
    """Table -> the migrations (files) anywhere in the history that create it."""
    result: dict[str, list[Migration]] = {}
    for m in graph.revisions:
        for table, _ in creates(m.ops):
            files = result.setdefault(table, [])
            if m not in files:
                files.append(m)
    return result


class TableStates:
    """Tables that exist after each revision, replaying ops along down_revision (best effort).

    `parents_of` may override the graph's edges (to ask "what if R had these parents?").
    Parents that no file declares, or that close a loop, contribute nothing. For a duplicated
    id the first file's ops are used unless `ops_of` says otherwise. States are `Tables`:
    persistent sets that share structure, so asking for every revision costs linear memory.
    """

    def __init__(self, graph, parents_of: Callable[[str], Iterable[str]] | None = None,
                 ops_of: Callable[[str], tuple[SchemaOp, ...]] | None = None) -> None:
        self.graph = graph
        self.parents_of = parents_of or graph.parent_ids
        self.ops_of = ops_of or (lambda rev: graph.by_id[rev][0].ops)
        self._after: dict[str, Tables] = {}

    def before(self, parents: Iterable[str]) -> Tables:
        """Tables that exist once every one of `parents` is applied."""
        result = EMPTY
        for parent in parents:
            if parent in self.graph.by_id:
                result = result.union(self.after(parent))
        return result

    def after(self, rev: str) -> Tables:
        """Tables that exist once `rev` (and its ancestors) are applied."""
        if rev in self._after:
            return self._after[rev]
        # Iterative post-order: a history of 20,000 revisions must not hit the recursion limit.
        in_progress: set[str] = set()
        stack: list[tuple[str, bool]] = [(rev, False)]
        by_id = self.graph.by_id
        while stack:
            current, expanded = stack.pop()
            if current in self._after:
                continue
            parents = [p for p in self.parents_of(current) if p in by_id]
            if not expanded:
                in_progress.add(current)
                stack.append((current, True))
                for parent in parents:
                    if parent not in self._after and parent not in in_progress:
                        stack.append((parent, False))
                continue
            in_progress.discard(current)
            state = EMPTY
            for parent in parents:
                parent_state = self._after.get(parent)  # missing: part of a loop, contributes nothing
                if parent_state is not None:
                    state = state.union(parent_state)
            self._after[current] = state.with_changes(changes(self.ops_of(current)))
        return self._after[rev]


def table_presence(graph, tables: Iterable[str],
                   ops_of: Callable[[str], tuple[SchemaOp, ...]] | None = None) -> dict[str, dict[str, bool]]:
    """For each of a few `tables`: does it exist once each revision (and its ancestors) ran?

    The same replay as TableStates.after, restricted to the tables asked about, in one pass in
    topological order: O(revisions x tables asked).
    """
    tables = list(dict.fromkeys(tables))
    ops_of = ops_of or (lambda rev: graph.by_id[rev][0].ops)
    result: dict[str, dict[str, bool]] = {t: {} for t in tables}
    if not tables:
        return result
    wanted = set(tables)
    for rev in graph.topological():
        parents = [p for p in graph.parent_ids(rev) if p in graph.by_id]
        effect = {t: e for t, e in changes(ops_of(rev)).items() if t in wanted}
        for table in tables:
            present = effect.get(table)
            if present is None:
                present = any(result[table].get(p, False) for p in parents)
            result[table][rev] = present
    return result


def clean_revisions(graph, *, allow_duplicates: bool = False, order: list[str] | None = None) -> set[str]:
    """Ids whose whole ancestry is sound: every parent exists, no loop, no duplicated id.

    Schema order is only judged on these: elsewhere the history is broken in a way another
    problem already names, and the table replay would only add noise. `allow_duplicates`
    accepts duplicated ids (their files' parents and ops taken together), for ranking.
    `order` is graph.topological() when the caller has it already.
    """
    clean: set[str] = set()
    for rev in graph.topological() if order is None else order:
        files = graph.by_id[rev]
        if (len(files) > 1 and not allow_duplicates) or not all(f.known("down_revision") for f in files):
            continue
        parents = graph.parent_ids(rev)
        if all(p in clean for p in parents):
            clean.add(rev)
    return clean


def whole_ancestry(graph, parents_of: Callable[[str], Iterable[str]], revisions: Iterable[str]) -> set[str]:
    """Those of `revisions` whose ancestry under `parents_of` is whole: every parent declared
    by exactly one file, no loop. Iterative, memoised: long histories need no recursion."""
    state: dict[str, bool] = {}
    revisions = list(revisions)
    for start in revisions:
        stack = [(start, False)]
        on_path: set[str] = set()
        while stack:
            rev, expanded = stack.pop()
            if rev in state:
                continue
            parents = tuple(parents_of(rev))
            if not expanded:
                if rev in on_path:
                    state[rev] = False
                    continue
                on_path.add(rev)
                stack.append((rev, True))
                stack.extend((p, False) for p in parents if p in graph.by_id and p not in state)
                continue
            on_path.discard(rev)
            state[rev] = (len(graph.by_id.get(rev, ())) == 1
                          and all(p in graph.by_id and state.get(p, False) for p in parents))
    return {r for r in revisions if state.get(r)}
