"""The whole repair of the demo project through key presses only, from the first screen to a
history alembic accepts; then undo."""

from __future__ import annotations

from chaintui.analysis import analyze
from chaintui.tui.screens.diff_preview import DiffPreviewScreen
from chaintui.tui.screens.main import MainScreen
from chaintui.tui.screens.verify import VerifyScreen
from chaintui.tui.widgets.history_pane import HistoryPane
from chaintui.tui.widgets.problems_panel import ProblemsPanel
from tests.tui.conftest import git_subjects
from tests.tui.helpers import pilot_test, press, screen_text, settle


@pilot_test
async def test_fix_all_by_keys_repairs_the_demo_and_alembic_accepts_it(demo_root, make_app):
    before = len(git_subjects(demo_root))
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "Problems · 10 errors" in screen_text(app)
        await press(pilot, "a")
        assert isinstance(app.screen, DiffPreviewScreen)
        assert "Fix all · step 1" in screen_text(app)
        steps = 0
        while isinstance(app.screen, DiffPreviewScreen) and steps < 30:
            await press(pilot, "y")
            steps += 1
        assert isinstance(app.screen, MainScreen)
        # Fix all fixes errors; the header warning of 012 stays (syncing it is opt-in, --tidy).
        left = app.screen.query_one(ProblemsPanel).problems
        assert [p.code for p in left] == ["header-mismatch"]
        history = app.screen.query_one(HistoryPane)
        assert len(history.entries) == steps
        await press(pilot, "v")
        assert isinstance(app.screen, VerifyScreen)
        await settle(pilot)
        assert app.screen.ok is True
        assert "alembic accepts this history" in screen_text(app)
        await press(pilot, "escape", "q")
    assert not analyze(demo_root).has_errors
    subjects = git_subjects(demo_root)
    made = subjects[: len(subjects) - before]
    assert len(made) == steps >= 10
    assert all(s.startswith("chaintui: ") for s in made)
    assert made[-1] == "chaintui: remove 001_initial_migration.py (001)"
    assert any(s.startswith("chaintui: break the loop at 026") for s in made)


@pilot_test
async def test_skip_leaves_a_problem_and_stop_ends_the_review(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        first = app.screen.fix.summary
        await press(pilot, "s")
        assert isinstance(app.screen, DiffPreviewScreen)
        assert "step 2" in screen_text(app)
        assert app.screen.fix.summary != first
        await press(pilot, "escape")
        assert isinstance(app.screen, MainScreen)
    assert len(git_subjects(demo_root)) == len(git_subjects(demo_root))  # nothing committed
    assert not [s for s in git_subjects(demo_root) if s.startswith("chaintui:")]


@pilot_test
async def test_undo_reverts_the_newest_fix_and_the_problem_comes_back(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "a", "y")  # remove 001_initial_migration.py
        await press(pilot, "escape")  # stop reviewing
        problems = app.screen.query_one(ProblemsPanel).problems
        assert not any(p.code == "multiple-bases" for p in problems)
        assert app.screen.can_undo
        await press(pilot, "u")
        problems = app.screen.query_one(ProblemsPanel).problems
        assert any(p.code == "multiple-bases" for p in problems)
        history = app.screen.query_one(HistoryPane)
        assert [e.kind for e in history.entries] == ["remove", "undo"]
        assert not app.screen.can_undo
    subjects = git_subjects(demo_root)
    assert subjects[0].startswith('Revert "chaintui: remove 001_initial_migration.py')
    assert (demo_root / "migrations/versions/001_initial_migration.py").exists()
