"""Lossless source edits with libcst: change one assigned value or one header line, nothing else.

Every byte outside the edited expression (comments, quote style elsewhere, annotations, the
upgrade/downgrade bodies) is kept: libcst round-trips the module exactly and only the value
node of the last module-level assignment is replaced.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import libcst as cst

from chaintui.errors import ChaintuiError
from chaintui.model import KEYS


def literal_for(value: str | Sequence[str] | None, like: str = '"x"') -> str:
    """Python source for `value` in the quote style (and u-prefix) of the example `like`."""
    first = re.search(r"""(?<![A-Za-z0-9_])([uU]?)(['"])""", like)
    quote = first.group(2) if first else '"'
    prefix = "u" if first and first.group(1) else ""
    if value is None:
        return "None"
    if isinstance(value, str):
        return f"{prefix}{quote}{value}{quote}"
    items = ", ".join(f"{prefix}{quote}{v}{quote}" for v in value)
    if like.strip().startswith("["):
        return f"[{items}]"
    return f"({items},)" if len(value) == 1 else f"({items})"


class _ReplaceValue(cst.CSTTransformer):
    def __init__(self, key: str, new_value: cst.BaseExpression, occurrence: int) -> None:
        super().__init__()
        self.key = key
        self.new_value = new_value
        self.occurrence = occurrence
        self.seen = 0
        self.done = False

    def visit_FunctionDef(self, node):  # module level only
        return False

    def visit_ClassDef(self, node):
        return False

    def leave_Assign(self, original, updated):
        if any(isinstance(t.target, cst.Name) and t.target.value == self.key for t in original.targets):
            self.seen += 1
            if self.seen == self.occurrence:
                self.done = True
                return updated.with_changes(value=self.new_value)
        return updated

    def leave_AnnAssign(self, original, updated):
        if isinstance(original.target, cst.Name) and original.target.value == self.key and original.value is not None:
            self.seen += 1
            if self.seen == self.occurrence:
                self.done = True
                return updated.with_changes(value=self.new_value)
        return updated


def _module_level_count(module: cst.Module, key: str) -> int:
    count = 0
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and any(
                        isinstance(t.target, cst.Name) and t.target.value == key for t in small.targets):
                    count += 1
                elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) \
                        and small.target.value == key and small.value is not None:
                    count += 1
    return count


def _style_example(module: cst.Module, key: str) -> str:
    """The source of an existing string value, to copy its quote style."""
    for candidate in (key, "revision", "down_revision"):
        for statement in module.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                target, value = None, None
                if isinstance(small, cst.Assign) and isinstance(small.targets[0].target, cst.Name):
                    target, value = small.targets[0].target.value, small.value
                elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    target, value = small.target.value, small.value
                if target == candidate and value is not None:
                    code = module.code_for_node(value)
                    if "'" in code or '"' in code:
                        return code
    return '"x"'


def set_value(source: bytes, key: str, value: str | Sequence[str] | None) -> bytes:
    """Replace the value of the last module-level `key = ...` (plain or annotated)."""
    if key not in KEYS:
        raise ValueError(key)
    module = cst.parse_module(source)
    like = _style_example(module, key)
    new_value = cst.parse_expression(literal_for(value, like))
    occurrence = _module_level_count(module, key)
    if occurrence == 0:
        raise ChaintuiError(f"no module-level {key} assignment to rewrite")
    transformer = _ReplaceValue(key, new_value, occurrence)
    result = module.visit(transformer)
    if not transformer.done:
        raise ChaintuiError(f"could not rewrite {key}")
    return _keep_lost_tail(source, module.bytes, result.bytes)


def _keep_lost_tail(source: bytes, round_trip: bytes, edited: bytes) -> bytes:
    """libcst reproduces a module byte for byte, except a final lone `\r` (a file with old Mac
    line endings): put back what its round trip dropped at the end, refuse anything else."""
    if round_trip == source:
        return edited
    if source.startswith(round_trip) and not source[len(round_trip):].strip(b"\r\n \t\x0c"):
        return edited + source[len(round_trip):]
    raise ChaintuiError("cannot rewrite this file without changing other bytes (unusual line endings?)")


def _header_line(label: bytes) -> re.Pattern[bytes]:
    # A line is ended by \n, \r\n or a lone \r (Python accepts all three, one file may mix
    # them): the value never takes the \r, so a rewritten line keeps its own ending.
    return re.compile(rb"(?:\A|(?<=[\r\n]))([ \t]*(?:#[ \t]*)?" + label
                      + rb"[ \t]*:[ \t]*)([^\r\n]*?)([ \t]*)(?=[\r\n]|\Z)")


_HEADER_LINE = {"Revision ID": _header_line(rb"Revision ID"), "Revises": _header_line(rb"Revises")}


def set_header(source: bytes, label: str, value: str) -> bytes:
    """Rewrite the first `Revision ID:` or `Revises:` header line; a file without one is unchanged."""
    pattern = _HEADER_LINE[label]
    match = pattern.search(source)
    if not match:
        return source
    encoded = value.encode("utf-8")
    if encoded and not match.group(1)[-1:].isspace():
        encoded = b" " + encoded  # `Revises:` written bare (an editor stripped its space)
    return source[:match.start(2)] + encoded + source[match.end(2):]


def header_revises(parents: Sequence[str]) -> str:
    """How alembic's template writes `Revises:` (`${down_revision | comma,n}`)."""
    return ", ".join(parents)


def set_revision(source: bytes, new_rev: str) -> bytes:
    return set_header(set_value(source, "revision", new_rev), "Revision ID", new_rev)


def set_parents(source: bytes, parents: Sequence[str]) -> bytes:
    value: str | tuple[str, ...] | None
    if not parents:
        value = None
    elif len(parents) == 1:
        value = parents[0]
    else:
        value = tuple(parents)
    return set_header(set_value(source, "down_revision", value), "Revises", header_revises(parents))


class _DropAnnotation(cst.CSTTransformer):
    def visit_FunctionDef(self, node):  # module level only
        return False

    def visit_ClassDef(self, node):
        return False

    def leave_AnnAssign(self, original, updated):
        if isinstance(original.target, cst.Name) and original.target.value in KEYS and original.value is not None:
            return cst.Assign(targets=[cst.AssignTarget(target=updated.target)], value=updated.value)
        return updated


def plain_assignments(source: bytes) -> bytes:
    """`revision: str = "x"` -> `revision = "x"` for the four revision variables (a merge file
    rendered from a newer template, in a project whose migrations use plain assignments)."""
    module = cst.parse_module(source)
    return module.visit(_DropAnnotation()).bytes
