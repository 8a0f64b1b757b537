"""Read migration files statically with the standard library's `ast`: never import or run them.

The scan extracts `revision`, `down_revision`, `branch_labels`, `depends_on` (plain or annotated
assignments at module level, the last one wins), the human header (docstring wherever it stands,
or `#` comments), and the schema operations of `upgrade()` (chaintui.schema.extract). A file that
cannot be read or parsed becomes a Migration with `error` set; the scan goes on. When such a file
still declares its ids on plain lines (a Python 2 file, a syntax error further down, a file too
large to parse), the ids are read from those lines, so its children do not look orphaned; the
parse error is reported all the same.

Files of the common shape (alembic's templates: one-line assignments, `upgrade()` and
`downgrade()` made of plain calls) are read by chaintui.fastscan without `ast`, to the same
record; every other file takes the full path below.

libcst is only used where a fix rewrites a file (chaintui.rewrite): `ast` parses several times
faster, and nothing here needs its byte-exact tree. tests/reference_scanner.py keeps the libcst
scanner this replaced, and a test proves both give identical records.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from chaintui.model import KEYS, FieldInfo, Header, Migration

#: Bump when the record format or extraction rules change: cached records are then re-read.
SCANNER_VERSION = 6

#: Files larger than this are not parsed: `ast` needs ~120 bytes of memory per byte of source
#: (a 2.7 MB file peaks at 340 MB). Their ids are read from the first MAX_SCAN_BYTES instead.
MAX_SCAN_BYTES = 1 << 20

_UNKNOWN = object()
_LABELS = ("Revision ID", "Revises", "Create Date")
_HEADER_RE = re.compile(r"^[ \t]*(?:#[ \t]*)?(Revision ID|Revises|Create Date)[ \t]*:[ \t]*(.*?)[ \t\r]*$", re.M)


def scan_file(path: Path, rel: str, data: bytes | None = None) -> Migration:
    """Scan one file (its bytes may be passed in when already read)."""
    if data is None:
        from chaintui.analysis import FileTooLarge, NotRegularFile, read_file

        try:
            data = read_file(str(path))
        except NotRegularFile as exc:
            return Migration(path=path, rel=rel, error=str(exc))
        except FileTooLarge as exc:
            return Migration(path=path, rel=rel, **scan_oversized(exc.prefix, exc.size))
        except OSError as exc:
            return Migration(path=path, rel=rel, error=f"cannot read: {exc.strerror or exc}")
    record = scan_bytes(data)
    return Migration(path=path, rel=rel, **record)


def scan_bytes(data: bytes) -> dict[str, Any]:
    """The cacheable part of a Migration, from a file's bytes."""
    if b"\0" in data:
        return _error("binary file (contains NUL bytes)")
    if len(data) > MAX_SCAN_BYTES:
        return scan_oversized(data[:MAX_SCAN_BYTES], len(data))
    try:
        text = decode(data)
    except (UnicodeDecodeError, LookupError, SyntaxError) as exc:
        return _error(f"cannot decode: {_first_line(str(exc))}")
    from chaintui.fastscan import fast_record

    record = fast_record(text)  # the common shape of file, read without a full parse
    if record is not None:
        return record
    try:
        return _record(ast.parse(text), text)
    except SyntaxError as exc:
        return _unparsable(text, f"syntax error: {_first_line(exc.msg)}", exc.lineno)
    except (RecursionError, MemoryError):
        # CPython's parser refuses over ~200 nested brackets itself; other deep nesting
        # (`- - - ... 1`, long attribute chains) ends here instead of in a crash.
        return _unparsable(text, "too deeply nested to parse")


def scan_oversized(prefix: bytes, size: int) -> dict[str, Any]:
    """The record of a file over MAX_SCAN_BYTES, from its first bytes: a parse error that still
    names the ids its plain assignment (or header) lines declare."""
    message = (f"too large to scan ({size / 1e6:.1f} MB, the limit is {MAX_SCAN_BYTES / 1e6:.1f} MB): "
               "ids read from its plain lines, schema operations not read")
    if b"\0" in prefix:
        return _error("binary file (contains NUL bytes)")
    try:
        text = decode(prefix, partial=True)
    except (UnicodeDecodeError, LookupError, SyntaxError) as exc:
        return _error(f"cannot decode: {_first_line(str(exc))}")
    return _unparsable(text, message)


def decode(data: bytes, partial: bool = False) -> str:
    """Source bytes as text, honouring a BOM or a PEP 263 `coding:` line like Python does."""
    if data.isascii() and b"coding" not in b"".join(data.split(b"\n", 2)[:2]):
        return data.decode("ascii")  # the common case: no BOM and no `coding:` line
    import io
    import tokenize

    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    if partial:  # cut at MAX_SCAN_BYTES: the last character may be cut in two
        return data.decode(encoding, errors="ignore")
    return data.decode(encoding)


def _record(module: ast.Module, text: str) -> dict[str, Any]:
    from chaintui.schema.extract import extract_ops

    values: dict[str, Any] = {}
    fields: dict[str, FieldInfo] = {}
    docstrings: list[str] = []
    lines = _Lines(text)
    logical_start = 0
    previous_end = -1
    for statement in module.body:
        # Statements joined by `;` share the line the first of them starts on.
        start = statement.lineno
        if start == previous_end and logical_start:
            start = logical_start
        logical_start = start
        previous_end = statement.end_lineno if isinstance(statement, _SIMPLE) else -1
        if isinstance(statement, ast.Expr):
            value = statement.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                docstrings.append(value.value)
            continue
        target, value_node, after = _assignment(statement)
        if target not in KEYS or value_node is None:
            continue
        value = _literal(value_node)
        count = fields[target].count + 1 if target in fields else 1
        fields[target] = FieldInfo(
            line=start, known=value is not _UNKNOWN,
            raw=lines.value_source(after, value_node), count=count,
        )
        values[target] = value
    return _build(text, values, fields, docstrings, extract_ops(module, text))


def _build(text: str, values: dict[str, Any], fields: dict[str, FieldInfo], docstrings: list[str],
           ops: list) -> dict[str, Any]:
    """The record from what was read of a module (by _record, or by chaintui.fastscan)."""
    header = _header(text, docstrings)
    revision = values.get("revision", _UNKNOWN)
    record = {
        "revision": None,
        "down_revision": _as_tuple(values.get("down_revision")),
        "branch_labels": _as_tuple(values.get("branch_labels")),
        "depends_on": _as_tuple(values.get("depends_on")),
        "fields": fields,
        "header": header,
        "ops": tuple(ops),
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


#: Statement kinds that end on their own line (a `;` may follow them).
_SIMPLE = (ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Import, ast.ImportFrom, ast.Pass,
           ast.Delete, ast.Global, ast.Nonlocal, ast.Assert, ast.Raise, ast.Return, ast.Break,
           ast.Continue)


class _Lines:
    """Source text addressed by ast positions (1-based lines, UTF-8 byte columns)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._ascii = text.isascii()
        self._starts = [0]
        """Offsets of the lines found so far (the assignments come early: no need for all)."""

    def offset(self, lineno: int, col: int) -> int:
        """The text offset of an ast (line, byte column)."""
        starts, text = self._starts, self.text
        while len(starts) <= lineno:
            newline = text.find("\n", starts[-1])
            starts.append(len(text) if newline < 0 else newline + 1)
        begin = starts[lineno - 1]
        if col and not self._ascii:
            col = len(text[begin:starts[lineno]].encode("utf-8")[:col].decode("utf-8", errors="ignore"))
        return begin + col

    def value_source(self, after: tuple[int, int], node: ast.expr) -> str:
        """The value's source exactly as written, with the parentheses around it (as libcst's
        code_for_node gives it): from the first token after the `=` that follows `after` to
        the value's end, plus one closing bracket for each opening one before the value."""
        text = self.text
        start = self._token(text.find("=", self.offset(*after)) + 1)
        begin = self.offset(node.lineno, node.col_offset)
        end = self.offset(node.end_lineno, node.end_col_offset)
        for _ in range(text.count("(", start, begin)):
            close = self._token(end)
            if not text.startswith(")", close):
                break
            end = close + 1
        return text[start:end]

    def _token(self, pos: int) -> int:
        """The first offset from `pos` that is not whitespace, a line continuation or a comment."""
        text = self.text
        while pos < len(text):
            ch = text[pos]
            if ch in " \t\\\r\n\f":
                pos += 1
            elif ch == "#":
                newline = text.find("\n", pos)
                pos = len(text) if newline < 0 else newline
            else:
                break
        return pos


def _error(message: str, line: int | None = None) -> dict[str, Any]:
    return {"error": message, "error_line": line}


def _first_line(message: str) -> str:
    return " ".join(message.strip().splitlines()[:1]) if message else ""


def _assignment(statement) -> tuple[str | None, Any, tuple[int, int]]:
    """(name, value node, where the text before the `=` ends) of a module-level assignment."""
    if isinstance(statement, ast.Assign):
        targets = statement.targets
        last = targets[-1]
        after = (last.end_lineno, last.end_col_offset)
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            return targets[0].id, statement.value, after
        # `revision = rev = "x"` chains: every Name target gets the value.
        for target in targets:
            if isinstance(target, ast.Name) and target.id in KEYS:
                return target.id, statement.value, after
        return None, None, after
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        annotation = statement.annotation
        return statement.target.id, statement.value, (annotation.end_lineno, annotation.end_col_offset)
    return None, None, (0, 0)


def _literal(node) -> Any:
    """A statically known value: str, None, or a tuple of str; else _UNKNOWN."""
    if isinstance(node, ast.Constant):
        value = node.value
        if value is None or isinstance(value, str):
            return value
        return _UNKNOWN
    if isinstance(node, (ast.Tuple, ast.List)):
        items = []
        for element in node.elts:
            if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
                return _UNKNOWN
            items.append(element.value)
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
    for match in _header_lines(text):
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


def _header_lines(text: str):
    """_HEADER_RE.finditer(text), faster: only the lines where a label occurs are tried."""
    found = []
    for label in _LABELS:
        at = text.find(label)
        while at >= 0:
            found.append(text.rfind("\n", 0, at) + 1)
            at = text.find(label, at + len(label))
    if len(found) > 1:
        found = sorted(set(found))
    for start in found:
        match = _HEADER_RE.match(text, start)
        if match is not None:
            yield match


def _parse_revises(value: str) -> tuple[str, ...]:
    value = value.strip().strip("()[]")
    if value in ("", "None"):
        return ()
    return tuple(p.strip().strip("'\"") for p in value.split(",") if p.strip().strip("'\""))


# --------------------------------------------------------------------------------------------
# Files that cannot be parsed: their ids from plain lines


_PLAIN_RE = re.compile(
    r"^(revision|down_revision)[ \t]*(?::[^=\n]*)?=[ \t]*(?P<value>[^#\n]*?)[ \t\r]*(?:#[^\n]*)?$", re.M)


def _unparsable(text: str, message: str, line: int | None = None) -> dict[str, Any]:
    """A parse error that still declares the ids its plain lines state.

    `revision = '...'` and `down_revision = ...` written on single lines at column 0 (the last
    one wins, as in Python), else the header's `Revision ID:` / `Revises:` lines. Both ids must
    be found, or the file declares nothing (as before): a revision whose parents are unknown
    would only add a false head.
    """
    record = _error(message, line)
    found: dict[str, tuple[Any, int, str]] = {}
    for match in _PLAIN_RE.finditer(text):
        raw = match.group("value")
        try:
            value = _literal(ast.parse(raw, mode="eval").body) if raw else _UNKNOWN
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            value = _UNKNOWN
        found[match.group(1)] = (value, text.count("\n", 0, match.start()) + 1, raw)
    fields: dict[str, FieldInfo] = {}
    revision = found.get("revision", (_UNKNOWN,))[0]
    down = found.get("down_revision", (_UNKNOWN,))[0]
    if isinstance(revision, str) and (down is None or isinstance(down, (str, tuple))):
        fields = {key: FieldInfo(line=found[key][1], known=True, raw=found[key][2]) for key in KEYS[:2]}
    else:
        header = _header(text, ["Revision ID"])
        if not header.revision_id or header.revises is None:
            return record
        revision, down = header.revision_id, header.revises
    if not revision or not re.fullmatch(r"[\w.@+:-]+", revision):
        return record
    record.update({
        "revision": revision,
        "down_revision": _as_tuple(down),
        "branch_labels": (),
        "depends_on": (),
        "fields": fields,
        "header": Header(),
        "ops": (),
    })
    return record
