"""Statically read the schema operations (`op.*` calls) of a migration's upgrade() from its `ast`.

Nothing here imports or runs a migration. The walk visits calls in source order, reads
`op.*` calls, `with op.batch_alter_table("t") as batch_op:` blocks, `ForeignKey("t.id")`
targets, literal `op.execute("CREATE TABLE ...")` SQL and the module-level helpers `upgrade()`
calls; ops under `if`/`try`/loops, or with `if_not_exists`/`if_exists`, are `guarded`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from typing import Any

from chaintui.model import SchemaOp
from chaintui.schema.ops import ALTER, CREATE, DROP, REFERENCE, RENAME

#: op.<name>(...): position and keyword of the table argument.
_OP_TABLE_ARG: dict[str, tuple[int, str]] = {
    "create_table": (0, "table_name"),
    "drop_table": (0, "table_name"),
    "rename_table": (0, "old_table_name"),
    "add_column": (0, "table_name"),
    "drop_column": (0, "table_name"),
    "alter_column": (0, "table_name"),
    "create_table_comment": (0, "table_name"),
    "drop_table_comment": (0, "table_name"),
    "batch_alter_table": (0, "table_name"),
    "create_index": (1, "table_name"),
    "drop_index": (1, "table_name"),
    "create_unique_constraint": (1, "table_name"),
    "create_check_constraint": (1, "table_name"),
    "create_primary_key": (1, "table_name"),
    "create_exclude_constraint": (1, "table_name"),
    "drop_constraint": (1, "table_name"),
    "create_foreign_key": (1, "source_table"),
}
#: batch_op.<name>(...) calls that touch the batch's table (all of them, in practice).
_BATCH_METHODS = frozenset({
    "add_column", "drop_column", "alter_column", "create_index", "drop_index",
    "create_unique_constraint", "create_check_constraint", "create_primary_key",
    "create_foreign_key", "drop_constraint", "create_table_comment", "drop_table_comment",
    "create_exclude_constraint",
})
_SQL_RE = re.compile(
    r"\b(?P<verb>CREATE\s+(?:UNLOGGED\s+|TEMP(?:ORARY)?\s+)?TABLE|DROP\s+TABLE|ALTER\s+TABLE)"
    r"\s+(?P<guard>IF\s+(?:NOT\s+)?EXISTS\s+)?(?:ONLY\s+)?(?P<name>[`\"\[]?[A-Za-z_][\w$]*[`\"\]]?"
    r"(?:\.[`\"\[]?[A-Za-z_][\w$]*[`\"\]]?)?)"
    r"(?:\s+RENAME\s+TO\s+(?P<new>[`\"\[]?[A-Za-z_][\w$]*[`\"\]]?))?",
    re.I,
)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
#: Blocks whose operations may not run.
_CONDITIONAL = frozenset({ast.If, ast.Try, ast.For, ast.AsyncFor, ast.While}
                         | ({ast.TryStar} if hasattr(ast, "TryStar") else set()))
#: Statements whose `value` is the only part walked (their targets are not).
_VALUED = frozenset({ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return})
#: Node classes with no call inside worth reading (the walk dispatches on exact classes).
_LEAF_TYPES = frozenset({
    ast.Name, ast.Constant, ast.Lambda, ast.Import, ast.ImportFrom, ast.Pass, ast.Break, ast.Continue,
    ast.Global, ast.Nonlocal, ast.Raise, ast.Assert, ast.Delete, ast.ClassDef,
    *ast.expr_context.__subclasses__(), *ast.operator.__subclasses__(), *ast.unaryop.__subclasses__(),
    *ast.cmpop.__subclasses__(), *ast.boolop.__subclasses__(),
})


def extract_ops(module, text: str | None = None) -> list[SchemaOp]:
    """The table-level operations of `def upgrade()`, in source order, with their lines.

    `module` is the `ast.Module` of `text` (the module's source; a libcst Module is accepted
    too: its source is parsed again with ast). Also reads the `upgrade_<engine>()` functions of
    multi-database templates and the module-level helper functions `upgrade()` calls.
    """
    if not isinstance(module, ast.Module):  # a libcst Module (older callers)
        text = module.code if text is None else text
        module = ast.parse(text)
    if text is None:
        text = ast.unparse(module)
    functions = {s.name: s for s in module.body if isinstance(s, _FUNCTIONS)}
    upgrade = functions.get("upgrade")
    if upgrade is None:
        return []
    seen = {"upgrade", "downgrade"}
    # Multi-database templates dispatch to upgrade_<engine>() through globals().
    extra = [f for name, f in functions.items() if name.startswith("upgrade_")]
    seen |= {f.name for f in extra}

    def read(function, guarded: bool) -> list[SchemaOp]:
        visitor = _OpVisitor(_LineFinder(text, function.name), functions, seen, read)
        visitor.walk(function)
        if guarded:
            return [replace(op, guarded=True) for op in visitor.ops]
        return visitor.ops

    ops = read(upgrade, False)
    for function in extra:
        ops += read(function, False)
    return ops


class _LineFinder:
    """Line numbers of the calls read from one function, found in the source text in order.

    The visitor meets calls in source order, so each lookup searches forward from the previous
    match (records stay identical to the libcst scanner's, which found lines this way).
    """

    def __init__(self, text: str, function_name: str) -> None:
        self.text = text
        # The first line that is `[ \t]*(?:async[ \t]+)?def[ \t]+NAME\b` (searched from `def`).
        pattern = _def_pattern(function_name)
        self.pos = len(text)
        match = pattern.search(text)
        while match is not None:
            start = match.start()
            if _DEF_PREFIX.fullmatch(text, text.rfind("\n", 0, start) + 1, start):
                self.pos = match.end()
                break
            match = pattern.search(text, start + 1)
        self._counted = (0, 1)
        """(offset, line at that offset): lines are counted forward from the previous match."""

    def line(self, owner: str | None, name: str) -> int:
        match = _call_pattern(owner, name).search(self.text, self.pos)
        if match is None:
            return 0
        self.pos = match.end()
        offset, line = self._counted
        start = match.start()
        if start < offset:  # never: matches move forward; kept correct anyway
            offset, line = 0, 1
        line += self.text.count("\n", offset, start)
        self._counted = (start, line)
        return line


_DEF_PREFIX = re.compile(r"[ \t]*(?:async[ \t]+)?")


@lru_cache(maxsize=64)
def _def_pattern(name: str) -> re.Pattern:
    return re.compile(rf"def[ \t]+{re.escape(name)}\b")


@lru_cache(maxsize=512)
def _call_pattern(owner: str | None, name: str) -> re.Pattern:
    if owner:
        # `\bop\s*\.`, written to start with the literal (which the regex engine searches fast).
        if re.fullmatch(r"\w+", owner):
            return re.compile(rf"{owner}(?<!\w{owner})\s*\.\s*{re.escape(name)}\s*\(")
        return re.compile(rf"\b{re.escape(owner)}\s*\.\s*{re.escape(name)}\s*\(")
    return re.compile(rf"(?<![\w])(?:\w+\s*\.\s*)?{re.escape(name)}\s*\(")


def _string(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _arg(args, keywords, position: int, keyword: str):
    if keyword in keywords:
        return keywords[keyword]
    if len(args) > position:
        return args[position]
    return None


def _constant(node) -> Any:
    """The value of a literal argument node (anything else is not a str and not True)."""
    return node.value if isinstance(node, ast.Constant) else None


def op_call_ops(name: str, args: list, keywords: dict, value: Callable[[Any], Any], add) -> None:
    """What `op.<name>(...)` does to tables, for both readers of a body (the ast visitor here and
    chaintui.fastscan): `value(argument)` is the argument's literal value, and
    `add(kind, table, op, new table, guarded)` records one operation (a falsy table is dropped)."""
    if name not in _OP_TABLE_ARG:
        return
    position, keyword = _OP_TABLE_ARG[name]
    table = _text(value(_arg(args, keywords, position, keyword)))
    if table is None:
        return
    schema = _text(value(keywords["schema"])) if "schema" in keywords else None
    table = _with_schema(table, schema)
    if name == "create_table":
        add(CREATE, table, name, None, value(keywords.get("if_not_exists")) is True)
    elif name == "drop_table":
        add(DROP, table, name, None, value(keywords.get("if_exists")) is True)
    elif name == "rename_table":
        new = _text(value(_arg(args, keywords, 1, "new_table_name")))
        add(RENAME, table, name, _with_schema(new, schema) if new else None, False)
    else:  # batch_alter_table used without `with ... as` still alters the table
        add(ALTER, table, name, None, False)
        if name == "create_foreign_key":
            referent = _text(value(_arg(args, keywords, 2, "referent_table")))
            if referent:
                referent_schema = _text(value(keywords["referent_schema"])) if "referent_schema" in keywords else None
                add(REFERENCE, f"{referent_schema}.{referent}" if referent_schema else referent, name, None, False)


def foreign_key_ops(args: list, keywords: dict, value: Callable[[Any], Any], add) -> None:
    """`ForeignKey("table.column")` references its table (see op_call_ops for the arguments)."""
    target = _text(value(_arg(args, keywords, 0, "column")))
    if target and "." in target:
        add(REFERENCE, target.rsplit(".", 1)[0], "ForeignKey", None, False)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _with_schema(table: str, schema: str | None) -> str:
    """`schema.table` for an op given `schema=`, unless the name is qualified already."""
    return f"{schema}.{table}" if schema and "." not in table else table


def _strip_quotes(name: str) -> str:
    return ".".join(part.strip('`"[]') for part in name.split("."))


def _is_op(func, name: str) -> bool:
    return (isinstance(func, ast.Attribute) and func.attr == name
            and isinstance(func.value, ast.Name) and func.value.id == "op")


def _split(call: ast.Call):
    args = [a for a in call.args if not isinstance(a, ast.Starred)]
    keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
    return args, keywords


def _arguments(call: ast.Call) -> list:
    """The argument expressions in source order (`f(x=1, *rest)` is legal Python)."""
    args, keywords = call.args, call.keywords
    if not keywords:
        return args
    values = [*args, *[k.value for k in keywords]]
    # Only a starred argument may follow a keyword: otherwise positional ones come first.
    if args and any(type(a) is ast.Starred for a in args):
        values.sort(key=lambda n: (n.lineno, n.col_offset))
    return values


class _OpVisitor:
    def __init__(self, lines: _LineFinder, functions: dict, seen: set[str], read) -> None:
        self.lines = lines
        self.functions = functions
        self.seen = seen
        self.read = read
        """Reads a helper function's ops where upgrade() calls it (each helper once)."""
        self.ops: list[SchemaOp] = []
        self.batch: dict[str, tuple[str, bool]] = {}
        """batch_op alias -> (table, guarded) for the with-blocks being visited."""
        self.depth = 0
        """How many if/try/for/while blocks enclose the current node."""
        self.entered = False

    def _line(self, node: ast.Call) -> int:
        """The line of a call; must be asked once per call, in source order."""
        func = node.func
        if isinstance(func, ast.Attribute):
            owner = func.value.id if isinstance(func.value, ast.Name) else None
            return self.lines.line(owner, func.attr)
        if isinstance(func, ast.Name):
            return self.lines.line(None, func.id)
        return 0

    def _add(self, kind: str, table: str | None, op: str, new: str | None = None,
             guarded: bool = False, *, line: int) -> None:
        if table:
            self.ops.append(SchemaOp(kind, table, line, new, op=op, guarded=guarded or self.depth > 0))

    def walk(self, node) -> None:
        """Visit the statements and calls under `node` in source order."""
        kind = type(node)
        if kind in _LEAF_TYPES:
            return
        if kind is ast.Call:
            self.visit_call(node)
            func = node.func
            if type(func) is ast.Attribute:
                if type(func.value) is not ast.Name:
                    self.walk(func.value)
            elif type(func) is not ast.Name:
                self.walk(func)
            for arg in _arguments(node):
                if type(arg) not in _LEAF_TYPES:
                    self.walk(arg)
        elif kind in _VALUED:
            if node.value is not None:
                self.walk(node.value)
        elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            # The function being read is the first one met; nested ones run only if called.
            if not self.entered:
                self.entered = True
                self.walk_body(node.body)
        elif kind is ast.With or kind is ast.AsyncWith:
            self.visit_with(node)
            for item in node.items:
                self.walk(item.context_expr)
            self.walk_body(node.body)
            self.leave_with(node)
        elif kind in _CONDITIONAL:
            self.depth += 1
            for child in ast.iter_child_nodes(node):
                self.walk(child)
            self.depth -= 1
        elif kind is ast.IfExp:  # source order: body if test else orelse
            self.walk(node.body)
            self.walk(node.test)
            self.walk(node.orelse)
        elif kind is ast.Dict:  # source order: key, value, key, value...
            for key, value in zip(node.keys, node.values):
                if key is not None:
                    self.walk(key)
                self.walk(value)
        elif kind is ast.List or kind is ast.Tuple or kind is ast.Set:
            for element in node.elts:
                self.walk(element)
        elif kind is ast.Attribute:
            self.walk(node.value)
        elif kind is ast.keyword or kind is ast.Starred:
            self.walk(node.value)
        else:
            for child in ast.iter_child_nodes(node):
                self.walk(child)

    def walk_body(self, body: list) -> None:
        for statement in body:
            self.walk(statement)

    def visit_with(self, node) -> None:
        for item in node.items:
            call = item.context_expr
            if not (isinstance(call, ast.Call) and _is_op(call.func, "batch_alter_table")):
                continue
            args, keywords = _split(call)
            table = _string(_arg(args, keywords, 0, "table_name"))
            if table and isinstance(item.optional_vars, ast.Name):
                schema = _string(keywords["schema"]) if "schema" in keywords else None
                self.batch[item.optional_vars.id] = (_with_schema(table, schema), self.depth > 0)

    def leave_with(self, node) -> None:
        for item in node.items:
            if isinstance(item.optional_vars, ast.Name):
                self.batch.pop(item.optional_vars.id, None)

    def visit_call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name):
            target = self.functions.get(func.id)
            if target is not None and func.id not in self.seen:
                self.seen.add(func.id)
                self.ops.extend(self.read(target, self.depth > 0))
            elif func.id == "ForeignKey":
                self._foreign_key(node)
            return
        if not isinstance(func, ast.Attribute):
            return
        name = func.attr
        if name == "ForeignKey":
            self._foreign_key(node)
            return
        if not isinstance(func.value, ast.Name):
            return
        owner = func.value.id
        if owner not in self.batch and owner != "op":
            return
        line = self._line(node)
        args, keywords = _split(node)
        if owner in self.batch:
            table, guarded = self.batch[owner]
            if name in _BATCH_METHODS:
                self._add(ALTER, table, f"batch_op.{name}", guarded=guarded, line=line)
            if name == "create_foreign_key":
                referent = _string(_arg(args, keywords, 1, "referent_table"))
                self._add(REFERENCE, referent, f"batch_op.{name}", guarded=guarded, line=line)
            return
        if name == "execute":
            self._execute(node, args, keywords, line)
            return
        op_call_ops(name, args, keywords, _constant,
                    lambda kind, table, op, new, guarded: self._add(kind, table, op, new, guarded, line=line))

    def _foreign_key(self, node: ast.Call) -> None:
        line = self._line(node)
        args, keywords = _split(node)
        foreign_key_ops(args, keywords, _constant,
                        lambda kind, table, op, new, guarded: self._add(kind, table, op, new, guarded, line=line))

    def _execute(self, node: ast.Call, args, keywords, line: int) -> None:
        sql_node = _arg(args, keywords, 0, "sqltext")
        if isinstance(sql_node, ast.Call):  # op.execute(sa.text("..."))
            first = _arguments(sql_node)
            if not first:
                return
            sql_node = first[0].value if isinstance(first[0], ast.Starred) else first[0]
        sql = _string(sql_node)
        if not sql:
            return
        for kind, table, new, guarded in sql_ops(sql):
            self._add(kind, table, "execute", new, guarded=guarded, line=line)


def sql_ops(sql: str) -> list[tuple[str, str, str | None, bool]]:
    """(kind, table, new name, guarded) of each table statement in literal SQL."""
    found = []
    for match in _SQL_RE.finditer(sql):
        verb = match.group("verb").split()[0].upper()
        table = _strip_quotes(match.group("name"))
        guarded = bool(match.group("guard"))
        if verb == "CREATE":
            found.append((CREATE, table, None, guarded))
        elif verb == "DROP":
            found.append((DROP, table, None, guarded))
        elif match.group("new"):
            found.append((RENAME, table, _strip_quotes(match.group("new")), guarded))
        else:
            found.append((ALTER, table, None, guarded))
    return found
