"""`chaintui PATH --db URL`: applied revisions are marked, and a fix that changes one warns first."""

from __future__ import annotations

import sqlite3

from chaintui.analysis import analyze
from chaintui.tui.app import ChaintuiApp
from chaintui.tui.screens.choose_parent import ChooseParentScreen
from chaintui.tui.screens.diff_preview import DiffPreviewScreen
from tests.tui.conftest import git_subjects
from tests.tui.helpers import pilot_test, press, screen_text, settle


def deployed_at(root, rev: str) -> str:
    db = root / "deployed.db"
    with sqlite3.connect(db) as conn:
        conn.execute("create table alembic_version (version_num varchar(32) primary key)")
        conn.execute("insert into alembic_version values (?)", (rev,))
    return f"sqlite:///{db}"


@pilot_test
async def test_applied_revisions_are_marked_and_changing_one_needs_confirmation(demo_root):
    url = deployed_at(demo_root, "016")
    app = ChaintuiApp(analyze(demo_root), db=url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one("RevisionTree")
        assert {"005", "010", "016"} <= tree.applied and "017" not in tree.applied
        assert "[applied]" in screen_text(app)
        problems = app.screen.query_one("#problems").problems
        index = next(i for i, p in enumerate(problems) if p.code == "missing-parent" and "005" in p.revisions)
        await press(pilot, "p", *["down"] * index, "enter")
        assert isinstance(app.screen, ChooseParentScreen)
        await press(pilot, "enter")
        preview = app.screen
        assert isinstance(preview, DiffPreviewScreen)
        assert any("005 is applied on the database" in w for w in preview.warnings)
        assert "Apply anyway (y)" in screen_text(app)
        await press(pilot, "escape")
    assert not git_subjects(demo_root)[0].startswith("chaintui:")


@pilot_test
async def test_a_relink_that_breaks_the_schema_order_is_warned_about(tmp_path):
    from tests.builders import git_init, write_project

    root = write_project(tmp_path, [
        ("001", None), ("002", "001"),
        ("003", "ghost", {"upgrade": ["op.add_column('t_002', sa.Column('x', sa.Integer()))"],
                          "downgrade": ["op.drop_column('t_002', 'x')"]}),
    ])
    git_init(root)
    app = ChaintuiApp(analyze(root))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "p", "enter")  # the missing-parent problem: choose 003's parent
        assert isinstance(app.screen, ChooseParentScreen)
        for key in "001":  # t_002 is created by 002, so 001 is too early
            await pilot.press(key)
        await settle(pilot)
        assert app.screen.shown[0] == "001"
        await press(pilot, "enter")
        preview = app.screen
        assert isinstance(preview, DiffPreviewScreen)
        assert any("t_002" in w for w in preview.warnings), preview.warnings
        assert "Apply anyway (y)" in screen_text(app)
