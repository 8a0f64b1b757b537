"""A fast path for the common shape of migration file, read without `ast` (chaintui.scanner).

Most migrations are rendered from alembic's templates: a docstring header, imports, one-line
assignments of the ids, and `def upgrade()` / `def downgrade()` whose bodies are plain calls
(`op.create_table(...)`, `op.drop_index(...)`). `ast.parse` of such a file costs more than
everything else the scan does. Here each module-level line is matched by one regular
expression, and the function bodies are split into tokens by one regular expression and read
by a small parser of a strict subset of Python: calls, names, string and integer literals,
lists, keyword arguments. A file is accepted only if all of it is in that subset, which is
valid Python by construction; then `fast_record` returns the very record
`scanner._record(ast.parse(text), text)` gives (tests/test_fastscan.py compares both).
Anything else (a backslash, a tab, non-ASCII text, `with`, `if`, a helper function, a
decorator, a multi-line assignment...) returns None: the caller takes the full path.
"""

from __future__ import annotations

import ast
import keyword
import re
from typing import Any

from chaintui.model import KEYS, FieldInfo, SchemaOp
from chaintui.scanner import _UNKNOWN, _build
from chaintui.schema.extract import _arg, _LineFinder, foreign_key_ops, op_call_ops, sql_ops

_KEYWORDS = frozenset(keyword.kwlist)
_NAME = r"(?!(?:%s)\b)[A-Za-z_][A-Za-z0-9_]*" % "|".join(sorted(_KEYWORDS))
_DOTTED = rf"{_NAME}(?:[ ]*\.[ ]*{_NAME})*"
_STR = r"""'[^'\\\n]*'|"[^"\\\n]*\""""
_TRIPLE = r'''"""(?:[^"\\]|"(?!""))*"""|\'\'\'(?:[^'\\]|'(?!''))*\'\'\''''
_EOL = r"[ ]*(?:#[^\n]*)?(?:\n|\Z)"


_ALIASES = rf"{_NAME}(?:[ ]+as[ ]+{_NAME})?(?:[ ]*,[ ]*{_NAME}(?:[ ]+as[ ]+{_NAME})?)*"
_VALUE = (rf"{_STR}|None|True|False|0|[1-9][0-9]*"
          rf"|\((?:[ ]*(?:{_STR})[ ]*,)+(?:[ ]*(?:{_STR}))?[ ]*\)|\([ ]*\)"
          rf"|\[[ ]*(?:(?:{_STR})(?:[ ]*,[ ]*(?:{_STR}))*[ ]*,?[ ]*)?\]")
#: One module-level statement (or a run of blank and comment lines) before the first `def`.
_TOP = re.compile(
    r"(?P<blank>(?:[ ]*(?:#[^\n]*)?\n)+|[ ]*#[^\n]*\Z|[ ]+\Z)"
    rf"|(?P<doc>{_TRIPLE}|{_STR}){_EOL}"
    rf"|(?P<imp>import[ ]+{_DOTTED}(?:[ ]+as[ ]+{_NAME})?(?:[ ]*,[ ]*{_DOTTED}(?:[ ]+as[ ]+{_NAME})?)*"
    rf"|from[ ]+(?:\.*[ ]*{_DOTTED}|\.+)[ ]+import[ ]+(?:\*|{_ALIASES}|\([ ]*{_ALIASES}[ ]*,?[ ]*\))){_EOL}"
    rf"|(?P<name>{_NAME})[ ]*(?::(?P<annotation>[^=#;\n]*)(?:=[ ]*(?P<annotated>{_VALUE}))?"
    rf"|=[ ]*(?P<value>{_VALUE})){_EOL}"
)
_STR_ITEMS = re.compile(r"""'([^'\n]*)'|"([^"\n]*)\"""")
#: The tokens of function definitions, without the spaces before them: dotted names (`sa.Column`)
#: are one token; the last alternative catches any other character.
_TOKEN = re.compile(rf"[ ]*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|[(),=]|\n[ ]*|{_TRIPLE}|{_STR}"
                    rf"|[0-9][0-9A-Za-z_.]*|#[^\n]*|->|.)", re.S)
_OTHER = object()
"""The value of an expression that is neither a string, True, nor a call (None, a name, a list...)."""
_END = "\0"
_MAX_DEPTH = 40


class _Reject(Exception):
    """The file is not in the subset the fast path reads."""


def fast_record(text: str) -> dict[str, Any] | None:
    """The scanner's record of `text`, or None when the file is not of the simple shape."""
    if not text.isascii() or "\\" in text or not text.replace("\n", " ").isprintable():
        return None  # non-ASCII text, a backslash, a control character (tab, form feed, CR...)
    values: dict[str, Any] = {}
    fields: dict[str, FieldInfo] = {}
    docstrings: list[str] = []
    pos, size = 0, len(text)
    while pos < size:
        if text.startswith("def ", pos):
            break
        match = _TOP.match(text, pos)
        if match is None:
            return None
        pos = match.end()
        blank, doc, imported, target, annotation, annotated, raw = match.groups()
        if blank is not None or imported is not None:
            continue
        if doc is not None:
            docstrings.append(doc[3:-3] if len(doc) >= 6 and doc[:3] in ('"""', "'''") else doc[1:-1])
            continue
        if raw is None:
            if not _valid_annotation(annotation):
                return None
            raw = annotated
        if target not in KEYS or raw is None:
            continue
        value = _literal(raw)
        count = fields[target].count + 1 if target in fields else 1
        fields[target] = FieldInfo(line=text.count("\n", 0, match.start()) + 1, known=value is not _UNKNOWN,
                                   raw=raw, count=count)
        values[target] = value
    try:
        calls = _functions(_TOKEN.findall(text, pos) + [_END] * 4) if pos < size else None
    except (_Reject, IndexError):
        return None
    return _build(text, values, fields, docstrings, _ops(text, calls) if calls is not None else [])


def _valid_annotation(annotation: str) -> bool:
    """Whether `NAME: annotation` is valid Python (asked of `ast` once per distinct annotation:
    a project writes the same few, `str`, `Union[str, Sequence[str], None]`...)."""
    valid = _ANNOTATIONS.get(annotation)
    if valid is None:
        try:
            valid = len(ast.parse(f"_:{annotation}").body) == 1
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            valid = False
        if len(_ANNOTATIONS) < 1000:
            _ANNOTATIONS[annotation] = valid
    return valid


_ANNOTATIONS: dict[str, bool] = {}


def _literal(raw: str) -> Any:
    """The value of a _VALUE: str, None, a tuple of str, or _UNKNOWN (True, False, a number)."""
    first = raw[0]
    if first == "'" or first == '"':
        return raw[1:-1]
    if first == "(" or first == "[":
        return tuple(a or b for a, b in _STR_ITEMS.findall(raw))
    if raw == "None":
        return None
    return _UNKNOWN


# --------------------------------------------------------------------------------------------
# def upgrade() / def downgrade()


def _functions(tokens: list[str]) -> list[list] | None:
    """The calls of upgrade() to read (op.* and ForeignKey calls, in source order), or None when
    the module has no upgrade(). Raises _Reject when the text is not in the subset."""
    i = 0
    indent = ""
    names: set[str] = set()
    upgrade = None
    while True:
        token = tokens[i]
        while token[0] in "\n#":  # blank and comment lines
            if token[0] == "\n":
                indent = token[1:]
            i += 1
            token = tokens[i]
        if token == _END:
            return upgrade
        # def NAME() [-> NAME]: NEWLINE, at column 0
        name = tokens[i + 1]
        if indent or token != "def" or name not in ("upgrade", "downgrade") or name in names \
                or tokens[i + 2] != "(" or tokens[i + 3] != ")":
            raise _Reject
        names.add(name)
        i += 4
        if tokens[i] == "->":
            i = _dotted(tokens, i + 1, None) if tokens[i + 1] != "None" else i + 2
        if tokens[i] != ":":
            raise _Reject
        i += 1
        if tokens[i][0] == "#":
            i += 1
        if tokens[i][0] != "\n":
            raise _Reject
        calls: list[list] = []
        i, indent = _body(tokens, i, calls)
        if name == "upgrade":
            upgrade = calls


def _body(tokens: list[str], i: int, calls: list) -> tuple[int, str]:
    """Read a function's statements from the newline after its `def` line: (where the next
    top-level statement starts, its indentation)."""
    body_indent = None
    while True:
        token = tokens[i]
        indent = None
        while token[0] in "\n#":
            if token[0] == "\n":
                indent = token[1:]
            i += 1
            token = tokens[i]
        if token == _END or not indent:
            if body_indent is None:  # no statement
                raise _Reject
            return i, indent or ""
        if body_indent is None:
            body_indent = indent
        elif indent != body_indent:
            raise _Reject
        first = token[0]
        if token == "pass":
            i += 1
        elif first == "'" or first == '"':
            if len(token) < 2:
                raise _Reject
            i += 1
        else:  # a call
            parts: list[str] = []
            i = _dotted(tokens, i, parts)
            if tokens[i] != "(":
                raise _Reject
            i = _read_call(tokens, parts, i, calls, 0)[0]
        token = tokens[i]
        if token[0] == "#":
            i += 1
            token = tokens[i]
        if token[0] != "\n" and token != _END:
            raise _Reject


def _dotted(tokens: list[str], i: int, parts: list[str] | None) -> int:
    """Where the dotted name (`sa.func.now`, a token or several: `sa . func`) at `i` ends; its
    names are added to `parts`."""
    while True:
        token = tokens[i]
        first = token[0]
        if not (first.isalpha() or first == "_"):
            raise _Reject
        names = token.split(".") if "." in token else (token,)
        if not _KEYWORDS.isdisjoint(names):
            raise _Reject
        if parts is not None:
            parts += names
        i += 1
        if tokens[i] != ".":
            return i
        i += 1


def _expression(tokens: list[str], i: int, calls: list, depth: int) -> tuple[int, Any]:
    """Read one expression at `i`: (where it ends, its value: a str, True, a call, or _OTHER)."""
    if depth > _MAX_DEPTH:
        raise _Reject
    token = tokens[i]
    first = token[0]
    if first == "'" or first == '"':
        if len(token) < 2:
            raise _Reject
        if len(token) >= 6 and token[:3] in ('"""', "'''"):
            return i + 1, token[3:-3]
        return i + 1, token[1:-1]
    if first.isalpha() or first == "_":
        if token == "True":
            return i + 1, True
        if token == "None" or token == "False":
            return i + 1, _OTHER
        following = tokens[i + 1]
        if following == "(":  # a call of a name written as one token: `sa.Column(`
            parts = token.split(".")
            if not _KEYWORDS.isdisjoint(parts):
                raise _Reject
            return _read_call(tokens, parts, i + 1, calls, depth + 1)
        if following != ".":
            if token in _KEYWORDS or ("." in token and not _KEYWORDS.isdisjoint(token.split("."))):
                raise _Reject
            return i + 1, _OTHER
        parts = []
        i = _dotted(tokens, i, parts)
        if tokens[i] != "(":
            return i, _OTHER
        return _read_call(tokens, parts, i, calls, depth + 1)
    if first == "[":
        i += 1
        while tokens[i][0] in "\n#":
            i += 1
        while tokens[i] != "]":
            i = _after_item(tokens, _expression(tokens, i, calls, depth + 1)[0], "]")
        return i + 1, _OTHER
    if first.isdigit() and token.isdigit() and (token == "0" or first != "0"):
        return i + 1, _OTHER
    raise _Reject


def _read_call(tokens: list[str], parts: list[str], i: int, calls: list, depth: int) -> tuple[int, list]:
    """The call of the dotted name `parts` whose `(` is at `i`:
    [callee parts, positional values, keyword values, all values in source order]."""
    args: list = []
    keywords: dict[str, Any] = {}
    every: list = []
    call = [parts, args, keywords, every]
    if parts[-1] == "ForeignKey" or (len(parts) == 2 and parts[0] == "op"):
        calls.append(call)  # in source order: before the calls in its arguments
    i += 1
    while tokens[i][0] in "\n#":
        i += 1
    while tokens[i] != ")":
        token = tokens[i]
        if tokens[i + 1] == "=":
            first = token[0]
            if not (first.isalpha() or first == "_") or "." in token or token in _KEYWORDS:
                raise _Reject
            i += 2
            while tokens[i][0] in "\n#":
                i += 1
            i, value = _expression(tokens, i, calls, depth)
            keywords[token] = value
        else:
            if keywords:  # a positional argument after a keyword one
                raise _Reject
            i, value = _expression(tokens, i, calls, depth)
            args.append(value)
        every.append(value)
        i = _after_item(tokens, i, ")")
    return i + 1, call


def _after_item(tokens: list[str], i: int, close: str) -> int:
    """Past the comma (and the blank lines and comments around it) after an item of a list or
    call; at `close` when that item was the last."""
    while tokens[i][0] in "\n#":
        i += 1
    if tokens[i] == ",":
        i += 1
        while tokens[i][0] in "\n#":
            i += 1
    elif tokens[i] != close:
        raise _Reject
    return i


# --------------------------------------------------------------------------------------------
# The operations, as chaintui.schema.extract's visitor reads them from the same calls


def _ops(text: str, calls: list[list]) -> list[SchemaOp]:
    """The operations of upgrade()'s calls, read by the same rules as the ast path
    (chaintui.schema.extract: op_call_ops, foreign_key_ops); argument values are literals already."""
    lines = _LineFinder(text, "upgrade")
    ops: list[SchemaOp] = []
    line = 0

    def add(kind: str, table: str, op: str, new: str | None, guarded: bool) -> None:
        if table:
            ops.append(SchemaOp(kind, table, line, new, op=op, guarded=guarded))

    for parts, args, keywords, _ in calls:
        name = parts[-1]
        if name == "ForeignKey":
            line = lines.line(parts[0] if len(parts) == 2 else None, name)
            foreign_key_ops(args, keywords, _same, add)
            continue
        line = lines.line("op", name)
        if name == "execute":
            sql = _arg(args, keywords, 0, "sqltext")
            if type(sql) is list:  # op.execute(sa.text("..."))
                if not sql[3]:
                    continue
                sql = sql[3][0]
            if isinstance(sql, str) and sql:
                for kind, table, new, guarded in sql_ops(sql):
                    add(kind, table, "execute", new, guarded)
            continue
        op_call_ops(name, args, keywords, _same, add)
    return ops


def _same(value: Any) -> Any:
    return value
