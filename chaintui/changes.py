"""A set of file edits for one fix: previewable as a unified diff, applied atomically by gitops."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class FileChange:
    """One file: edited (old and new), created (old None), deleted (new None), maybe renamed."""

    rel: str
    """Path relative to the project root before the change (for a new file: its path)."""
    old: bytes | None
    new: bytes | None
    new_rel: str | None = None
    """Where the file moves to (a rename, possibly with edits)."""

    @property
    def target(self) -> str:
        return self.new_rel or self.rel

    @property
    def kind(self) -> str:
        if self.old is None:
            return "create"
        if self.new is None:
            return "delete"
        if self.new_rel and self.new_rel != self.rel:
            return "rename"
        return "edit"


@dataclass
class ChangeSet:
    """All the edits of one fix."""

    root: Path
    changes: list[FileChange] = field(default_factory=list)

    def add(self, change: FileChange) -> None:
        for index, existing in enumerate(self.changes):
            if existing.rel == change.rel:
                # Two edits of one file compose: keep the original `old` and the latest target.
                self.changes[index] = FileChange(existing.rel, existing.old, change.new,
                                                 change.new_rel or existing.new_rel)
                return
        self.changes.append(change)

    def current(self, rel: str, disk: bytes) -> bytes:
        """The bytes of `rel` with this set's earlier edits applied."""
        for change in self.changes:
            if change.rel == rel and change.new is not None:
                return change.new
        return disk

    def __bool__(self) -> bool:
        return any(c.old != c.new or c.new_rel for c in self.changes)

    @property
    def files(self) -> list[str]:
        """Every path the fix touches (before and after names)."""
        seen: dict[str, None] = {}
        for change in self.changes:
            seen[change.rel] = None
            if change.new_rel:
                seen[change.new_rel] = None
        return list(seen)

    def overlay(self) -> dict[Path, bytes | None]:
        """Absolute path -> new bytes (None = gone), for diagnosing the result before writing."""
        result: dict[Path, bytes | None] = {}
        for change in self.changes:
            old_path = (self.root / change.rel).resolve()
            if change.new_rel and change.new_rel != change.rel:
                result[old_path] = None
                result[(self.root / change.new_rel).resolve()] = change.new
            else:
                result[old_path] = change.new
        return result

    def diff(self) -> str:
        """A git-style unified diff of the whole set."""
        parts: list[str] = []
        for change in self.changes:
            old_text = _text(change.old)
            new_text = _text(change.new)
            a = f"a/{change.rel}" if change.old is not None else "/dev/null"
            b = f"b/{change.target}" if change.new is not None else "/dev/null"
            header = f"diff --git a/{change.rel} b/{change.target}\n"
            if change.kind == "rename":
                header += f"rename from {change.rel}\nrename to {change.target}\n"
            elif change.kind == "create":
                header += "new file\n"
            elif change.kind == "delete":
                header += "deleted file\n"
            body = "".join(difflib.unified_diff(old_text, new_text, a, b))
            parts.append(header + body)
        return "".join(parts)

    def stats(self) -> tuple[int, int]:
        """(lines added, lines removed)."""
        added = removed = 0
        for line in self.diff().splitlines():
            if line.startswith("+") and not line.startswith("+++"):
                added += 1
            elif line.startswith("-") and not line.startswith("---"):
                removed += 1
        return added, removed


def _text(data: bytes | None) -> list[str]:
    if data is None:
        return []
    lines = data.decode("utf-8", errors="replace").splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines
