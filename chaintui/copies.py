"""Stale copies and redundant roots: files whose removal is the repair (redundant roots are
found in chaintui.target.derive).

A **stale copy** is a migration whose body (everything from its first `def` on) is byte for
byte another file's, left behind when a file was renamed or renumbered and the old one stayed,
or re-added by a merge. Renumbering it would run the same DDL twice; its maintainers delete it.
Of a set of copies the one involved in no problem is kept (the renamed file that works), else
the one that landed first.

A **redundant root** is an extra root (`down_revision = None`) that only creates tables the
main root's history already creates: a second "initial" migration. Chaining it anywhere would
create those tables twice.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from hashlib import blake2b

from chaintui.model import Migration

_MAX_BODY = 4 << 20


def body_digest(m: Migration) -> bytes | None:
    """Digest of the file from its first top-level `def` on (whitespace at line ends ignored);
    None for unreadable files and bodies that do nothing (a `pass`-only merge revision)."""
    try:
        with open(m.path, "rb") as handle:
            data = handle.read(_MAX_BODY)
    except OSError:
        return None
    start = data.find(b"\ndef ")
    if start < 0:
        return None
    body = data[start:]
    if b"op." not in body and b"execute" not in body and b"batch_" not in body:
        return None
    lines = [line.rstrip() for line in body.splitlines()]
    return blake2b(b"\n".join(line for line in lines if line), digest_size=16).digest()


def stale_copies(files: Iterable[Migration], suspects: set[str],
                 rank: Callable[[Migration], tuple]) -> dict[str, str]:
    """rel -> rel of the copy kept, for every suspect that is a stale copy of another file.

    `suspects` are the files involved in a problem; `rank` orders copies (first = kept when all
    are involved).
    """
    files = [m for m in files if len(m.down_revision) < 2]
    wanted = {m.rel for m in files if m.rel in suspects}
    if not wanted:
        return {}
    shapes = {m.rel: _shape(m) for m in files if m.rel in wanted}
    # Only a file whose operations match a suspect's (or are unknown: a file that could not be
    # parsed, suspect or not, matches any) can be its twin: the others are never stat'ed or read
    # (on a long history, almost every file). The first operation's table rules most of them
    # out before their whole shape is built.
    wanted_shapes = set(shapes.values())
    any_shape = None in wanted_shapes
    first_tables = {_first_table(shape) for shape in wanted_shapes if shape is not None}
    by_size: dict[int, list[Migration]] = defaultdict(list)
    sizes = {}
    for m in files:
        if m.rel not in shapes:
            if not (any_shape or m.error or (m.ops[0].table if m.ops else None) in first_tables):
                continue
            shape = shapes[m.rel] = _shape(m)
            if not (any_shape or shape is None or shape in wanted_shapes):
                continue
        try:
            sizes[m.rel] = os.stat(m.path).st_size
        except OSError:
            continue
        by_size[sizes[m.rel] // 256].append(m)
    digests: dict[str, bytes | None] = {}

    def digest(m: Migration) -> bytes | None:
        if m.rel not in digests:
            digests[m.rel] = body_digest(m)
        return digests[m.rel]

    result: dict[str, str] = {}
    for m in files:
        if m.rel not in wanted or m.rel in result or m.rel not in sizes:
            continue
        mine = digest(m)
        if mine is None:
            continue
        bucket = sizes[m.rel] // 256
        # Same body, same operations (only their lines move): files whose scanned operations
        # differ are never read (a file that could not be parsed is always read).
        shape = shapes[m.rel]
        twins = [o for b in (bucket - 1, bucket, bucket + 1) for o in by_size.get(b, ())
                 if o is not m and (shape is None or shapes[o.rel] in (None, shape)) and digest(o) == mine]
        if not twins:
            continue
        group = sorted([m, *twins], key=lambda f: (f.rel in suspects, rank(f)))
        kept = group[0]
        for other in group[1:]:
            if other.rel in suspects:
                result[other.rel] = kept.rel
    return result


def _shape(m: Migration) -> tuple | None:
    """What a body's schema operations do, without their lines; None when unknown."""
    if m.error:
        return None
    return tuple((o.kind, o.op, o.table, o.new_table, o.guarded) for o in m.ops)


def _first_table(shape: tuple) -> str | None:
    """The table of a shape's first operation (None when it has none)."""
    return shape[0][2] if shape else None
