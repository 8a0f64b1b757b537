"""Writing one fix's files: only over the bytes it was planned from, keeping what each file is.

`FileTransaction(changeset, top)`:
- `prepare()` checks everything before anything changes: each file still holds the bytes the
  fix was planned from (`FileChange.old`); a new name is free; every new content is written to
  a temp file beside its target (which proves the folder is writable); a read-only file is
  refused. Any problem is a one-line ChaintuiError, and nothing was changed.
- `apply()` then changes the files one by one, comparing each with its planned bytes again at
  the last moment (just before its rename or removal), and records how to undo each step.
- `rollback()` undoes the steps done, newest first, and returns what it could not undo as
  one-line strings (never a traceback); `close()` removes any temp file left.

What a file is stays as it was: its bytes outside the edit (line endings, encoding: the
rewrite works on bytes), its permission bits and owner, and symlinks: a link is never replaced
by a file; the edit goes to the file it points at (which must be inside the work tree), and a
renamed link stays a link.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from chaintui import fileops
from chaintui.changes import ChangeSet, FileChange
from chaintui.errors import ChaintuiError

@dataclass
class _Op:
    """One planned file operation, ready to run (temps already written)."""

    change: FileChange
    src: Path
    """The path the change names before it (lexical: a symlink stays a symlink)."""
    dst: Path
    real: Path | None = None
    """Where the bytes live: `src` with symlinks followed (None for a new file)."""
    temp: Path | None = None
    mode: int | None = None
    owner: tuple[int, int] | None = None
    link: str | None = None
    """The symlink's own target text when `src` is a symlink."""
    paths: list[Path] = field(default_factory=list)
    """Every path git must record for this change."""


class FileTransaction:
    def __init__(self, changeset: ChangeSet, top: Path) -> None:
        self.changeset = changeset
        self.root = Path(changeset.root)
        self.top = Path(top).resolve()
        self.ops: list[_Op] = []
        self._undo: list[tuple[str, Callable[[], None]]] = []
        self._temps: list[Path] = []
        self._made_dirs: list[Path] = []

    # ------------------------------------------------------------------ checks, before any change

    def prepare(self) -> None:
        self._vacated: set[Path] = set()
        self._occupied: set[Path] = set()
        for change in _ordered(self.changeset.changes, self.root):
            op = self._prepare(change)
            if change.old is not None and (change.new is None or op.dst != op.src):
                self._vacated.add(op.src)
                self._occupied.discard(op.src)
            if change.new is not None:
                self._occupied.add(op.dst)
            self.ops.append(op)

    def _taken(self, path: Path) -> bool:
        """Is `path` in use once the operations prepared so far have run?"""
        return path in self._occupied or (os.path.lexists(path) and path not in self._vacated)

    def _prepare(self, change: FileChange) -> _Op:
        src = fileops.lexical(self.root / change.rel)
        dst = fileops.lexical(self.root / change.target)
        op = _Op(change, src, dst)
        self._inside(src, change.rel)
        self._inside(dst, change.target)
        op.paths = [src, dst]
        if change.old is None:  # a new file
            if self._taken(dst):
                raise ChaintuiError(f"{change.target} already exists: nothing was written")
            self._ensure_dir(dst.parent, change.target)
            op.temp = self._temp_for(dst, change.new or b"", mode=None)
            return op
        if not os.path.lexists(src):
            raise ChaintuiError(f"{change.rel} is gone since the fix was planned: nothing was written")
        if os.path.islink(src):
            op.link = os.readlink(src)
        op.real = Path(os.path.realpath(src))
        self._inside(op.real, change.rel)
        op.paths.append(op.real)
        info = os.stat(op.real)
        if not stat.S_ISREG(info.st_mode):
            raise ChaintuiError(f"{change.rel} is not a regular file: nothing was written")
        op.mode = stat.S_IMODE(info.st_mode)
        op.owner = (info.st_uid, info.st_gid)
        self.verify(op)
        if dst != src and self._taken(dst):
            raise ChaintuiError(f"{change.target} already exists: nothing was written")
        if change.new == change.old and dst == src:
            return op  # nothing to write
        edits = change.new != change.old if change.new is not None else op.link is None
        if edits and not os.access(op.real, os.W_OK, effective_ids=os.access in os.supports_effective_ids):
            raise ChaintuiError(f"cannot write {change.rel}: the file is read-only (nothing was changed)")
        if change.new is None:  # a removal: the folder must let us remove it
            fileops.probe(src.parent, change.rel)
            return op
        if op.link is not None:
            if dst != src:
                if dst.parent != src.parent and not os.path.isabs(op.link):
                    raise ChaintuiError(f"{change.rel} is a relative symlink: moving it to another "
                                        "folder would break it (nothing was changed)")
                fileops.probe(src.parent, change.rel)
            if change.new != change.old:
                op.temp = self._temp_for(op.real, change.new, mode=op.mode, owner=op.owner)
            return op
        target = dst if dst != src else op.real
        op.temp = self._temp_for(target, change.new, mode=op.mode, owner=op.owner)
        if dst != src:
            fileops.probe(src.parent, change.rel)
        return op

    def verify(self, op: _Op) -> None:
        """The file still holds the bytes the fix was planned from (else stop, naming it)."""
        try:
            current = Path(op.real or op.src).read_bytes()
        except FileNotFoundError:
            current = None
        except OSError as exc:
            raise ChaintuiError(f"cannot read {op.change.rel}: {exc.strerror or exc} (nothing was changed)") from None
        if current != op.change.old:
            raise ChaintuiError(f"{op.change.rel} changed since the fix was planned (edited meanwhile?): "
                                "stopped before writing it; commit or stash the edit, then run chaintui again")

    def _inside(self, path: Path, rel: str) -> None:
        try:
            Path(os.path.realpath(path.parent)).relative_to(self.top)
        except ValueError:
            raise ChaintuiError(f"{rel} is outside the git work tree {self.top}: nothing was written") from None

    def _ensure_dir(self, folder: Path, rel: str) -> None:
        missing = []
        probe = folder
        while not probe.exists():
            missing.append(probe)
            probe = probe.parent
        for d in reversed(missing):
            try:
                d.mkdir()
            except OSError as exc:
                raise ChaintuiError(f"cannot create the folder for {rel}: {exc.strerror or exc} "
                                    "(nothing was changed)") from None
            self._made_dirs.append(d)

    def _temp_for(self, target: Path, data: bytes, *, mode: int | None,
                  owner: tuple[int, int] | None = None) -> Path:
        """`data` in a new temp file beside `target`, with `mode` (None: the umask's default)
        and `owner` (uid, gid) when we may."""
        while True:
            temp = fileops.temp_name(target)
            try:
                fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                             0o600 if mode is not None else 0o666)
            except FileExistsError:
                continue
            except OSError as exc:
                raise ChaintuiError(f"cannot write in {fileops.shown(target.parent, self.top)}: "
                                    f"{exc.strerror or exc} (nothing was changed)") from None
            break
        self._temps.append(temp)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                if mode is not None:
                    fileops.set_mode(handle.fileno(), temp, mode)
                if owner is not None:
                    fileops.set_owner(handle.fileno(), owner)
        except OSError as exc:
            raise ChaintuiError(f"cannot write in {fileops.shown(target.parent, self.top)}: "
                                f"{exc.strerror or exc} (nothing was changed)") from None
        return temp

    # ------------------------------------------------------------------ the changes

    def apply(self) -> None:
        for op in self.ops:
            self._apply(op)

    def _apply(self, op: _Op) -> None:
        change = op.change
        if change.old is None:
            fileops.place_new(op.temp, op.dst)
            self._temps.remove(op.temp)
            self._did(f"remove {change.target}", lambda d=op.dst: os.unlink(d))
            return
        self.verify(op)  # the last moment before this file changes
        old, mode, owner = change.old, op.mode, op.owner
        if change.new == old and op.dst == op.src:
            return
        if change.new is None:
            os.unlink(op.src)
            self._did(f"put back {change.rel}", self._recreate(op))
            return
        if op.link is not None:
            if op.dst != op.src:
                if os.path.lexists(op.dst):
                    raise ChaintuiError(f"{change.target} appeared meanwhile: stopped")
                os.rename(op.src, op.dst)
                self._did(f"move {change.target} back", lambda s=op.src, d=op.dst: os.rename(d, s))
            if op.temp is not None:
                os.replace(op.temp, op.real)
                self._temps.remove(op.temp)
                self._did(f"put back {change.rel}", lambda r=op.real: fileops.write_back(r, old, mode, owner))
            return
        if op.dst == op.src:
            os.replace(op.temp, op.real)
            self._temps.remove(op.temp)
            self._did(f"put back {change.rel}", lambda r=op.real: fileops.write_back(r, old, mode, owner))
            return
        fileops.place_new(op.temp, op.dst)
        self._temps.remove(op.temp)
        self._did(f"remove {change.target}", lambda d=op.dst: os.unlink(d))
        self.verify(op)
        os.unlink(op.src)
        self._did(f"put back {change.rel}", lambda s=op.src: fileops.write_back(s, old, mode, owner))

    def _recreate(self, op: _Op) -> Callable[[], None]:
        old, mode, owner, link, src = op.change.old, op.mode, op.owner, op.link, op.src
        if link is not None:
            return lambda: os.symlink(link, src)
        return lambda: fileops.write_back(src, old, mode, owner)

    def _did(self, what: str, undo: Callable[[], None]) -> None:
        self._undo.append((what, undo))

    @property
    def git_paths(self) -> list[Path]:
        """Every path to stage (before and after names, symlink targets), without repeats."""
        seen: dict[Path, None] = {}
        for op in self.ops:
            for path in op.paths:
                seen[path] = None
        return list(seen)

    # ------------------------------------------------------------------ undo

    def rollback(self) -> list[str]:
        """Undo every step done, newest first; returns what could not be undone (one line each)."""
        problems = []
        while self._undo:
            what, undo = self._undo.pop()
            try:
                undo()
            except OSError as exc:
                problems.append(f"could not {what}: {exc.strerror or exc}")
        for d in reversed(self._made_dirs):
            try:
                d.rmdir()
            except OSError:
                pass
        self._made_dirs.clear()
        return problems

    def commit(self) -> None:
        """The changes are committed: nothing to undo any more."""
        self._undo.clear()
        self._made_dirs.clear()

    def close(self) -> None:
        """Remove the temp files that were not used (always call it)."""
        for temp in self._temps:
            try:
                os.unlink(temp)
            except OSError:
                pass
        self._temps.clear()


def _ordered(changes: list[FileChange], root: Path) -> list[FileChange]:
    """`changes` in an order where a rename onto a name another change frees runs after it."""
    frees = {fileops.lexical(root / c.rel): c for c in changes
             if c.old is not None and (c.new is None or (c.new_rel and c.new_rel != c.rel))}
    done: list[FileChange] = []
    visiting: set[int] = set()

    def visit(change: FileChange) -> None:
        if any(change is d for d in done):
            return
        if id(change) in visiting:
            raise ChaintuiError(f"{change.rel}: the renames of this fix form a cycle (nothing was changed)")
        visiting.add(id(change))
        blocker = frees.get(fileops.lexical(root / change.target))
        if blocker is not None and blocker is not change and change.new is not None:
            visit(blocker)
        visiting.discard(id(change))
        done.append(change)

    for change in changes:
        visit(change)
    return done
