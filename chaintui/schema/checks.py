"""Schema order: every migration runs after the migrations that create the tables it needs.

`schema_problems` judges the history as it is (the `schema-order` warnings of `check`);
`order_warnings` tells what relinking one migration would break. Both stay quiet when they
cannot know: a table only some branch of an `if` touches is "guarded", a table nothing in the
history creates is assumed to pre-exist (a baseline may alter tables it never created), and
revisions whose ancestry is cut (a missing parent, a loop, a duplicated id) are left to those
problems.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Set

from chaintui.model import WARNING, Migration, Problem, SchemaOp
from chaintui.schema.ops import ALTER, CREATE, DROP, REFERENCE, RENAME, apply_delta, changes, needs
from chaintui.schema.states import (EMPTY, Tables, TableStates, clean_revisions, creators,
                                    whole_ancestry)


def _check(m: Migration, state: Set[str], made_by: dict[str, list[Migration]],
           exclude: Migration | None = None) -> list[tuple[str, str, SchemaOp, list[Migration]]]:
    """(kind, table, op, creators) for each order violation of `m` run on `state`.

    `state` is never copied: the migration's own changes are tracked as a small delta.
    """
    found = []
    for table, op in needs(m.ops):
        if table in state:
            continue
        others = [c for c in made_by.get(table, ()) if c is not m and c is not exclude]
        if others:
            found.append(("needs", table, op, others))
    added: set[str] = set()
    removed: set[str] = set()
    for op in m.ops:
        present = op.table in added or (op.table in state and op.table not in removed)
        if op.kind == CREATE and not op.guarded and present:
            others = [c for c in made_by.get(op.table, ()) if c is not m]
            found.append(("recreates", op.table, op, others))
        apply_delta(op, added, removed)
    return found


_VERBS = {
    REFERENCE: ("references", "would reference"),
    DROP: ("drops", "would drop"),
    RENAME: ("renames", "would rename"),
    ALTER: ("alters", "would alter"),
}


def _describe(m: Migration, kind: str, table: str, op: SchemaOp, others: list[Migration],
              *, would: bool = False) -> str:
    who = m.revision or m.name
    if kind == "needs":
        verb = _VERBS.get(op.kind, _VERBS[ALTER])[1 if would else 0]
        where = ", ".join(c.name for c in others[:3])
        return (f"{who} {verb} table {table!r} ({op.op or op.kind}, line {op.line}), "
                f"which none of its {'new ' if would else ''}ancestors creates (created by {where})")
    where = ", ".join(c.name for c in others[:3]) or "an ancestor"
    verb = "would create" if would else "creates"
    return (f"{who} {verb} table {table!r} (line {op.line}), which "
            f"{'its new ancestors already create' if would else 'an ancestor already created'} ({where})")


_JUDGED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def schema_problems(graph) -> list[Problem]:
    """The schema-order warnings of `graph` (see _schema_problems), judged once per graph: the
    planner asks of its repaired graph twice (its own check, then the final diagnosis)."""
    judged = _JUDGED.get(graph)
    if judged is None:
        judged = _JUDGED[graph] = tuple(_schema_problems(graph))
    return list(judged)


def _schema_problems(graph) -> list[Problem]:
    """`schema-order` warnings: a migration that alters/drops/references a table no ancestor
    creates (while something in the history does create it), or creates a table an ancestor
    already created. Only revisions with a sound ancestry are judged (see clean_revisions).

    One pass in topological order over persistent states (see chaintui.schema.states); a
    state is dropped once every child of its revision has been judged.
    """
    made_by = creators(graph)
    if not made_by:
        return []
    order = graph.topological()
    clean = clean_revisions(graph, order=order)
    waiting = {rev: len(graph.child_ids(rev)) for rev in order}
    states: dict[str, Tables] = {}
    problems = []
    for rev in order:
        parents = [p for p in graph.parent_ids(rev) if p in states]
        state = EMPTY
        last_child = False
        for parent in parents:
            state = state.union(states[parent])
            waiting[parent] -= 1
            if waiting[parent] <= 0:
                del states[parent]
                last_child = len(parents) == 1
        m = graph.by_id[rev][0]
        if rev in clean and m.ops:
            for kind, table, op, others in _check(m, state, made_by):
                involved = [m, *others[:3]]
                problems.append(Problem(
                    code="schema-order",
                    severity=WARNING,
                    message=_describe(m, kind, table, op, others),
                    revisions=tuple(dict.fromkeys(x.revision for x in involved if x.revision)),
                    files=tuple(x.rel for x in involved),
                    line=op.line or None,
                ))
        if waiting[rev] > 0:
            states[rev] = state.with_changes(changes(m.ops), fold=last_child) if m.ops else state
    return problems


def order_warnings(graph, migration: Migration, new_parents: Iterable[str]) -> list[str]:
    """What relinking `migration` onto `new_parents` would break, one sentence each.

    Replays the tables along the changed edges for the migration and every revision below it,
    and reports the order violations the relink introduces (ones that exist either way are not
    blamed on it). Empty when the relink keeps the schema order.
    """
    rev = migration.revision
    new_parents = tuple(new_parents)
    made_by = creators(graph)
    if rev is None or not made_by:
        return []

    def with_new(r: str) -> tuple[str, ...]:
        return new_parents if r == rev else graph.parent_ids(r)

    def ops_of(r: str) -> tuple[SchemaOp, ...]:
        return migration.ops if r == rev else graph.by_id[r][0].ops

    before, after = TableStates(graph, ops_of=ops_of), TableStates(graph, with_new, ops_of)
    affected = [rev, *sorted(graph.descendants(rev) - {rev}, key=graph.order_key)]
    affected = [r for r in affected if r in graph.by_id]
    # Where the current ancestry is broken (a missing parent, a loop) the tables before the
    # relink are unknown, not absent: nothing there "exists either way". A table is only said
    # to be missing after the relink when the new ancestry is whole.
    known = clean_revisions(graph)
    whole_after = whole_ancestry(graph, with_new, affected)
    warnings = []
    for r in affected:
        m = migration if r == rev else graph.by_id[r][0]
        if not m.ops:
            continue
        old = {(k, t) for k, t, _, _ in _check(m, before.before(graph.parent_ids(r)), made_by)} \
            if r in known else set()
        for kind, table, op, others in _check(m, after.before(with_new(r)), made_by):
            if (kind, table) in old or (kind == "needs" and r not in whole_after):
                continue
            warnings.append(_describe(m, kind, table, op, others, would=True))
    return warnings
