"""A fix's changes as a coloured diff, one section per file with a header line (what happens to
the file, its path, lines added and removed), changed lines in green and red."""

from __future__ import annotations

import difflib
from pathlib import PurePosixPath

from textual.content import Content

from chaintui.changes import ChangeSet, FileChange
from chaintui.tui.text import fit_path

CONTEXT = 2
"""Unchanged lines around each change: few, so that at 80x24 the first change is on screen."""


def file_header(change: FileChange, width: int) -> tuple[str, int, int]:
    """(`renamed 017_x.py → 034_x.py`-style title fitted to `width`, added, removed)."""
    old, new = _lines(change.old), _lines(change.new)
    added = removed = 0
    for line in difflib.unified_diff(old, new, n=0):
        if line.startswith("+") and not line.startswith("+++"):
            added += 1
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
    counts = f"  +{added} -{removed}"
    room = max(width - len(counts) - 10, 16)
    if change.kind == "rename":
        title = f"renamed {fit_path(change.rel, room // 2)} → {PurePosixPath(change.target).name}"
    elif change.kind == "create":
        title = f"new file {fit_path(change.rel, room)}"
    elif change.kind == "delete":
        title = f"deleted {fit_path(change.rel, room)}"
    else:
        title = f"edited {fit_path(change.rel, room)}"
    return title, added, removed


def render_change(change: FileChange, width: int) -> Content:
    title, added, removed = file_header(change, width)
    parts = [Content.assemble(Content.styled(f"── {title} ", "bold $text"),
                              Content.styled(f"+{added}", "bold $success"), " ",
                              Content.styled(f"-{removed}", "bold $error"))]
    old, new = _lines(change.old), _lines(change.new)
    for line in difflib.unified_diff(old, new, n=CONTEXT, lineterm=""):
        if line.startswith(("+++", "---")):
            continue
        text = line.rstrip("\n")
        if text.startswith("@@"):
            parts.append(Content.styled(text, "$text-accent"))
        elif text.startswith("+"):
            parts.append(Content.styled(text, "$success on $success 15%"))
        elif text.startswith("-"):
            parts.append(Content.styled(text, "$error on $error 15%"))
        else:
            parts.append(Content.styled(text, "$text-muted"))
    return Content("\n").join(parts)


def render_changeset(changeset: ChangeSet, width: int) -> list[Content]:
    """One Content per changed file."""
    return [render_change(change, width) for change in changeset.changes
            if change.old != change.new or change.new_rel]


def _lines(data: bytes | None) -> list[str]:
    if data is None:
        return []
    return data.decode("utf-8", errors="replace").splitlines()
