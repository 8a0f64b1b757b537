"""The one exception type the shells turn into a one-line message and an exit code."""

from __future__ import annotations


class ChaintuiError(Exception):
    """A problem the user can act on; its message is one line, shown without a traceback."""

    exit_code = 2


class GitRefused(ChaintuiError):
    """The git contract forbids writing now (dirty tree, detached HEAD, merge in progress...)."""

    exit_code = 2


class NothingToDo(ChaintuiError):
    """Nothing could be applied (no chaintui commit to undo, no fix applicable): exit 1."""

    exit_code = 1
