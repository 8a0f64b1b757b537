"""Read migration files statically with libcst: never import or execute them.

The scan extracts `revision`, `down_revision`, `branch_labels`, `depends_on` (plain or annotated
assignments at module level, the last one wins), the human header (docstring wherever it stands,
or `#` comments), and the schema operations of `upgrade()`. A file that cannot be read or parsed
becomes a Migration with `error` set; the scan goes on.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from chaintui.model import KEYS, FieldInfo, Header, Migration

#: Bump when the record format or extraction rules change: cached records are then re-read.
SCANNER_VERSION = 5

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

    from chaintui.schema import extract_ops

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
