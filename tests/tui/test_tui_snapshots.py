"""SVG snapshots at a fixed size (100x30) after every worker has finished: the main screen and
the keep-duplicate dialog. Update with `pytest tests/tui/test_tui_snapshots.py --snapshot-update`."""

from __future__ import annotations

from chaintui.analysis import analyze
from chaintui.tui.app import ChaintuiApp
from tests.tui.helpers import settle


def test_main_screen(snap_compare, demo_root):
    assert snap_compare(ChaintuiApp(analyze(demo_root)), terminal_size=(100, 30), run_before=settle)


def test_keep_duplicate_dialog(snap_compare, demo_root):
    async def open_dialog(pilot):
        await settle(pilot)
        await pilot.press("p", "down", "enter")
        await settle(pilot)

    assert snap_compare(ChaintuiApp(analyze(demo_root)), terminal_size=(100, 30), run_before=open_dialog)
