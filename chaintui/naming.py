"""The project's own id and file-naming style: natural ordering, next free id, file names."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Characters alembic refuses in a revision id.
ILLEGAL_ID_CHARS = frozenset("@-+:")

_NUMBER_RE = re.compile(r"^(\d+)([a-z]?)(?=$|_)", re.I)
_HEX_RE = re.compile(r"^[0-9a-f]{8,40}$")
_CHUNK_RE = re.compile(r"(\d+)")
#: A file name that starts with a date (`2024-03-01_x`, `2025_12_10_184404_x`, `20240301_x`):
#: a timestamp, not a sequence number.
_DATE_PREFIX_RE = re.compile(r"^((?:19|20)\d\d)[-_]?(0[1-9]|1[0-2])[-_]?([0-3]\d)(?:[-_T]?(\d\d)[-_:]?(\d\d)(?:[-_:]?(\d\d))?)?(?=$|[_\-.])")


def natural_key(text: str) -> tuple:
    """Order ids and names like a person would: `2` < `10`, `008` < `008a` < `009`."""
    parts = _CHUNK_RE.split(text.lower())
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p != "")


def is_valid_id(rev: str) -> bool:
    return bool(rev) and not (set(rev) & ILLEGAL_ID_CHARS) and rev.strip() == rev and "," not in rev


def number_of(rev: str) -> tuple[int, str] | None:
    """`017` -> (17, ''), `008a` -> (8, 'a'), `003_enhanced` -> (3, ''); hex, words or a date
    prefix (`2025_12_10_184404_x`) -> None."""
    match = _NUMBER_RE.match(rev)
    if not match or _HEX_RE.match(rev) or _DATE_PREFIX_RE.match(rev):
        return None
    return int(match.group(1)), match.group(2).lower()


def date_prefix(stem: str) -> str | None:
    """The timestamp a file name starts with, as `YYYY-MM-DD HH:MM:SS` (missing parts zero)."""
    match = _DATE_PREFIX_RE.match(stem)
    if not match:
        return None
    y, mo, d, h, mi, sec = match.groups()
    return f"{y}-{mo}-{d} {h or '00'}:{mi or '00'}:{sec or '00'}"


def suffixed_id(rev: str, taken: Iterable[str], after: str | None = None) -> str | None:
    """The id for a file that shares `rev`'s number and stays at its position: the number
    with the next free letter (`017` -> `017a`, `0008b` -> `0008c`), the rest of the id kept
    (`017_add_x` -> `017a_add_x`). `after`: the id it now follows; when that carries the same
    number, the letter comes after its letter (`018_tags` then `018_posts` -> `018a_posts`).
    None when `rev` has no number prefix or the letters run out."""
    match = _NUMBER_RE.match(rev)
    if not match or number_of(rev) is None:
        return None
    taken = set(taken)
    digits, letter, rest = match.group(1), match.group(2).lower(), rev[match.end():]
    previous = number_of(after) if after else None
    if previous is not None and previous[0] == int(digits) and previous[1] > letter:
        letter = previous[1]
    start = ord(letter) + 1 if letter else ord("a")
    for code in range(start, ord("z") + 1):
        candidate = f"{digits}{chr(code)}{rest}"
        if candidate not in taken and is_valid_id(candidate):
            return candidate
    return None


def derived_hex_id(seed: str, taken: Iterable[str], width: int = 12) -> str:
    """A fresh hex id derived from `seed` (a file and its old id): the same inputs always give
    the same id, so `plan` shows exactly the id `fix` commits. Collisions take the next digest."""
    from hashlib import blake2b

    taken = set(taken)
    counter = 0
    while True:
        digest = blake2b(f"{seed}\0{counter}".encode(), digest_size=16).hexdigest()[:width]
        if digest not in taken and not digest.isdigit():
            return digest
        counter += 1


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
    """The file name for `new_rev`, in the project's own naming style.

    The old id is replaced where the name carries it as a token (`017_add_x` -> `017a_add_x`,
    `2025-05-12-17-49_c2f78c69e9cf` -> `..._<new>`); a name that carries the revision's number
    gets the new number (`017_add_x` for id `017_add_x`). Any other name (a date prefix with a
    slug, a `093_` prefix that is not the id) is kept as it is: alembic does not read names.
    """
    stem, dot, ext = old_name.rpartition(".")
    if not dot:
        stem, ext = old_name, ""
    new_stem = stem
    if old_rev and _contains_token(stem, old_rev):
        start = _token_start(stem, old_rev)
        new_stem = stem[:start] + new_rev + stem[start + len(old_rev):]
    else:
        old_number, new_number = _NUMBER_RE.match(old_rev or ""), _NUMBER_RE.match(new_rev)
        name_number = _NUMBER_RE.match(stem)
        if old_number and new_number and name_number and number_of(stem) is not None \
                and number_of(old_rev) == number_of(stem):
            new_stem = new_number.group(0) + stem[name_number.end():]
    return f"{new_stem}.{ext}" if ext else new_stem


def _token_start(stem: str, rev: str) -> int:
    start = stem.find(rev)
    while start != -1:
        end = start + len(rev)
        if (start == 0 or stem[start - 1] in _SEPARATORS) and (end == len(stem) or stem[end] in _SEPARATORS):
            return start
        start = stem.find(rev, start + 1)
    return -1


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
