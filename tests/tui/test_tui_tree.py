"""The tree pane as drawn: lanes, problem marks, phantoms, folding, and what selecting does."""

from __future__ import annotations

from chaintui.lanes import FOLDED
from chaintui.tui.widgets.revision_tree import RevisionTree
from tests.builders import git_init, linear, write_project
from tests.tui.helpers import pilot_test, press, screen_text, settle


@pilot_test
async def test_demo_tree_marks_every_problem_where_it_is(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "000 [root]" in text
        assert "001 [dup×2] [root]" in text
        assert "373835c  missing · named by 005" in text  # a hex id, abbreviated like git
        assert "005 [dangling]" in text
        assert "├─┬─╮" in text  # f42f94c7a129 is named by three revisions
        tree = app.screen.query_one(RevisionTree)
        assert any(row.back == ("027_create_content_drafts_and_schedules",) for row in tree.rows)


@pilot_test
async def test_selecting_a_problem_highlights_its_revisions_in_the_tree(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        problems = app.screen.query_one("#problems").problems
        index = next(i for i, p in enumerate(problems) if p.code == "missing-parent" and len(p.revisions) == 3)
        await press(pilot, "p", *["down"] * index)
        tree = app.screen.query_one(RevisionTree)
        assert tree.highlighted == {"019", "022", "023"}
        assert tree.current_rev == "019"
        assert app.screen.current_rev == "019"


@pilot_test
async def test_a_long_linear_run_folds_and_opens(tmp_path, make_app):
    ids = [f"{i:03d}" for i in range(200)]
    root = git_init(write_project(tmp_path / "p", linear(ids)))
    app = make_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(RevisionTree)
        assert len(tree.rows) == 6
        assert "… 195 revisions (002 … 196)" in screen_text(app)
        await press(pilot, "t", "down", "down")
        assert tree.current_row.kind == FOLDED
        await press(pilot, "right")
        assert len(tree.rows) == 200
        assert tree.current_rev == "002"
        await press(pilot, "left")
        assert len(tree.rows) == 6
        await press(pilot, "end")
        assert tree.current_rev == "199"
