"""TableStates: persistent table sets equal a plain frozenset replay, in linear memory."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from chaintui.graph import RevisionGraph
from chaintui.model import Migration, MigrationSet, SchemaOp
from chaintui.schema import CREATE, DROP, RENAME, ALTER, EMPTY, TableStates, apply_ops, table_presence

TABLES = ("a", "b", "c", "d", "e")
MSET = MigrationSet(name="m", root=Path("/p"), script_location=None, version_dirs=(Path("/p"),))


@st.composite
def histories(draw):
    n = draw(st.integers(min_value=1, max_value=14))
    migrations = []
    for i in range(n):
        parents = draw(st.lists(st.integers(min_value=0, max_value=max(i - 1, 0)), max_size=3, unique=True)) if i else []
        if draw(st.integers(0, 9)) == 0:  # now and then a parent no file declares, or a loop
            parents.append(draw(st.sampled_from([999, n - 1])))
        ops = []
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            kind = draw(st.sampled_from((CREATE, DROP, RENAME, ALTER)))
            ops.append(SchemaOp(kind, draw(st.sampled_from(TABLES)), 1,
                                draw(st.sampled_from(TABLES)) if kind == RENAME else None,
                                guarded=draw(st.booleans())))
        migrations.append(Migration(path=Path(f"/p/{i:03d}.py"), rel=f"{i:03d}.py", revision=f"{i:03d}",
                                    down_revision=tuple(f"{p:03d}" for p in parents), ops=tuple(ops)))
    return migrations


def acyclic(graph, parents_of) -> bool:
    """No loop along `parents_of` among declared revisions (Kahn's algorithm)."""
    edges = {r: [p for p in parents_of(r) if p in graph.by_id] for r in graph.by_id}
    indegree = {r: 0 for r in edges}
    for parents in edges.values():
        for p in parents:
            indegree[p] += 1
    ready = [r for r, d in indegree.items() if d == 0]
    seen = 0
    while ready:
        r = ready.pop()
        seen += 1
        for p in edges[r]:
            indegree[p] -= 1
            if indegree[p] == 0:
                ready.append(p)
    return seen == len(edges)


def reference_after(graph, parents_of, rev, memo, path=()):
    """The replay TableStates did before: a frozenset per revision, recursively."""
    if rev in memo:
        return memo[rev]
    state = frozenset()
    for parent in parents_of(rev):
        if parent in graph.by_id and parent not in path:
            state |= reference_after(graph, parents_of, parent, memo, (*path, rev))
    memo[rev] = result = apply_ops(state, graph.by_id[rev][0].ops)
    return result


@settings(max_examples=400, deadline=None)
@given(histories())
def test_states_equal_a_frozenset_replay(migrations):
    graph = RevisionGraph(MSET, migrations)
    states = TableStates(graph)
    no_loop = acyclic(graph, graph.parent_ids)
    for rev in graph.ids:
        got = states.after(rev)
        if no_loop:
            assert set(got) == reference_after(graph, graph.parent_ids, rev, {})
        assert set(got) == {t for t in TABLES if t in got} and len(got) == len(set(got))
    if no_loop:
        presence = table_presence(graph, TABLES)
        for rev in graph.ids:
            assert {t for t in TABLES if presence[t][rev]} == set(states.after(rev))


@settings(max_examples=200, deadline=None)
@given(histories(), st.data())
def test_what_if_parents(migrations, data):
    graph = RevisionGraph(MSET, migrations)
    if not acyclic(graph, graph.parent_ids):
        return
    rev = data.draw(st.sampled_from(graph.ids))
    ancestors = [r for r in graph.ids if r < rev]
    new = tuple(data.draw(st.lists(st.sampled_from(ancestors), max_size=2, unique=True))) if ancestors else ()

    def parents_of(r):
        return new if r == rev else graph.parent_ids(r)

    if not acyclic(graph, parents_of):  # a parent's own parents may lead back to `rev`
        return
    states = TableStates(graph, parents_of=parents_of)
    for r in graph.ids:
        assert set(states.after(r)) == reference_after(graph, parents_of, r, {})
    assert set(states.before(new)) == set().union(*(reference_after(graph, parents_of, p, {}) for p in new))


def test_union_of_unrelated_and_shared_states():
    base = EMPTY.with_changes({"a": True, "b": True})
    left = base.with_changes({"c": True, "a": False})
    right = base.with_changes({"d": True})
    assert set(left.union(right)) == {"a", "b", "c", "d"}
    assert set(right.union(left)) == {"a", "b", "c", "d"}
    other = EMPTY.with_changes({"x": True})
    assert set(left.union(other)) == {"b", "c", "x"}
    assert left.union(left) is left and left.union(EMPTY) is left and EMPTY.union(left) is left
    assert left.with_changes({"c": True}) is left  # nothing changes: the same state
    # Folded states (a straight line of only children) still meet their branch point.
    fork = base.with_changes({"f": True})
    one = fork.with_changes({"a": False}).with_changes({"g": True}, fold=True).with_changes({"b": False}, fold=True)
    two = fork.with_changes({"h": True}, fold=True).with_changes({"f": False}, fold=True)
    assert set(one) == {"f", "g"} and set(two) == {"a", "b", "h"}
    assert set(one.union(two)) == set(two.union(one)) == {"a", "b", "f", "g", "h"}


def test_every_state_of_a_long_history_fits_in_linear_memory():
    """3,000 revisions each creating a table: a frozenset per revision holds 4.5 million
    entries (hundreds of MB); persistent states share all but a few nodes."""
    n = 3000
    migrations = [
        Migration(path=Path(f"/p/{i}.py"), rel=f"{i}.py", revision=f"r{i}",
                  down_revision=(f"r{i - 1}",) if i else (), ops=(SchemaOp(CREATE, f"t{i}", 1),))
        for i in range(n)
    ]
    graph = RevisionGraph(MSET, migrations)
    tracemalloc.start()
    try:
        states = TableStates(graph)
        last = states.after(f"r{n - 1}")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(last) == n and "t0" in last and "t1500" in states.after("r1500") \
        and "t1501" not in states.after("r1500")
    assert peak < 40 * 1024 * 1024, peak
