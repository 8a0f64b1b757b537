"""Warnings shown before a commit: schema order a relink would break, applied revisions it changes."""

from __future__ import annotations

from chaintui.analysis import analyze
from chaintui.demo import build_demo
from chaintui.planner import keep_duplicate_fix, preview_warnings, relink_fix
from tests.builders import write_project

NOTIFICATION_PREFS = "migrations/versions/005_add_notification_preferences.py"


def test_the_right_parent_on_a_broken_history_raises_no_schema_noise(tmp_path):
    root = build_demo(tmp_path / "demo")
    graph = analyze(root).sets[0].graph
    fix = relink_fix(graph, NOTIFICATION_PREFS, ("004_add_notifications",))
    assert preview_warnings(fix, graph) == []


def test_a_parent_before_the_table_exists_is_named(tmp_path):
    root = write_project(tmp_path, [
        ("001", None), ("002", "001"),
        ("003", "ghost", {"upgrade": ["op.add_column('t_002', sa.Column('x', sa.Integer()))"],
                          "downgrade": ["op.drop_column('t_002', 'x')"]}),
    ])
    graph = analyze(root).sets[0].graph
    early = relink_fix(graph, "migrations/versions/003_step.py", ("001",))
    (warning,) = preview_warnings(early, graph)
    assert "003 would alter table 't_002'" in warning and "002_step.py" in warning
    assert preview_warnings(relink_fix(graph, "migrations/versions/003_step.py", ("002",)), graph) == []


def test_changes_to_applied_revisions_are_called_out(tmp_path):
    root = build_demo(tmp_path / "demo")
    graph = analyze(root).sets[0].graph
    fix = relink_fix(graph, NOTIFICATION_PREFS, ("004_add_notifications",))
    (warning,) = preview_warnings(fix, graph, applied={"016"})  # 016 applied => 005 below it too
    assert warning.startswith("005 is applied on the database and its parent changes")
    dup = keep_duplicate_fix(graph, "017", "migrations/versions/017_add_missing_user_columns.py")
    assert preview_warnings(dup, graph, applied={"016"}) == []
    assert "one of its files gets a new id" in preview_warnings(dup, graph, applied={"017"})[0]
