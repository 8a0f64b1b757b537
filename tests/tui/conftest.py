"""TUI fixtures: a fresh demo project (a git repository) per test, and the app on it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from chaintui.analysis import analyze
from chaintui.demo import build_demo


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory) -> Path:
    """Built once; each test copies it (a copy of the git repository is identical)."""
    return build_demo(tmp_path_factory.mktemp("demo-template") / "demo")


@pytest.fixture
def demo_root(_demo_template, tmp_path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(_demo_template, root, symlinks=True)
    return root


@pytest.fixture
def make_app():
    """make_app(root) -> a ChaintuiApp on a fresh analysis of `root`."""
    from chaintui.tui.app import ChaintuiApp

    def make(root: Path):
        return ChaintuiApp(analyze(root))

    return make


def git_subjects(root: Path) -> list[str]:
    """Commit subjects, newest first."""
    out = subprocess.run(["git", "log", "--format=%s"], cwd=root, capture_output=True, text=True, check=True)
    return out.stdout.splitlines()
