"""Cutting text to fit a cell width with care (pure: no Textual): file names lose their middle,
prose ends at a word with `…`, paths are never broken inside a name."""

from __future__ import annotations

from pathlib import PurePosixPath

from rich.cells import cell_len

ELLIPSIS = "…"


def elide_middle(text: str, width: int) -> str:
    """`017_add_public_uuid_columns.py` -> `017_add_pu…columns.py`: both ends stay readable
    (the number and the extension are what tell files apart)."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    if width == 1:
        return ELLIPSIS
    keep = width - 1
    head = (keep + 1) // 2
    tail = keep - head
    return _cut(text, head) + ELLIPSIS + (_tail(text, tail) if tail else "")


def ellipsize(text: str, width: int) -> str:
    """`text` cut at a word boundary to fit `width`, ending in `…` when cut."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:max(width, 0)]
    cut = _cut(text, width - 1)
    space = cut.rfind(" ")
    if space >= (width - 1) // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:·-") + ELLIPSIS


def fit_path(rel: str, width: int) -> str:
    """A relative path in `width` cells: whole if it fits, else `…/name` (the folder goes first),
    and only a name longer than the width itself loses its middle."""
    if cell_len(rel) <= width:
        return rel
    name = PurePosixPath(rel).name
    short = f"{ELLIPSIS}/{name}"
    if cell_len(short) <= width:
        return short
    return elide_middle(name, width)


def _cut(text: str, width: int) -> str:
    out = []
    used = 0
    for char in text:
        size = cell_len(char)
        if used + size > width:
            break
        out.append(char)
        used += size
    return "".join(out)


def _tail(text: str, width: int) -> str:
    return _cut(text[::-1], width)[::-1]
