"""Each choice dialog, driven by keys: what it offers, what it returns, what gets committed."""

from __future__ import annotations

from chaintui.analysis import analyze
from chaintui.tui.screens.choose_parent import ChooseParentScreen
from chaintui.tui.screens.diff_preview import DiffPreviewScreen
from chaintui.tui.screens.heads import HeadsScreen
from chaintui.tui.screens.help import HelpScreen
from chaintui.tui.screens.keep_duplicate import KeepDuplicateScreen
from chaintui.tui.screens.loop import LoopScreen
from chaintui.tui.screens.main import MainScreen
from chaintui.tui.screens.remove import RemoveScreen
from tests.builders import git_init, write_project
from tests.tui.conftest import git_subjects
from tests.tui.helpers import pilot_test, press, problem_keys, screen_text, settle


@pilot_test
async def test_keep_duplicate_shows_candidates_side_by_side_and_asks_each_child(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, *problem_keys(app, "duplicate-revision", "017"), "enter")
        screen = app.screen
        assert isinstance(screen, KeepDuplicateScreen)
        text = screen_text(app)
        assert "017_add_missing_user_columns.py" in text and "017_add_public_uuid_columns.py" in text
        assert "2024-" in text  # create dates
        assert "which file did each mean?" in text
        assert screen.choice().keep == "migrations/versions/017_add_missing_user_columns.py"
        await press(pilot, "right")
        assert screen.choice().keep == "migrations/versions/017_add_public_uuid_columns.py"
        await press(pilot, "enter")
        assert isinstance(app.screen, DiffPreviewScreen)
        assert app.screen.fix.kind == "keep-duplicate"
        assert "rename from migrations/versions/017_add_missing_user_columns.py" in app.screen.changeset.diff()
        await press(pilot, "y")
        assert isinstance(app.screen, MainScreen)
    assert git_subjects(demo_root)[0].startswith("chaintui: keep 017_add_public_uuid_columns.py as 017")
    graph = analyze(demo_root).sets[0].graph
    assert [m.name for m in graph.by_id["017"]] == ["017_add_public_uuid_columns.py"]


@pilot_test
async def test_relink_offers_ranked_parents_with_reasons_and_a_fuzzy_filter(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        problems = app.screen.query_one("#problems").problems
        index = next(i for i, p in enumerate(problems) if p.code == "missing-parent" and "005" in p.revisions)
        await press(pilot, "p", *["down"] * index, "enter")
        screen = app.screen
        assert isinstance(screen, ChooseParentScreen)
        assert screen.shown[0] == "004_add_notifications"
        assert "names '373835cefaf9'" in screen_text(app)
        for key in "enhanced":
            await pilot.press(key)
        await settle(pilot)
        assert screen.shown[0] == "003_enhanced_content_metadata"
        await press(pilot, "enter")
        assert isinstance(app.screen, DiffPreviewScreen)
        assert app.screen.fix.summary == "relink 005 onto 003_enhanced_content_metadata"
        await press(pilot, "escape")  # cancel: nothing is written
        assert isinstance(app.screen, MainScreen)
    assert not git_subjects(demo_root)[0].startswith("chaintui:")


@pilot_test
async def test_remove_asks_which_file_of_a_duplicate(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "t")  # the first problem (the 001 duplicate) put the tree cursor on 001
        assert app.screen.current_rev == "001"
        await press(pilot, "x")
        assert isinstance(app.screen, RemoveScreen)
        assert "001_initial_migration.py" in screen_text(app)
        files = [m.rel for m in app.screen.graph.by_id["001"]]
        await press(pilot, *["down"] * files.index("migrations/versions/001_initial_migration.py"), "enter")
        assert isinstance(app.screen, DiffPreviewScreen)
        assert app.screen.fix.kind == "remove"
        await press(pilot, "y")
    assert git_subjects(demo_root)[0] == "chaintui: remove 001_initial_migration.py (001)"
    assert not (demo_root / "migrations/versions/001_initial_migration.py").exists()


@pilot_test
async def test_break_loop_suggests_the_forward_edge_then_asks_the_new_parent(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "o")
        assert isinstance(app.screen, LoopScreen)
        assert "points forward" in screen_text(app)
        await press(pilot, "enter")
        assert isinstance(app.screen, ChooseParentScreen)
        assert "027_create_content_drafts_and_schedules" not in app.screen.shown  # no new loop offered
        assert app.screen.shown[0] == "025"
        await press(pilot, "enter")
        assert app.screen.fix.summary == "break the loop at 026: relink it onto 025"
        await press(pilot, "y")
        assert not any(p.code == "cycle" for p in app.screen.query_one("#problems").problems)
    assert git_subjects(demo_root)[0].startswith("chaintui: break the loop at 026")


def _two_heads(tmp_path):
    root = write_project(tmp_path / "p", [("a1", None), ("b2", "a1"), ("c3", "b2"), ("d4", "a1")])
    return git_init(root)


@pilot_test
async def test_heads_dialog_linearizes_one_branch_after_the_other(tmp_path, make_app):
    root = _two_heads(tmp_path)
    app = make_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "m")
        assert isinstance(app.screen, HeadsScreen)
        assert "put d4's branch after c3" in screen_text(app)
        await press(pilot, "enter")
        assert app.screen.fix.kind == "linearize"
        await press(pilot, "y")
    graph = analyze(root).sets[0].graph
    assert graph.heads == ["d4"] and graph.parent_ids("d4") == ("c3",)


@pilot_test
async def test_heads_dialog_can_write_a_merge_revision(tmp_path, make_app):
    root = _two_heads(tmp_path)
    app = make_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "m")
        count = app.screen.query_one("#choices").option_count
        await press(pilot, *["down"] * (count - 1), "enter")
        assert app.screen.fix.kind == "merge-heads"
        assert "new file" in app.screen.changeset.diff()
        await press(pilot, "y")
    graph = analyze(root).sets[0].graph
    assert len(graph.heads) == 1
    assert set(graph.parent_ids(graph.heads[0])) == {"c3", "d4"}


@pilot_test
async def test_help_is_generated_from_the_bindings(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        described = {e.description: e for e in app.screen.entries}
        for binding in MainScreen.BINDINGS:
            if binding.action != "next_set":  # one migration set: hidden
                assert binding.description in described
        assert described["Fix all"].tooltip.startswith("Review the automatic plan")
        assert described["Undo"].enabled is False  # nothing to undo yet: dimmed
        await press(pilot, "escape")
        assert isinstance(app.screen, MainScreen)


@pilot_test
async def test_command_palette_runs_actions(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        for key in "loop":
            await pilot.press(key)
        await pilot.pause(0.5)
        await press(pilot, "enter")
        assert isinstance(app.screen, LoopScreen)
