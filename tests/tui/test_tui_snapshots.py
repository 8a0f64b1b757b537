"""SVG snapshots at 80x24 (the smallest terminal chaintui promises) and 120x40, after every worker
has finished: the demo's main screen, a choice dialog, the diff preview, the help, and a hex
history of 300 revisions. HOME is the project's parent so the header reads `~/demo` on any
machine. Update with `pytest tests/tui/test_tui_snapshots.py --snapshot-update`."""

from __future__ import annotations

import pytest

from chaintui.analysis import analyze
from chaintui.tui.app import ChaintuiApp
from tests.tui.helpers import press, problem_keys, settle

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.fixture
def demo_app(demo_root, monkeypatch):
    monkeypatch.setenv("HOME", str(demo_root.parent))
    return ChaintuiApp(analyze(demo_root))


@pytest.mark.parametrize("size", SIZES)
def test_main_screen(snap_compare, demo_app, size):
    assert snap_compare(demo_app, terminal_size=SIZES[size], run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_keep_duplicate_dialog(snap_compare, demo_app, size):
    async def open_dialog(pilot):
        await settle(pilot)
        await press(pilot, *problem_keys(pilot.app, "duplicate-revision", "017"), "enter")

    assert snap_compare(demo_app, terminal_size=SIZES[size], run_before=open_dialog)


def test_diff_preview(snap_compare, demo_app):
    async def fix_all(pilot):
        await settle(pilot)
        await press(pilot, "a")

    assert snap_compare(demo_app, terminal_size=SIZES["80x24"], run_before=fix_all)


def test_help(snap_compare, demo_app):
    async def help_(pilot):
        await settle(pilot)
        await press(pilot, "question_mark")

    assert snap_compare(demo_app, terminal_size=SIZES["80x24"], run_before=help_)


@pytest.mark.parametrize("size", SIZES)
def test_hex_history(snap_compare, tmp_path, monkeypatch, size):
    from tests.tui.histories import hex_history

    root = hex_history(tmp_path / "hex")
    monkeypatch.setenv("HOME", str(tmp_path))

    async def loop(pilot):  # the loop's problem selected: the tree shows where it was cut
        await settle(pilot)
        problems = pilot.app.screen.query_one("#problems").problems
        member = next(p.revisions[0] for p in problems if p.code == "cycle")
        await press(pilot, *problem_keys(pilot.app, "cycle", member))

    assert snap_compare(ChaintuiApp(analyze(root)), terminal_size=SIZES[size], run_before=loop)
