"""Statically read the schema operations (`op.*` calls) of a migration's upgrade(), and check
that every migration runs after the migrations that create the tables it needs.

Nothing here imports or runs a migration: `extract_ops` walks the libcst tree of `upgrade()`
(and the module-level helper functions it calls), `schema_problems` replays those operations
along the revision graph. Both stay quiet when they cannot know: a table only some branch of an
`if` touches is "guarded", a table nothing in the history creates is assumed to pre-exist (a
baseline may alter tables it never created), and revisions whose ancestry is cut (a missing
parent, a loop, a duplicated id) are left to those problems.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import replace

from chaintui.model import WARNING, Migration, Problem, SchemaOp

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


# --------------------------------------------------------------------------------------------
# Replaying the operations along the graph


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


def apply_ops(state: frozenset[str], ops: Iterable[SchemaOp]) -> frozenset[str]:
    """The set of existing tables after running `ops` on `state`."""
    ops = tuple(ops)
    if not any(op.kind in (CREATE, DROP, RENAME) for op in ops):
        return state
    tables = set(state)
    for op in ops:
        if op.kind == CREATE:
            tables.add(op.table)
        elif op.kind == DROP and not op.guarded:
            tables.discard(op.table)
        elif op.kind == RENAME and not op.guarded:
            tables.discard(op.table)
            if op.new_table:
                tables.add(op.new_table)
    return frozenset(tables)


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
    id the first file's ops are used unless `files_of` says otherwise.
    """

    def __init__(self, graph, parents_of: Callable[[str], Iterable[str]] | None = None,
                 ops_of: Callable[[str], tuple[SchemaOp, ...]] | None = None) -> None:
        self.graph = graph
        self.parents_of = parents_of or graph.parent_ids
        self.ops_of = ops_of or (lambda rev: graph.by_id[rev][0].ops)
        self._after: dict[str, frozenset[str]] = {}

    def before(self, parents: Iterable[str]) -> frozenset[str]:
        """Tables that exist once every one of `parents` is applied."""
        result: frozenset[str] = frozenset()
        for parent in parents:
            if parent in self.graph.by_id:
                after = self.after(parent)
                result = after if not result else result | after
        return result

    def after(self, rev: str) -> frozenset[str]:
        """Tables that exist once `rev` (and its ancestors) are applied."""
        if rev in self._after:
            return self._after[rev]
        # Iterative post-order: a history of 20,000 revisions must not hit the recursion limit.
        in_progress: set[str] = set()
        stack: list[tuple[str, bool]] = [(rev, False)]
        while stack:
            current, expanded = stack.pop()
            if current in self._after:
                continue
            parents = [p for p in self.parents_of(current) if p in self.graph.by_id]
            if not expanded:
                in_progress.add(current)
                stack.append((current, True))
                for parent in parents:
                    if parent not in self._after and parent not in in_progress:
                        stack.append((parent, False))
                continue
            in_progress.discard(current)
            state: frozenset[str] = frozenset()
            for parent in parents:
                parent_state = self._after.get(parent)  # missing: part of a loop, contributes nothing
                if parent_state:
                    state = parent_state if not state else state | parent_state
            self._after[current] = apply_ops(state, self.ops_of(current))
        return self._after[rev]


def table_presence(graph, tables: Iterable[str],
                   ops_of: Callable[[str], tuple[SchemaOp, ...]] | None = None) -> dict[str, dict[str, bool]]:
    """For each of a few `tables`: does it exist once each revision (and its ancestors) ran?

    The same replay as TableStates.after, restricted to the tables asked about, in one pass in
    topological order: O(revisions x tables) instead of copying whole table sets.
    """
    tables = list(dict.fromkeys(tables))
    ops_of = ops_of or (lambda rev: graph.by_id[rev][0].ops)
    result: dict[str, dict[str, bool]] = {t: {} for t in tables}
    if not tables:
        return result
    wanted = set(tables)
    for rev in graph.topological():
        parents = [p for p in graph.parent_ids(rev) if p in graph.by_id]
        ops = [op for op in ops_of(rev) if op.table in wanted or op.new_table in wanted]
        for table in tables:
            present = any(result[table].get(p, False) for p in parents)
            for op in ops:
                if op.kind == CREATE and op.table == table:
                    present = True
                elif op.kind in (DROP, RENAME) and not op.guarded:
                    if op.table == table:
                        present = False
                    if op.kind == RENAME and op.new_table == table:
                        present = True
            result[table][rev] = present
    return result


def clean_revisions(graph, *, allow_duplicates: bool = False) -> set[str]:
    """Ids whose whole ancestry is sound: every parent exists, no loop, no duplicated id.

    Schema order is only judged on these: elsewhere the history is broken in a way another
    problem already names, and the table replay would only add noise. `allow_duplicates`
    accepts duplicated ids (their files' parents and ops taken together), for ranking.
    """
    clean: set[str] = set()
    for rev in graph.topological():
        files = graph.by_id[rev]
        if (len(files) > 1 and not allow_duplicates) or not all(f.known("down_revision") for f in files):
            continue
        parents = graph.parent_ids(rev)
        if all(p in clean for p in parents):
            clean.add(rev)
    return clean


def _check(m: Migration, state: frozenset[str] | set[str], made_by: dict[str, list[Migration]],
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
        _apply_delta(op, added, removed)
    return found


def _apply_delta(op: SchemaOp, added: set[str], removed: set[str]) -> None:
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


def _apply_in_place(state: set[str], ops: Iterable[SchemaOp]) -> None:
    for op in ops:
        if op.kind == CREATE:
            state.add(op.table)
        elif op.kind in (DROP, RENAME) and not op.guarded:
            state.discard(op.table)
            if op.kind == RENAME and op.new_table:
                state.add(op.new_table)


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


def schema_problems(graph) -> list[Problem]:
    """`schema-order` warnings: a migration that alters/drops/references a table no ancestor
    creates (while something in the history does create it), or creates a table an ancestor
    already created. Only revisions with a sound ancestry are judged (see clean_revisions).

    One pass in topological order. A revision that is its parent's only child takes over the
    parent's table set and changes it in place, so sets are copied only at branch points and
    merges: linear in the size of a straight history (TableStates would copy every state).
    """
    made_by = creators(graph)
    if not made_by:
        return []
    clean = clean_revisions(graph)
    order = graph.topological()
    waiting = {rev: len(graph.child_ids(rev)) for rev in order}
    states: dict[str, set[str]] = {}
    problems = []
    for rev in order:
        parents = [p for p in graph.parent_ids(rev) if p in states]
        if len(parents) == 1 and waiting[parents[0]] == 1:
            state = states.pop(parents[0])
        else:
            state = set()
            for parent in parents:
                state |= states[parent]
        for parent in parents:
            waiting[parent] -= 1
            if waiting[parent] <= 0:
                states.pop(parent, None)
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
        _apply_in_place(state, m.ops)
        if waiting[rev] > 0:
            states[rev] = state
    return problems


def _whole(graph, parents_of: Callable[[str], Iterable[str]], revisions: Iterable[str]) -> set[str]:
    """Those of `revisions` whose ancestry under `parents_of` is whole: every parent declared
    by exactly one file, no loop. Iterative, memoised: long histories need no recursion."""
    state: dict[str, bool] = {}
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
    whole_after = _whole(graph, with_new, affected)
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
