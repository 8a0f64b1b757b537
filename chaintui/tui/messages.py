"""Messages the session's thread workers post to the main screen (results only, never widgets)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from chaintui.analysis import Analysis


@dataclass
class AnalysisReady(Message):
    """A fresh scan of the project finished."""

    analysis: Analysis


@dataclass
class HistoryReady(Message):
    """This session's commits (oldest first) were read from git."""

    entries: list[Any]
    can_undo: bool
    branch: str = ""
    """The checked-out branch ("detached HEAD" without one; "" outside git)."""
    head: str = ""
    """HEAD's short sha ("" outside git)."""


@dataclass
class FixApplied(Message):
    """A fix was written and committed."""

    commit: Any
    summary: str


@dataclass
class UndoDone(Message):
    """The newest chaintui commit was reverted."""

    commit: Any


@dataclass
class GitFailed(Message):
    """A git operation was refused or failed; nothing was changed."""

    title: str
    message: str
    refused: bool = False


@dataclass
class GitFactsReady(Message):
    """Who added a file and when (None: unknown)."""

    rel: str
    facts: Any
