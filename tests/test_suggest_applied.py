"""The plan respects applied revisions: a merge instead of moving an applied branch, and the
stamp statements each deployed database needs in the commit body."""

from __future__ import annotations

import sqlite3

from chaintui.analysis import analyze
from chaintui.db import applied_closure
from chaintui.planner import plan
from tests.builders import git_init, write_project


def _project(tmp_path, specs):
    root = write_project(tmp_path / "proj", specs)
    git_init(root)
    return root


def test_two_heads_linearize_applied_branch_first_merge_when_both_are_applied(tmp_path):
    root = _project(tmp_path, [("a1", None), ("b2", "a1"), ("c3", "b2"), ("d4", "b2")])
    analysis = analyze(root, use_cache=False)
    fixes = plan(analysis).fixes
    assert [f.kind for f in fixes] == ["linearize"]
    moved = fixes[0].revision
    stays = ({"c3", "d4"} - {moved}).pop()
    # The moved branch is applied on a database: the other one goes after it instead.
    applied = plan(analysis, applied={moved}).fixes
    assert [(f.kind, f.revision, f.parents) for f in applied] == [("linearize", stays, (moved,))]
    assert "applied on the database" in applied[0].reason
    # Both branches applied: moving either rewrites what the database ran, so a merge revision.
    both = plan(analysis, applied={"c3", "d4"}).fixes
    assert [f.kind for f in both] == ["merge-heads"]
    assert "database (--db) has applied revisions of 2 of the branches" in both[0].reason
    assert both[0].to_json()["parents"] == ["c3", "d4"]


def test_renamed_applied_duplicate_carries_stamp_statements(tmp_path):
    root = _project(tmp_path, [("a1", None), ("b2", "a1"),
                               ("b2", "a1", {"filename": "b2_other.py", "message": "other"}), ("c3", "b2")])
    analysis = analyze(root, use_cache=False)
    fixes = plan(analysis, applied={"c3"}).fixes
    keep = next(f for f in fixes if f.kind == "keep-duplicate")
    [(_, new_id)] = keep.renamed
    message = keep.commit_message()
    assert f"alembic stamp --purge {new_id}" in message
    assert f"UPDATE alembic_version SET version_num = '{new_id}' WHERE version_num = 'b2';" in message
    assert "Chaintui-Fix: keep-duplicate" in message.splitlines()[-1]
    # nothing applied: no stamp notes
    assert not any("alembic stamp" in f.commit_message() for f in plan(analysis).fixes)


def test_applied_closure_follows_the_graph(tmp_path):
    root = write_project(tmp_path / "p", [("a1", None), ("b2", "a1"), ("c3", "b2"), ("x9", None)])
    graph = analyze(root, use_cache=False).sets[0].graph
    assert applied_closure(graph, {"c3"}) == {"a1", "b2", "c3"}
    assert applied_closure(graph, {"gone"}) == {"gone"}


def test_cli_plan_reads_the_database(tmp_path, chaintui):
    root = _project(tmp_path, [("a1", None), ("b2", "a1"), ("c3", "b2"), ("d4", "b2")])
    db = tmp_path / "deployed.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    con.execute("INSERT INTO alembic_version VALUES ('d4')")
    con.execute("INSERT INTO alembic_version VALUES ('c3')")
    con.commit()
    con.close()
    result = chaintui("plan", str(root), "--format", "json", "--db", f"sqlite:///{db}")
    assert result.returncode in (0, 1), result.stderr
    import json

    kinds = [f["kind"] for f in json.loads(result.stdout)["fixes"]]
    assert kinds == ["merge-heads"]
