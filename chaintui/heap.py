"""Long-lived data and Python's cyclic garbage collector.

A one-shot command (`check`, `plan`, `fix`, `undo`, `verify`) builds a record for every
migration, a graph over them and a plan, and keeps all of it until the process exits. Each full
collection walks every object the collector tracks, so reading 20,000 records paid for the same
walk over and over: 0.5-0.7 s of a cold 20,000-revision check, and 0.1-0.15 s of a 5,000-revision
plan.

`settle()` moves everything alive at that moment into the permanent generation (`gc.freeze`):
later collections skip it. The collector is never disabled: everything made afterwards is
collected as usual, and a frozen object that loses its last reference is still freed at once
(reference counting does not look at generations). Only a reference cycle among frozen objects
would wait for the process to end, which for a one-shot command is a moment later.

It is a no-op until `one_shot()` says the process is one: the interactive session runs for
hours, re-reads the project after every fix and drops whole screens, so it never freezes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_one_shot = False


def one_shot() -> None:
    """This process runs one command and exits: from now on `settle()` freezes (and it does
    now, for the modules imported so far)."""
    global _one_shot
    _one_shot = True
    gc.freeze()


def settle() -> None:
    """Freeze what is alive now, in a one-shot process; nothing otherwise."""
    if _one_shot:
        gc.freeze()


def settling(items: Iterable[T], every: int = 2000) -> Iterator[T]:
    """`items`, settling after every `every` of them: for loops that build what lives on."""
    for count, item in enumerate(items, 1):
        yield item
        if count % every == 0:
            settle()


def reset() -> None:
    """Back to a long-lived process, everything unfrozen (for tests, which run many commands in
    one process)."""
    global _one_shot
    _one_shot = False
    gc.unfreeze()
