"""Ctrl-C, SIGTERM and SIGHUP (a dropped SSH session) while chaintui writes: stop at a commit boundary.

`install()` (main thread only; idempotent) replaces the handlers of those signals. Outside a
write window they do what they did before (KeyboardInterrupt, or the default action), or,
within `raising()` (the command line), raise Interrupted so that the lock is released.

Inside a write window (`with deferred():`, from any thread) the first signal is only recorded:
the writer asks `check()` at its checkpoints and rolls back to the last commit, or, once
`git commit` runs, lets it finish and stops after it. A second signal is passed on to the
running git command when it may be aborted (a commit or a revert, never a step of a rollback):
it stops, and the writer rolls back. When the outermost window closes with a signal nobody
consumed (`take()`), it is delivered again and has its usual effect.

git itself runs in its own session (see chaintui.gitcmd), so the terminal's Ctrl-C reaches
only chaintui, which decides; GitPython's long-lived `git cat-file` helpers survive it too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from chaintui.errors import ChaintuiError

_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
_guard = threading.RLock()  # reentrant: the handler runs on the main thread, maybe inside `with _guard`
_previous: dict[int, object] = {}
_depth = 0
_raising = 0
_pending: int | None = None
_children: set[subprocess.Popen] = set()


class Interrupted(ChaintuiError):
    """A signal stopped the work at a commit boundary (exit 128 + signal number)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.exit_code = 128 + signum
        super().__init__(f"interrupted ({signal_name(signum)})")


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def install() -> bool:
    """Route SIGINT/SIGTERM/SIGHUP through chaintui (main thread only); True when installed."""
    if threading.current_thread() is not threading.main_thread():
        return bool(_previous)
    for signum in _SIGNALS:
        if signum in _previous:
            continue
        current = signal.getsignal(signum)
        if current is _handle or current == signal.SIG_IGN:
            continue  # an ignored signal (`nohup` ignores SIGHUP) stays ignored
        _previous[signum] = current
        signal.signal(signum, _handle)
    return True


def _handle(signum: int, frame) -> None:
    global _pending
    with _guard:
        inside = _depth > 0
        if inside:
            first = _pending is None
            if first:
                _pending = signum
            children = list(_children)
        raising = _raising > 0
    if not inside:
        if raising:
            raise Interrupted(signum)
        _default(signum, frame)
        return
    if first:
        _note(f"chaintui: {signal_name(signum)} received: stopping at the next commit boundary "
              "(again to abort the commit in progress)\n")
        return
    for child in children:  # a second signal: abort the git command (its hooks included)
        try:
            os.killpg(child.pid, signum)
        except (OSError, AttributeError):
            pass


def _default(signum: int, frame) -> None:
    previous = _previous.get(signum, signal.SIG_DFL)
    if callable(previous):
        previous(signum, frame)
    elif previous == signal.SIG_IGN:
        return
    else:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


def _note(text: str) -> None:
    try:
        os.write(2, text.encode("utf-8", "replace"))
    except OSError:  # the terminal is gone (SIGHUP): nobody to tell
        pass


@contextmanager
def deferred() -> Iterator[None]:
    """A write window: signals wait for the writer's checkpoints (see the module docstring)."""
    global _depth, _pending
    install()
    with _guard:
        _depth += 1
    try:
        yield
    finally:
        with _guard:
            _depth -= 1
            redeliver = _pending if _depth == 0 else None
            if _depth == 0:
                _pending = None
        if redeliver is not None:
            os.kill(os.getpid(), redeliver)


@contextmanager
def raising() -> Iterator[None]:
    """Outside write windows, a signal raises Interrupted (a one-line message, exit 128+n)
    instead of its default action, so that `finally` blocks run (the lock is released).
    For the command line; the TUI keeps the default actions."""
    global _raising
    install()
    with _guard:
        _raising += 1
    try:
        yield
    finally:
        with _guard:
            _raising -= 1


def pending() -> int | None:
    """The signal received during the current window, if any (not consumed)."""
    return _pending


def check() -> None:
    """A checkpoint: raise Interrupted when a signal arrived (the signal stays pending)."""
    signum = _pending
    if signum is not None:
        raise Interrupted(signum)


def take() -> int | None:
    """Consume the pending signal: the caller handles it (stops and exits)."""
    global _pending
    with _guard:
        signum, _pending = _pending, None
    return signum


def communicate(proc: subprocess.Popen, data: bytes | None, abortable: bool) -> tuple[bytes, bytes]:
    """`proc.communicate(data)`; an `abortable` one (a commit, a revert: never a step of a
    rollback) is known to the handler, and a second signal aborts it."""
    if not abortable:
        return proc.communicate(data)
    with _guard:
        _children.add(proc)
    try:
        return proc.communicate(data)
    finally:
        with _guard:
            _children.discard(proc)
