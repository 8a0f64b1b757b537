"""What each kind of schema operation does to the set of existing tables."""

from __future__ import annotations

from collections.abc import Iterable

from chaintui.model import SchemaOp

#: Kinds of SchemaOp, by what they do to the set of existing tables.
CREATE, DROP, RENAME, ALTER, REFERENCE = "create_table", "drop_table", "rename_table", "alter_table", "reference"


def needs(ops: Iterable[SchemaOp]) -> list[tuple[str, SchemaOp]]:
    """(table, op) pairs a migration needs to exist before it runs, in source order.

    A table the migration itself creates (or renames into) before using it is not needed.
    """
    made: set[str] = set()
    result: list[tuple[str, SchemaOp]] = []
    seen: set[str] = set()
    for op in ops:
        if op.kind == CREATE:
            made.add(op.table)
        elif op.kind in (ALTER, DROP, RENAME, REFERENCE):
            if op.table not in made and op.table not in seen and not op.guarded:
                seen.add(op.table)
                result.append((op.table, op))
            if op.kind == RENAME and op.new_table:
                made.add(op.new_table)
            if op.kind in (DROP, RENAME):
                made.discard(op.table)
    return result


def creates(ops: Iterable[SchemaOp]) -> list[tuple[str, SchemaOp]]:
    """(table, op) pairs of unguarded create_table ops (and rename targets)."""
    result = []
    for op in ops:
        if op.kind == CREATE and not op.guarded:
            result.append((op.table, op))
        elif op.kind == RENAME and op.new_table and not op.guarded:
            result.append((op.new_table, op))
    return result


def changes(ops: Iterable[SchemaOp]) -> dict[str, bool]:
    """table -> exists afterwards, for each table whose existence `ops` decide.

    Every op that changes the set of tables sets one table's existence outright (a guarded
    create may be a no-op, but the table exists after it either way; a guarded drop or rename
    may not run and so decides nothing), so a migration's effect is this mapping, whatever
    the tables before it.
    """
    result: dict[str, bool] = {}
    for op in ops:
        if op.kind == CREATE:
            result[op.table] = True
        elif op.kind in (DROP, RENAME) and not op.guarded:
            result[op.table] = False
            if op.kind == RENAME and op.new_table:
                result[op.new_table] = True
    return result


def apply_ops(state: frozenset[str], ops: Iterable[SchemaOp]) -> frozenset[str]:
    """The set of existing tables after running `ops` on `state`."""
    effect = changes(ops)
    if not effect:
        return state
    tables = set(state)
    for table, exists in effect.items():
        if exists:
            tables.add(table)
        else:
            tables.discard(table)
    return frozenset(tables)


def apply_delta(op: SchemaOp, added: set[str], removed: set[str]) -> None:
    """Record one op's effect as tables added / removed (same rules as apply_ops)."""
    if op.kind == CREATE:
        added.add(op.table)
        removed.discard(op.table)
    elif op.kind in (DROP, RENAME) and not op.guarded:
        removed.add(op.table)
        added.discard(op.table)
        if op.kind == RENAME and op.new_table:
            added.add(op.new_table)
            removed.discard(op.new_table)
