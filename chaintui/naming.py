"""The project's own id and file-naming style: natural ordering, next free id, file names."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Characters alembic refuses in a revision id.
ILLEGAL_ID_CHARS = frozenset("@-+:")

_NUMBER_RE = re.compile(r"^(\d+)([a-z]?)(?=$|_)", re.I)
_HEX_RE = re.compile(r"^[0-9a-f]{8,40}$")
_CHUNK_RE = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """Order ids and names like a person would: `2` < `10`, `008` < `008a` < `009`."""
    parts = _CHUNK_RE.split(text.lower())
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p != "")


def is_valid_id(rev: str) -> bool:
    return bool(rev) and not (set(rev) & ILLEGAL_ID_CHARS) and rev.strip() == rev and "," not in rev


def number_of(rev: str) -> tuple[int, str] | None:
    """`017` -> (17, ''), `008a` -> (8, 'a'), `003_enhanced` -> (3, ''); hex or words -> None."""
    match = _NUMBER_RE.match(rev)
    if not match or _HEX_RE.match(rev):
        return None
    return int(match.group(1)), match.group(2).lower()


def detect_style(ids: Iterable[str]) -> tuple[str, int]:
    """('numbered', width) when most ids start with a sequence number, else ('hex', 12)."""
    ids = list(ids)
    numbered = [rev for rev in ids if number_of(rev) is not None]
    if ids and len(numbered) * 2 > len(ids):
        widths = [len(_NUMBER_RE.match(rev).group(1)) for rev in numbered]
        return "numbered", max(set(widths), key=widths.count)
    return "hex", 12


def new_id(existing: Iterable[str], taken: Iterable[str] = ()) -> str:
    """A fresh id in the project's style: the next free number, or `alembic.util.rev_id()`."""
    existing = list(existing)
    used = set(existing) | set(taken)
    style, width = detect_style(existing)
    if style == "numbered":
        used_numbers = {number_of(rev)[0] for rev in used if number_of(rev) is not None}
        candidate = max(used_numbers, default=0) + 1
        while True:
            rev = str(candidate).zfill(width)
            if rev not in used and is_valid_id(rev):
                return rev
            candidate += 1
    from alembic.util import rev_id

    while True:
        rev = rev_id()
        if rev not in used:
            return rev


def slug_of(filename_stem: str, rev: str) -> str:
    """The descriptive part of a file name, without the revision id or number prefix."""
    stem = filename_stem
    if rev and stem.startswith(rev):
        stem = stem[len(rev):]
    else:
        number = _NUMBER_RE.match(stem)
        hexpart = re.match(r"^[0-9a-f]{8,40}(?=_|$)", stem)
        if number:
            stem = stem[number.end():]
        elif hexpart:
            stem = stem[hexpart.end():]
    return stem.lstrip("_-")


def renamed_filename(old_name: str, old_rev: str, new_rev: str) -> str:
    """The file name for `new_rev`, keeping whatever the old name held besides the id."""
    stem, dot, ext = old_name.rpartition(".")
    if not dot:
        stem, ext = old_name, ""
    if old_rev and old_rev in stem:
        new_stem = stem.replace(old_rev, new_rev, 1)
    else:
        slug = slug_of(stem, old_rev)
        new_stem = f"{new_rev}_{slug}" if slug else new_rev
    return f"{new_stem}.{ext}" if ext else new_stem


def file_declares_other(stem: str, rev: str) -> bool:
    """True when a file name is clearly named for a different revision than it declares."""
    if _contains_token(stem, rev):
        return False
    number = _NUMBER_RE.match(stem)
    if number and number_of(rev) is not None:
        return True
    return bool(_HEX_HEAD_RE.match(stem))


_HEX_HEAD_RE = re.compile(r"^(?:.*[_\-])?([0-9a-f]{12})(?=_|$)")
_SEPARATORS = "_-."


def _contains_token(stem: str, rev: str) -> bool:
    """`rev` occurs in `stem` bounded by the start/end or one of `_ - .` (no per-id regex)."""
    if not rev:
        return False
    start = stem.find(rev)
    while start != -1:
        end = start + len(rev)
        if (start == 0 or stem[start - 1] in _SEPARATORS) and (end == len(stem) or stem[end] in _SEPARATORS):
            return True
        start = stem.find(rev, start + 1)
    return False
