"""Fix all re-plans after every step (applied, skipped, undone), no dialog is a dead end, and the
end of the repair says so in words."""

from __future__ import annotations

from chaintui.analysis import analyze
from chaintui.planner import plan
from chaintui.tui.screens.choose_parent import ChooseParentScreen
from chaintui.tui.screens.diff_preview import DiffPreviewScreen
from chaintui.tui.screens.main import MainScreen
from chaintui.tui.screens.message import MessageScreen
from chaintui.tui.screens.root import RootScreen
from tests.builders import git_init, write_project
from tests.tui.conftest import git_subjects
from tests.tui.helpers import pilot_test, press, problem_keys, screen_text, settle


@pilot_test
async def test_skip_re_plans_without_the_skipped_step_and_the_review_never_hits_a_dead_end(demo_root, make_app):
    first = plan(analyze(demo_root)).fixes[0]
    expected = plan(analyze(demo_root), declined={first.key}).fixes[0]
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        assert app.screen.fix.key == first.key
        await press(pilot, "s")
        assert isinstance(app.screen, DiffPreviewScreen)
        assert app.screen.fix.key == expected.key  # the plan made again, the skipped key declined
        assert "step 2" in screen_text(app)
        steps = 0
        while isinstance(app.screen, DiffPreviewScreen) and steps < 30:
            await press(pilot, "y")
            steps += 1
        # every planned step could be built; the end says what is left and why
        assert isinstance(app.screen, MessageScreen), type(app.screen)
        assert app.screen.title_text == "Fix all: nothing more to plan"
        assert "you skipped 1 step" in app.screen.message
        await press(pilot, "enter")
    subjects = git_subjects(demo_root)
    made = [s for s in subjects if s.startswith("chaintui:")]
    assert len(made) == steps and not any(first.summary in s for s in made)


@pilot_test
async def test_undo_in_the_review_reverts_the_last_step_and_plans_it_again(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        first = app.screen.fix.summary
        await press(pilot, "y")
        assert app.screen.fix.summary != first
        await press(pilot, "u")
        assert isinstance(app.screen, DiffPreviewScreen)
        assert app.screen.fix.summary == first  # re-planned from the reverted files
        assert "step 1" in screen_text(app)
        await press(pilot, "escape")
    subjects = git_subjects(demo_root)
    assert subjects[0] == f'Revert "chaintui: {first}"'


@pilot_test
async def test_the_extra_root_that_shares_an_id_offers_choices_that_all_work(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        keys = problem_keys(app, "multiple-bases", "001")
        await press(pilot, *keys, "enter")
        assert isinstance(app.screen, RootScreen)
        assert app.screen.extra.name == "001_initial_migration.py"  # the root, not its namesake
        assert app.screen.choices == ["remove", "relink", "renumber"]
        await press(pilot, "down", "enter")  # relink: choose its parent
        assert isinstance(app.screen, ChooseParentScreen)
        await press(pilot, "escape")
        await press(pilot, *keys, "enter", "down", "down", "enter")  # a new id first
        assert isinstance(app.screen, DiffPreviewScreen)
        assert app.screen.fix.kind == "keep-duplicate" and app.screen.changeset
        await press(pilot, "escape")
        await press(pilot, *keys, "enter", "enter")  # remove (suggested: it re-creates tables)
        assert isinstance(app.screen, DiffPreviewScreen)
        assert app.screen.fix.summary == "remove 001_initial_migration.py (001)"
        await press(pilot, "y")
        assert isinstance(app.screen, MainScreen)
    assert git_subjects(demo_root)[0] == "chaintui: remove 001_initial_migration.py (001)"


@pilot_test
async def test_when_no_error_is_left_the_screen_says_so_and_what_comes_next(tmp_path, make_app):
    root = git_init(write_project(tmp_path / "p", [("a1", None), ("b2", "a1"), ("c3", "gone")]))
    app = make_app(root)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.screen.query_one("#finished").display
        await press(pilot, "a", "y")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        finished = app.screen.query_one("#finished")
        assert finished.display
        text = screen_text(app)
        assert "No errors left" in text and "chaintui verify --sqlite" in text and "git push" in text
        assert "✔ no errors left" in text.splitlines()[0]
