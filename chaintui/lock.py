"""One writer per repository: `chaintui.lock` in the git directory, held while chaintui writes.

`fix` and `undo` hold it for their whole run (planning included, so a second `fix` that waited
plans on what the first one committed); the TUI holds it around each apply and undo.

The lock is an `flock` on `.git/chaintui.lock`, which names its holder (pid, host, command,
start time) for the message a second writer shows. The kernel drops an flock when its holder
exits, however it exits, so a lock file left behind by a killed process is stale by
construction: the next writer takes it over without guessing from pids (no pid-reuse or
stale-lock-breaking races). The holder removes the file while still holding the lock; a waiter
that then gets the lock on the removed file notices (different inode) and tries again.

Within one process the lock is reentrant for the thread holding it and refuses other threads
(the TUI runs apply and undo in worker threads). Where `fcntl` does not exist (Windows) the
file is created exclusively instead, and a leftover file must be removed by hand (the message
says so).
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from chaintui.errors import GitRefused

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "chaintui.lock"
_POLL = 0.1


class LockHeld(GitRefused):
    """Another chaintui process (or another operation of this one) is writing."""


class _ProcessLock:
    """The in-process side of one lock file: which thread holds it and how often."""

    def __init__(self) -> None:
        self.owner: int | None = None
        self.depth = 0
        self.fd: int | None = None
        self.guard = threading.Lock()


_locks: dict[Path, _ProcessLock] = {}
_locks_guard = threading.Lock()


def _process_lock(path: Path) -> _ProcessLock:
    with _locks_guard:
        return _locks.setdefault(path, _ProcessLock())


@contextmanager
def hold(git_dir: str | os.PathLike[str], *, wait: float = 0,
         on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the repository's lock for the block; wait up to `wait` seconds for another holder.

    Raises LockHeld (exit 2) naming the holder when it is still held after `wait`.
    `on_wait(message)` is called once when the lock is busy and we start waiting.
    """
    path = Path(git_dir).resolve() / LOCK_NAME
    local = _process_lock(path)
    me = threading.get_ident()
    with local.guard:
        reentrant = local.owner == me
        if reentrant:
            local.depth += 1
    if reentrant:
        try:
            yield
        finally:
            with local.guard:
                local.depth -= 1
        return
    deadline = time.monotonic() + max(wait, 0)
    announced = False
    while True:
        with local.guard:
            if local.owner is None:
                holder = _acquire_file(path, local)
                if holder is None:
                    local.owner, local.depth = me, 1
                    break
            else:
                holder = "another operation of this session"
        if time.monotonic() >= deadline:
            raise LockHeld(f"{holder} is writing to this repository: try again when it has finished"
                           + _leftover_hint(path))
        if on_wait is not None and not announced:
            announced = True
            on_wait(f"waiting for {holder} to finish writing to this repository...")
        time.sleep(_POLL)
    try:
        yield
    finally:
        with local.guard:
            local.depth -= 1
            if local.depth == 0:
                _release_file(path, local.fd)
                local.owner, local.fd = None, None


def _acquire_file(path: Path, local: _ProcessLock) -> str | None:
    """Take the file lock (its fd goes to `local.fd`); None on success, else who holds it."""
    if fcntl is None:  # pragma: no cover - exercised on Windows only
        return _acquire_exclusive(path, local)
    for _ in range(20):  # a holder that releases while we open: retry on the new file
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as exc:
            raise GitRefused(f"cannot create the lock {path}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _describe(_read(fd))
            os.close(fd)
            return holder
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if not same:  # the previous holder removed the file after we opened it
            os.close(fd)
            continue
        # Whatever the file still says was written by a holder that is gone (stale): replace it.
        os.ftruncate(fd, 0)
        os.write(fd, _identity())
        local.fd = fd
        return None
    return "another chaintui process"  # pragma: no cover - twenty releases in a row


def _release_file(path: Path, fd: int | None) -> None:
    if fd is not None and fcntl is None:  # pragma: no cover - Windows removes no open file
        os.close(fd)
        fd = None
    try:
        os.unlink(path)  # still holding the flock: nobody can take a file we are removing
    except OSError:
        pass
    if fd is not None:
        os.close(fd)


def _acquire_exclusive(path: Path, local: _ProcessLock) -> str | None:  # pragma: no cover - Windows
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        try:
            return _describe(path.read_bytes())
        except OSError:
            return "another chaintui process"
    except OSError as exc:
        raise GitRefused(f"cannot create the lock {path}: {exc.strerror or exc}") from None
    os.write(fd, _identity())
    local.fd = fd
    return None


def _leftover_hint(path: Path) -> str:
    if fcntl is None:  # pragma: no cover - Windows
        return f" (if no chaintui is running, remove {path})"
    return ""


def _identity() -> bytes:
    command = " ".join(["chaintui", *sys.argv[1:]])[:200] if sys.argv else "chaintui"
    data = {"pid": os.getpid(), "host": socket.gethostname(), "command": command,
            "since": time.strftime("%H:%M:%S")}
    return json.dumps(data).encode("utf-8")


def _read(fd: int) -> bytes:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 4096)
    except OSError:
        return b""


def _describe(raw: bytes) -> str:
    """`another chaintui process (pid 123, `chaintui fix --all --yes`, since 12:03:04)`."""
    try:
        data = json.loads(raw.decode("utf-8"))
        pid = int(data["pid"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return "another chaintui process"
    parts = [f"pid {pid}"]
    host = data.get("host")
    if host and host != socket.gethostname():
        parts[0] += f" on {host}"
    if data.get("command"):
        parts.append(f"`{data['command']}`")
    if data.get("since"):
        parts.append(f"since {data['since']}")
    return f"another chaintui process ({', '.join(parts)})"
