"""Shared fixtures: every test runs with its own scan cache, never the user's ~/.cache."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """CHAINTUI_CACHE_DIR points at a fresh temporary directory for each test."""
    cache = tmp_path_factory.mktemp("chaintui-cache")
    monkeypatch.setenv("CHAINTUI_CACHE_DIR", str(cache))
    monkeypatch.delenv("NO_COLOR", raising=False)
    # A fresh CI machine may have no git identity: commits made by tests need one.
    for var, value in (("GIT_AUTHOR_NAME", "Test"), ("GIT_AUTHOR_EMAIL", "test@example.com"),
                       ("GIT_COMMITTER_NAME", "Test"), ("GIT_COMMITTER_EMAIL", "test@example.com")):
        monkeypatch.setenv(var, value)
    yield cache
    # A command run in-process (cli.main) marks the process one-shot and freezes the heap
    # (chaintui.heap); the test process runs many more.
    from chaintui import heap

    heap.reset()


@pytest.fixture
def cache_dir(_isolated_cache) -> Path:
    return _isolated_cache


def run_chaintui(*args: str, cwd: Path | str | None = None, env: dict | None = None,
                 timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the real command line (`python -m chaintui ...`) in a subprocess, text output."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("NO_COLOR", None)
    return subprocess.run([sys.executable, "-m", "chaintui", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def chaintui():
    """The command line as a function: chaintui("check", str(root), "--format", "json")."""
    return run_chaintui
