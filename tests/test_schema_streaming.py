"""The streaming schema_problems equals a plain replay with TableStates on any DAG of ops."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from chaintui.graph import RevisionGraph
from chaintui.model import Migration, MigrationSet, SchemaOp
from chaintui.schema import (CREATE, DROP, RENAME, ALTER, TableStates, _check, clean_revisions, creators,
                             schema_problems)

TABLES = ("a", "b", "c", "d")


@st.composite
def histories(draw):
    n = draw(st.integers(min_value=1, max_value=12))
    migrations = []
    for i in range(n):
        parents = draw(st.lists(st.integers(min_value=0, max_value=max(i - 1, 0)), max_size=2, unique=True)) if i else []
        ops = []
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            kind = draw(st.sampled_from((CREATE, DROP, RENAME, ALTER)))
            table = draw(st.sampled_from(TABLES))
            new = draw(st.sampled_from(TABLES)) if kind == RENAME else None
            ops.append(SchemaOp(kind, table, 1, new))
        migrations.append(Migration(path=Path(f"/p/{i:03d}.py"), rel=f"{i:03d}.py", revision=f"{i:03d}",
                                    down_revision=tuple(f"{p:03d}" for p in parents), ops=tuple(ops)))
    return migrations


def reference(graph):
    made_by = creators(graph)
    if not made_by:
        return []
    clean = clean_revisions(graph)
    states = TableStates(graph)
    found = []
    for rev in graph.topological():
        m = graph.by_id[rev][0]
        if rev in clean and m.ops:
            state = states.before(graph.parent_ids(rev))
            found += [(rev, kind, table) for kind, table, _, _ in _check(m, state, made_by)]
    return found


@settings(max_examples=300, deadline=None)
@given(histories())
def test_streaming_equals_replay(migrations):
    mset = MigrationSet(name="m", root=Path("/p"), script_location=None, version_dirs=(Path("/p"),))
    graph = RevisionGraph(mset, migrations)
    streamed = [(p.revisions[0], "needs" if "none of its" in p.message else "recreates", p.message.split("'")[1])
                for p in schema_problems(graph)]
    assert streamed == reference(graph)
