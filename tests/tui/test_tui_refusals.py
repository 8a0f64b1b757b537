"""Git refusals become a dialog that says what to do; nothing is written, nothing crashes."""

from __future__ import annotations

import shutil
import subprocess

from chaintui.tui.screens.diff_preview import DiffPreviewScreen
from chaintui.tui.screens.main import MainScreen
from chaintui.tui.screens.message import MessageScreen
from tests.tui.conftest import git_subjects
from tests.tui.helpers import pilot_test, press, screen_text, settle


async def _apply_first_planned_fix(app, pilot) -> None:
    await settle(pilot)
    await press(pilot, "a")
    assert isinstance(app.screen, DiffPreviewScreen)
    await press(pilot, "y")


@pilot_test
async def test_dirty_migrations_are_refused_with_a_dialog(demo_root, make_app):
    dirty = demo_root / "migrations/versions/005_add_notification_preferences.py"
    dirty.write_text(dirty.read_text() + "# local edit\n")
    before = git_subjects(demo_root)
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await _apply_first_planned_fix(app, pilot)
        assert isinstance(app.screen, MessageScreen)
        text = screen_text(app)
        assert "Git refused to write" in text
        assert "uncommitted changes" in text and "commit or stash them first" in text
        assert "Nothing was written" in text
        await press(pilot, "enter")
        assert isinstance(app.screen, MainScreen)
    assert git_subjects(demo_root) == before
    assert (demo_root / "migrations/versions/001_initial_migration.py").exists()
    assert dirty.read_text().endswith("# local edit\n")


@pilot_test
async def test_not_a_git_repository_is_refused(demo_root, make_app):
    shutil.rmtree(demo_root / ".git")
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await _apply_first_planned_fix(app, pilot)
        assert isinstance(app.screen, MessageScreen)
        assert "not in a git repository" in screen_text(app)
    assert (demo_root / "migrations/versions/001_initial_migration.py").exists()


@pilot_test
async def test_detached_head_is_refused(demo_root, make_app):
    subprocess.run(["git", "checkout", "-q", "--detach"], cwd=demo_root, check=True)
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await _apply_first_planned_fix(app, pilot)
        assert isinstance(app.screen, MessageScreen)
        assert "HEAD is detached" in screen_text(app)
