"""Each fix kind produces exactly the edits it promises, and the result diagnoses clean."""

from __future__ import annotations

import ast
import json

import pytest

from chaintui.analysis import analyze
from chaintui.errors import ChaintuiError
from chaintui.fixes import FIX_KINDS, Renumber
from chaintui.planner import (break_cycle_fix, keep_duplicate_fix, linearize_fix, merge_fix, overlay_reader,
                              plan, relink_fix, remove_fix)
from tests.builders import write_project


def graph_of(root):
    return analyze(root).sets[0].graph


def after(root, changeset):
    """Diagnose the project as it would be with the changeset applied (nothing written)."""
    return analyze(root, overlay=changeset.overlay())


def codes(analysis):
    return sorted({p.code for p in analysis.problems})


def test_relink_changes_one_file_and_fixes_the_dangling_parent(tmp_path):
    root = write_project(tmp_path, [("001", None), ("002", "001"), ("003", "ghost")])
    graph = graph_of(root)
    fix = relink_fix(graph, "migrations/versions/003_step.py", ("002",))
    changes = fix.changes(graph)
    assert changes.files == ["migrations/versions/003_step.py"]
    assert "-down_revision: Union[str, Sequence[str], None] = 'ghost'" in changes.diff()
    assert "+down_revision: Union[str, Sequence[str], None] = '002'" in changes.diff()
    result = after(root, changes)
    assert not result.problems
    assert result.sets[0].graph.heads == ["003"]
    assert fix.to_json()["parents"] == ["002"]


def test_keep_duplicate_renames_the_other_file_and_asks_children(tmp_path):
    root = write_project(tmp_path, [
        ("001", None), ("002", "001", {"message": "add users"}), ("002", "001", {"message": "add posts"}),
        ("003", "002", {"message": "child a"}), ("004", "002", {"message": "child b"}),
    ])
    graph = graph_of(root)
    keep = "migrations/versions/002_add_users.py"
    other = "migrations/versions/002_add_posts.py"
    child_b = "migrations/versions/004_child_b.py"
    fix = keep_duplicate_fix(graph, "002", keep, children={child_b: other})
    data = fix.to_json()
    assert data["kind"] == "keep-duplicate" and data["keep"] == keep
    # The renamed copy keeps its number's position, in the project's style.
    assert data["renamed"] == {other: "002a"}
    changes = fix.changes(graph)
    kinds = {c.rel: (c.kind, c.target) for c in changes.changes}
    assert kinds[other] == ("rename", "migrations/versions/002a_add_posts.py")
    assert kinds[child_b][0] == "edit"
    graph_after = after(root, changes).sets[0].graph
    # Siblings are chained (002 -> 002a); the child that meant the copy follows it, and so does
    # the unanswered one (the planner's answer: the last of the chain before it).
    assert graph_after.parent_ids("002a") == ("002",)
    assert graph_after.parent_ids("004") == ("002a",)
    assert graph_after.parent_ids("003") == ("002a",)
    assert "duplicate-revision" not in codes(after(root, changes))


def test_remove_relinks_children_onto_the_removed_parent(tmp_path):
    root = write_project(tmp_path, [("001", None), ("002", "001"), ("003", "002"), ("004", "003")])
    graph = graph_of(root)
    fix = remove_fix(graph, "migrations/versions/003_step.py")
    changes = fix.changes(graph)
    assert {c.kind for c in changes.changes} == {"delete", "edit"}
    result = after(root, changes)
    assert not result.problems
    assert result.sets[0].graph.parent_ids("004") == ("002",)


def test_merge_heads_renders_the_projects_own_template(tmp_path):
    root = write_project(tmp_path, [("001", None), ("002", "001"), ("003", "001")])
    graph = graph_of(root)
    fix = merge_fix(graph, ("002", "003"))
    assert fix.revision == "004"
    changes = fix.changes(graph)
    (change,) = changes.changes
    assert change.kind == "create" and change.rel.startswith("migrations/versions/004_")
    text = change.new.decode()
    assert "revision: str = '004'" in text
    assert "down_revision: Union[str, Sequence[str], None] = ('002', '003')" in text
    assert "Revises: 002, 003" in text
    ast.parse(text)
    result = after(root, changes)
    assert not result.problems and result.sets[0].graph.heads == ["004"]


def test_linearize_moves_a_whole_branch_after_the_other_head(tmp_path):
    root = write_project(tmp_path, [("001", None), ("002", "001"), ("003", "002"),
                                    ("004", "001"), ("005", "004")])
    graph = graph_of(root)
    fix = linearize_fix(graph, "005", "003")
    assert (fix.revision, fix.parents) == ("004", ("003",))
    result = after(root, fix.changes(graph))
    assert not result.problems and result.sets[0].graph.heads == ["005"]


def test_break_cycle(tmp_path):
    root = write_project(tmp_path, [("001", None), ("002", "001"), ("003", "004"), ("004", "003")])
    graph = graph_of(root)
    assert "cycle" in codes(analyze(root))
    fix = break_cycle_fix(graph, "migrations/versions/003_step.py", ("002",))
    assert fix.kind == "break-cycle"
    assert not after(root, fix.changes(graph)).problems


def test_renumber_follows_parents_and_file_names(tmp_path):
    root = write_project(tmp_path, [("a1", None), ("b2", "a1"), ("c3", "b2")])
    graph = graph_of(root)
    files = [m.rel for m in graph.revisions]
    fix = Renumber(revision="a1", file=files[0], mapping=tuple(zip(files, ("001", "002", "003"))))
    result = after(root, fix.changes(graph))
    new_graph = result.sets[0].graph
    assert not result.problems
    assert new_graph.parent_ids("003") == ("002",) and new_graph.bases == ["001"]
    assert sorted(m.name for m in new_graph.revisions) == ["001_step.py", "002_step.py", "003_step.py"]


def test_new_ids_refuse_illegal_characters_and_collisions(tmp_path):
    root = write_project(tmp_path, [("001", None), ("002", "001"), ("002", "001", {"message": "other"})])
    graph = graph_of(root)
    fix = keep_duplicate_fix(graph, "002", "migrations/versions/002_step.py")
    bad = type(fix)(**{**fix.__dict__, "renamed": (("migrations/versions/002_other.py", "a-b"),)})
    with pytest.raises(ChaintuiError, match="not a valid alembic revision id"):
        bad.changes(graph)
    clash = type(fix)(**{**fix.__dict__, "renamed": (("migrations/versions/002_other.py", "001"),)})
    with pytest.raises(ChaintuiError, match="already exists"):
        clash.changes(graph)


def test_hex_projects_get_alembic_rev_ids(tmp_path):
    root = write_project(tmp_path, [("1a2b3c4d5e6f", None), ("aaaaaaaaaaaa", "1a2b3c4d5e6f"),
                                    ("aaaaaaaaaaaa", "1a2b3c4d5e6f", {"message": "twin"})])
    graph = graph_of(root)
    fix = keep_duplicate_fix(graph, "aaaaaaaaaaaa", graph.by_id["aaaaaaaaaaaa"][0].rel)
    (_, new), = fix.renamed
    assert len(new) == 12 and all(c in "0123456789abcdef" for c in new)


def test_plan_json_matches_the_design_contract(tmp_path):
    root = write_project(tmp_path, [("001", None), ("002", "001"), ("003", "ghost"),
                                    ("004", "001"), ("004", "002", {"message": "twin"})])
    result = plan(analyze(root))
    data = json.loads(json.dumps(result.to_json()))
    assert [f["kind"] for f in data["fixes"]][:2] == ["keep-duplicate", "relink"]
    for fix in data["fixes"]:
        assert {"kind", "summary", "revision", "file"} <= fix.keys()
        assert fix["kind"] in FIX_KINDS
        if fix["kind"] in ("relink", "break-cycle", "linearize", "merge-heads"):
            assert isinstance(fix["parents"], list)
        if fix["kind"] == "keep-duplicate":
            assert isinstance(fix["keep"], str) and isinstance(fix["renamed"], dict)
    assert result.result is not None and not result.result.has_errors


def test_plan_changesets_compose_in_order(tmp_path):
    root = write_project(tmp_path, [("001", None), ("002", "x"), ("003", "y"), ("004", "001")])
    result = plan(analyze(root))
    overlay = {}
    for fix, changes in zip(result.fixes, result.changesets):
        # each changeset was computed on top of the previous ones
        graph = analyze(root, overlay=overlay).sets[0].graph
        assert fix.changes(graph, overlay_reader(overlay)).diff() == changes.diff()
        overlay.update(changes.overlay())
    assert not analyze(root, overlay=overlay).has_errors


def test_keep_duplicate_answers_are_respected(tmp_path):
    root = write_project(tmp_path, [
        ("001", None), ("002", "001", {"message": "kept"}), ("002", "001", {"message": "sibling", "upgrade": ["op.create_table('other', sa.Column('id', sa.Integer()))"],
                          "downgrade": ["op.drop_table('other')"]}),
        ("003", "002"),
    ])
    graph = graph_of(root)
    kept, sibling = "migrations/versions/002_kept.py", "migrations/versions/002_sibling.py"
    fix = keep_duplicate_fix(graph, "002", kept, children={"migrations/versions/003_step.py": sibling})
    assert fix.summary == "keep 002_kept.py as 002; renumber 002_sibling.py -> 002a"
    result = after(root, fix.changes(graph))
    new = result.sets[0].graph
    assert not result.problems
    assert new.parent_ids("002a") == ("002",) and new.parent_ids("003") == ("002a",)
    # a child that meant the kept file keeps naming it: the user said so
    plain = keep_duplicate_fix(graph, "002", kept, children={"migrations/versions/003_step.py": kept})
    assert dict(plain.relinks).get("migrations/versions/003_step.py") is None
