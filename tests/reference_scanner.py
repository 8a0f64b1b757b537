"""The libcst scanner chaintui used up to SCANNER_VERSION 5, kept as a reference implementation.

tests/test_scanner_equivalence.py runs it and chaintui.scanner over the same files and compares
the records. Nothing in chaintui imports it. The original docstring follows.

Read migration files statically with libcst: never import or execute them.

The scan extracts `revision`, `down_revision`, `branch_labels`, `depends_on` (plain or annotated
assignments at module level, the last one wins), the human header (docstring wherever it stands,
or `#` comments), and the schema operations of `upgrade()`. A file that cannot be read or parsed
becomes a Migration with `error` set; the scan goes on.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bisect import bisect_right
from dataclasses import replace

from chaintui.model import KEYS, FieldInfo, Header, Migration, SchemaOp


_UNKNOWN = object()
_HEADER_RE = re.compile(r"^[ \t]*(?:#[ \t]*)?(Revision ID|Revises|Create Date)[ \t]*:[ \t]*(.*?)[ \t\r]*$", re.M)


def scan_file(path: Path, rel: str, data: bytes | None = None) -> Migration:
    """Scan one file (its bytes may be passed in when already read)."""
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            return Migration(path=path, rel=rel, error=f"cannot read: {exc.strerror or exc}")
    record = scan_bytes(data)
    return Migration(path=path, rel=rel, **record)


def scan_bytes(data: bytes) -> dict[str, Any]:
    """The cacheable part of a Migration, from a file's bytes."""
    if b"\0" in data:
        return _error("binary file (contains NUL bytes)")
    import libcst as cst  # deferred: a fully cached scan never needs it

    try:
        module = cst.parse_module(data)
    except cst.ParserSyntaxError as exc:
        return _error(f"syntax error: {_first_line(exc.message)}", exc.raw_line or None)
    except (UnicodeDecodeError, LookupError, SyntaxError) as exc:
        return _error(f"cannot decode: {_first_line(str(exc))}")
    except Exception as exc:  # libcst raises a few internal errors on odd input
        return _error(f"cannot parse: {_first_line(str(exc)) or type(exc).__name__}")

    text = module.code
    values: dict[str, Any] = {}
    fields: dict[str, FieldInfo] = {}
    docstrings: list[str] = []
    # Line numbers from the tree itself (module.code is the header plus each statement's code),
    # not from a regex over the text, which a string holding "revision = ..." would fool.
    line = 1 + sum(module.code_for_node(empty).count("\n") for empty in module.header)
    for statement in module.body:
        start = line + len(statement.leading_lines)
        line += module.code_for_node(statement).count("\n")
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
                value = _literal(small.value)
                if isinstance(value, str):
                    docstrings.append(value)
                continue
            target, value_node = _assignment(small)
            if target not in KEYS or value_node is None:
                continue
            value = _literal(value_node)
            count = fields[target].count + 1 if target in fields else 1
            fields[target] = FieldInfo(
                line=start, known=value is not _UNKNOWN,
                raw=module.code_for_node(value_node), count=count,
            )
            values[target] = value

    header = _header(text, docstrings)
    revision = values.get("revision", _UNKNOWN)
    record = {
        "revision": None,
        "down_revision": _as_tuple(values.get("down_revision")),
        "branch_labels": _as_tuple(values.get("branch_labels")),
        "depends_on": _as_tuple(values.get("depends_on")),
        "fields": fields,
        "header": header,
        "ops": tuple(extract_ops(module, text)),
        "error": None,
        "error_line": None,
    }
    if "revision" not in fields:
        record["error"] = "no module-level `revision = ...` assignment"
    elif revision is _UNKNOWN or not isinstance(revision, str):
        record["error"] = f"revision is not a literal string ({fields['revision'].raw})"
        record["error_line"] = fields["revision"].line
    elif "down_revision" not in fields:
        record["error"] = "no module-level `down_revision = ...` assignment (use None for a base)"
    else:
        record["revision"] = revision
    return record


def _error(message: str, line: int | None = None) -> dict[str, Any]:
    return {"error": message, "error_line": line}


def _first_line(message: str) -> str:
    return " ".join(message.strip().splitlines()[:1]) if message else ""


def _assignment(small) -> tuple[str | None, Any]:
    import libcst as cst

    if isinstance(small, cst.Assign):
        if len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
            return small.targets[0].target.value, small.value
        # `revision = rev = "x"` chains: every Name target gets the value.
        for target in small.targets:
            if isinstance(target.target, cst.Name) and target.target.value in KEYS:
                return target.target.value, small.value
        return None, None
    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
        return small.target.value, small.value
    return None, None


def _literal(node) -> Any:
    """A statically known value: str, None, or a tuple of str; else _UNKNOWN."""
    import libcst as cst

    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        try:
            value = node.evaluated_value
        except Exception:
            return _UNKNOWN
        return value if isinstance(value, str) else _UNKNOWN
    if isinstance(node, cst.Name) and node.value == "None":
        return None
    if isinstance(node, (cst.Tuple, cst.List)):
        items = []
        for element in node.elements:
            if not isinstance(element, cst.Element):
                return _UNKNOWN
            value = _literal(element.value)
            if not isinstance(value, str):
                return _UNKNOWN
            items.append(value)
        return tuple(items)
    return _UNKNOWN


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None or value is _UNKNOWN:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _header(text: str, docstrings: list[str]) -> Header:
    doc = next((d for d in docstrings if "Revision ID" in d or "Revises" in d), None)
    message = None
    if docstrings:
        first = docstrings[0].strip().splitlines()
        message = first[0].strip() if first else None
        if message and re.match(r"^(Revision ID|Revises)\s*:", message):
            message = None
    found: dict[str, tuple[str, int]] = {}
    in_comments = False
    for match in _HEADER_RE.finditer(text):
        label, value = match.group(1), match.group(2)
        line_text = text[match.start():match.end()].lstrip()
        is_comment = line_text.startswith("#")
        if not is_comment and doc is None:
            continue
        if label not in found:
            found[label] = (value, text.count("\n", 0, match.start()) + 1)
            in_comments = in_comments or is_comment
    if not found:
        return Header(message=message)
    rev = found.get("Revision ID")
    revises = found.get("Revises")
    return Header(
        revision_id=rev[0] or None if rev else None,
        revises=_parse_revises(revises[0]) if revises else None,
        create_date=found["Create Date"][0] if "Create Date" in found else None,
        message=message,
        revision_line=rev[1] if rev else None,
        revises_line=revises[1] if revises else None,
        in_comments=in_comments,
    )


def _parse_revises(value: str) -> tuple[str, ...]:
    value = value.strip().strip("()[]")
    if value in ("", "None"):
        return ()
    return tuple(p.strip().strip("'\"") for p in value.split(",") if p.strip().strip("'\""))


# --------------------------------------------------------------------------------------------
# The libcst extraction of schema operations (chaintui/schema.py up to SCANNER_VERSION 5)

#: Kinds of SchemaOp, by what they do to the set of existing tables.
CREATE, DROP, RENAME, ALTER, REFERENCE = "create_table", "drop_table", "rename_table", "alter_table", "reference"

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


def extract_ops(module, text: str | None = None) -> list[SchemaOp]:
    """The table-level operations of `def upgrade()`, in source order, with their lines.

    Reads `op.*` calls, `with op.batch_alter_table("t") as batch_op:` blocks (every
    `batch_op.*` call alters "t"), `sa.ForeignKey("t.id")` / `op.create_foreign_key` targets
    (REFERENCE: the table must exist), literal `op.execute("CREATE TABLE ...")` SQL, and the
    module-level helper functions `upgrade()` calls. `text` is the module's source (the scanner
    has it already; regenerating it costs more than the rest of this function). Ops under `if`/`try` or with
    `if_not_exists`/`if_exists` are marked `guarded` (they may not run, or may be no-ops).
    """
    import libcst as cst

    functions = {
        s.name.value: s for s in module.body if isinstance(s, cst.FunctionDef)
    }
    upgrade = functions.get("upgrade")
    if upgrade is None:
        return []
    seen = {"upgrade", "downgrade"}
    # Multi-database templates dispatch to upgrade_<engine>() through globals().
    extra = [f for name, f in functions.items() if name.startswith("upgrade_")]
    seen |= {f.name.value for f in extra}
    if text is None:
        text = module.code
    visitor_class = _visitor_class()

    def read(function, guarded: bool) -> list[SchemaOp]:
        visitor = visitor_class(_LineFinder(text, function), functions, seen, read)
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
    match; far cheaper than resolving libcst's position metadata for the whole module.
    """

    def __init__(self, text: str, function) -> None:
        self.text = text
        name = re.escape(function.name.value)
        match = re.search(rf"^[ \t]*(?:async[ \t]+)?def[ \t]+{name}\b", text, re.M)
        self.pos = match.end() if match else len(text)
        self._newlines: list[int] | None = None

    def line(self, owner: str | None, name: str) -> int:
        prefix = rf"\b{re.escape(owner)}\s*\.\s*" if owner else r"(?<![\w])(?:\w+\s*\.\s*)?"
        match = re.compile(rf"{prefix}{re.escape(name)}\s*\(").search(self.text, self.pos)
        if match is None:
            return 0
        self.pos = match.end()
        if self._newlines is None:
            self._newlines = [i for i, ch in enumerate(self.text) if ch == "\n"]
        return bisect_right(self._newlines, match.start()) + 1


def _string(node) -> str | None:
    import libcst as cst

    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        try:
            value = node.evaluated_value
        except Exception:
            return None
        return value if isinstance(value, str) else None
    return None


def _arg(args, keywords, position: int, keyword: str):
    if keyword in keywords:
        return keywords[keyword]
    if len(args) > position:
        return args[position]
    return None


def _qualified(table: str, keywords) -> str:
    schema = _string(keywords.get("schema")) if "schema" in keywords else None
    return f"{schema}.{table}" if schema and "." not in table else table


def _truthy(node) -> bool:
    import libcst as cst

    return isinstance(node, cst.Name) and node.value == "True"


def _strip_quotes(name: str) -> str:
    return ".".join(part.strip('`"[]') for part in name.split("."))


def _visitor_class():
    import libcst as cst

    _LEAVES = (cst.Name, cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary, cst.Comment,
               cst.Newline, cst.EmptyLine, cst.Pass, cst.Import, cst.ImportFrom, cst.Lambda)

    class OpVisitor:
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

        def _line(self, node) -> int:
            """The line of a call; must be asked once per call, in source order."""
            func = node.func
            if isinstance(func, cst.Attribute):
                owner = func.value.value if isinstance(func.value, cst.Name) else None
                return self.lines.line(owner, func.attr.value)
            if isinstance(func, cst.Name):
                return self.lines.line(None, func.value)
            return 0

        def _add(self, kind: str, table: str | None, node, op: str, new: str | None = None,
                  guarded: bool = False, line: int | None = None) -> int:
            """Record one op; returns its line so a second op of the same call can reuse it."""
            if line is None:
                line = self._line(node)
            if table:
                self.ops.append(SchemaOp(kind, table, line, new, op=op,
                                         guarded=guarded or self.depth > 0))
            return line

        def walk(self, node) -> None:
            """Visit the statements and calls under `node` in source order.

            A hand-written walk over the node types migrations use (libcst's generic visitor
            costs more than parsing the file); anything else falls back to `children`.
            """
            if isinstance(node, _LEAVES):
                return
            if isinstance(node, cst.Call):
                self.visit_Call(node)
                if not isinstance(node.func, (cst.Name, cst.Attribute)):
                    self.walk(node.func)
                elif isinstance(node.func, cst.Attribute) and not isinstance(node.func.value, cst.Name):
                    self.walk(node.func.value)
                for arg in node.args:
                    self.walk(arg.value)
            elif isinstance(node, cst.SimpleStatementLine):
                for small in node.body:
                    value = getattr(small, "value", None)
                    if value is not None:
                        self.walk(value)
            elif isinstance(node, (cst.IndentedBlock, cst.SimpleStatementSuite)):
                for statement in node.body:
                    self.walk(statement)
            elif isinstance(node, cst.FunctionDef):
                # The function being read is the first one met; nested ones run only if called.
                if not self.entered:
                    self.entered = True
                    self.walk(node.body)
            elif isinstance(node, cst.ClassDef):
                return
            elif isinstance(node, cst.With):
                self.visit_With(node)
                for item in node.items:
                    self.walk(item.item)
                self.walk(node.body)
                self.leave_With(node)
            elif isinstance(node, (cst.If, cst.Try, cst.For, cst.While, cst.TryStar)
                            if hasattr(cst, "TryStar") else (cst.If, cst.Try, cst.For, cst.While)):
                # Conditional blocks: their ops may not run.
                self.depth += 1
                for child in node.children:
                    self.walk(child)
                self.depth -= 1
            elif isinstance(node, (cst.List, cst.Tuple, cst.Set)):
                for element in node.elements:
                    self.walk(element.value)
            else:
                for child in node.children:
                    self.walk(child)

        def visit_With(self, node) -> None:
            for item in node.items:
                call = item.item
                if not (isinstance(call, cst.Call) and _is_op(call.func, "batch_alter_table")):
                    continue
                args, keywords = _split(call)
                table = _string(_arg(args, keywords, 0, "table_name"))
                if table and item.asname is not None and isinstance(item.asname.name, cst.Name):
                    self.batch[item.asname.name.value] = (_qualified(table, keywords), self.depth > 0)

        def leave_With(self, node) -> None:
            for item in node.items:
                if item.asname is not None and isinstance(item.asname.name, cst.Name):
                    self.batch.pop(item.asname.name.value, None)

        def visit_Call(self, node) -> None:
            func = node.func
            if isinstance(func, cst.Name):
                target = self.functions.get(func.value)
                if target is not None and func.value not in self.seen:
                    self.seen.add(func.value)
                    self.ops.extend(self.read(target, self.depth > 0))
                elif func.value == "ForeignKey":
                    self._foreign_key(node)
                return
            if not isinstance(func, cst.Attribute):
                return
            name = func.attr.value
            if name == "ForeignKey":
                self._foreign_key(node)
                return
            if not isinstance(func.value, cst.Name):
                return
            owner = func.value.value
            if owner not in self.batch and owner != "op":
                return
            line = self._line(node)
            args, keywords = _split(node)
            if owner in self.batch:
                table, guarded = self.batch[owner]
                if name in _BATCH_METHODS:
                    self._add(ALTER, table, node, f"batch_op.{name}", guarded=guarded, line=line)
                if name == "create_foreign_key":
                    referent = _string(_arg(args, keywords, 1, "referent_table"))
                    self._add(REFERENCE, referent, node, f"batch_op.{name}", guarded=guarded, line=line)
                return
            if name == "execute":
                self._execute(node, args, keywords, line)
                return
            if name not in _OP_TABLE_ARG:
                return
            position, keyword = _OP_TABLE_ARG[name]
            table = _string(_arg(args, keywords, position, keyword))
            if table is None:
                return
            table = _qualified(table, keywords)
            if name == "create_table":
                self._add(CREATE, table, node, "create_table", guarded=_truthy(keywords.get("if_not_exists")), line=line)
            elif name == "drop_table":
                self._add(DROP, table, node, "drop_table", guarded=_truthy(keywords.get("if_exists")), line=line)
            elif name == "rename_table":
                new = _string(_arg(args, keywords, 1, "new_table_name"))
                self._add(RENAME, table, node, "rename_table", _qualified(new, keywords) if new else None, line=line)
            elif name == "batch_alter_table":
                # Used without `with ... as`: still alters the table.
                self._add(ALTER, table, node, name, line=line)
            else:
                self._add(ALTER, table, node, name, line=line)
                if name == "create_foreign_key":
                    referent = _string(_arg(args, keywords, 2, "referent_table"))
                    if referent:
                        schema = _string(keywords.get("referent_schema")) if "referent_schema" in keywords else None
                        self._add(REFERENCE, f"{schema}.{referent}" if schema else referent, node, name, line=line)

        def _foreign_key(self, node) -> None:
            line = self._line(node)
            args, keywords = _split(node)
            target = _string(_arg(args, keywords, 0, "column"))
            if target and "." in target:
                self._add(REFERENCE, target.rsplit(".", 1)[0], node, "ForeignKey", line=line)

        def _execute(self, node, args, keywords, line: int) -> None:
            sql_node = _arg(args, keywords, 0, "sqltext")
            if isinstance(sql_node, cst.Call) and sql_node.args:  # op.execute(sa.text("..."))
                sql_node = sql_node.args[0].value
            sql = _string(sql_node)
            if not sql:
                return
            for match in _SQL_RE.finditer(sql):
                verb = match.group("verb").split()[0].upper()
                table = _strip_quotes(match.group("name"))
                guarded = bool(match.group("guard"))
                if verb == "CREATE":
                    self._add(CREATE, table, node, "execute", guarded=guarded, line=line)
                elif verb == "DROP":
                    self._add(DROP, table, node, "execute", guarded=guarded, line=line)
                elif match.group("new"):
                    self._add(RENAME, table, node, "execute", _strip_quotes(match.group("new")), guarded=guarded, line=line)
                else:
                    self._add(ALTER, table, node, "execute", guarded=guarded, line=line)

    return OpVisitor


def _is_op(func, name: str) -> bool:
    import libcst as cst

    return (isinstance(func, cst.Attribute) and func.attr.value == name
            and isinstance(func.value, cst.Name) and func.value.value == "op")


def _split(call):
    args = [a.value for a in call.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    return args, keywords
