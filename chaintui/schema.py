"""Statically read the schema operations (`op.*` calls) of a migration's upgrade()."""

from __future__ import annotations

from chaintui.model import SchemaOp

_TABLE_OPS = {
    "create_table": "create_table",
    "drop_table": "drop_table",
    "rename_table": "rename_table",
}
_ALTER_OPS = {
    "add_column", "drop_column", "alter_column", "create_index", "drop_index",
    "create_foreign_key", "drop_constraint", "create_unique_constraint",
    "create_check_constraint", "create_primary_key", "batch_alter_table",
}


def extract_ops(module) -> list[SchemaOp]:
    """The table-level operations of `def upgrade()`, in source order."""
    import libcst as cst

    ops: list[SchemaOp] = []
    for statement in module.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == "upgrade":
            statement.visit(_OpVisitor(ops))
    return ops


def _string(node) -> str | None:
    import libcst as cst

    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


class _OpVisitorBase:
    pass


def _make_visitor():
    import libcst as cst

    class OpVisitor(cst.CSTVisitor):
        def __init__(self, ops: list[SchemaOp]) -> None:
            super().__init__()
            self.ops = ops

        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)
                    and func.value.value == "op"):
                return
            name = func.attr.value
            args = [a for a in node.args if a.keyword is None]
            keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
            if name in _TABLE_OPS:
                table = _string(args[0].value) if args else _string(keywords.get("table_name", keywords.get("old_table_name")))
                if table is None:
                    return
                new = _string(args[1].value) if name == "rename_table" and len(args) > 1 else None
                self.ops.append(SchemaOp(_TABLE_OPS[name], table, 0, new))
            elif name in _ALTER_OPS:
                key = "table_name"
                if name in ("create_index",):
                    table = _string(args[1].value) if len(args) > 1 else _string(keywords.get(key))
                elif name == "create_foreign_key":
                    table = _string(args[1].value) if len(args) > 1 else _string(keywords.get("source_table"))
                elif name == "drop_index":
                    table = _string(keywords.get(key))
                else:
                    table = _string(args[0].value) if args else _string(keywords.get(key))
                if table is not None:
                    self.ops.append(SchemaOp("alter_table", table, 0))

    return OpVisitor


def _OpVisitor(ops):
    return _make_visitor()(ops)


def schema_problems(graph) -> list:
    """`schema-order` warnings (filled in by the schema-aware checks)."""
    return []
