"""The intended order behind every fix (chaintui.order, chaintui.target): each rule of issue 9,
checked on real git histories by what alembic walks after `plan` + applying the fixes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chaintui.analysis import analyze
from chaintui.gitops import Repository
from chaintui.planner import plan
from tests.builders import Timeline, alembic_script, git_init, write_project
from tests.conftest import run_chaintui


def apply_all(root: Path, **options):
    """Plan, then commit every fix; returns the plan."""
    result = plan(analyze(root), **options)
    repo = Repository.open(root)
    for fix in result.fixes:
        graph = next(s.graph for s in analyze(root).sets if s.mset.name == fix.set_name)
        repo.apply(fix, graph)
    return result


def walk(root: Path) -> list[str]:
    """What alembic itself walks, base to head, as file stems."""
    script = alembic_script(root)
    assert len(script.get_heads()) == 1
    return [Path(r.path).stem for r in reversed(list(script.walk_revisions()))]


def table(name: str) -> dict:
    return {"upgrade": [f"op.create_table({name!r}, sa.Column('id', sa.Integer()))"],
            "downgrade": [f"op.drop_table({name!r})"]}


def column(on: str, name: str) -> dict:
    return {"upgrade": [f"op.add_column({on!r}, sa.Column({name!r}, sa.Integer()))"],
            "downgrade": [f"op.drop_column({on!r}, {name!r})"]}


# ------------------------------------------------------------------------------ heads


def test_later_landed_branch_goes_after_the_other(tmp_path):
    t = Timeline(tmp_path)
    t.land(("aaaaaaaaaaaa", None, table("users")))
    t.branch("early")
    t.branch("late")
    # written first, merged second: the merge (landing) decides, not the Create Date
    t.land(("cccccccccccc", "aaaaaaaaaaaa", {**column("users", "b"), "message": "late pr"}), on="late")
    t.land(("bbbbbbbbbbbb", "aaaaaaaaaaaa", {**column("users", "a"), "message": "early pr"}), on="early")
    t.merge("early")
    t.merge("late")
    result = apply_all(t.root)
    assert [(f.kind, f.revision, f.parents) for f in result.fixes] == [("linearize", "cccccccccccc", ("bbbbbbbbbbbb",))]
    assert "landed" in result.fixes[0].reason and "after bbbbbbbbbbbb_early_pr.py" in result.fixes[0].reason
    assert walk(t.root) == ["aaaaaaaaaaaa_step", "bbbbbbbbbbbb_early_pr", "cccccccccccc_late_pr"]


def test_three_heads_go_in_landing_order(tmp_path):
    t = Timeline(tmp_path)
    t.land(("a0a0a0a0a0a0", None))
    for name in ("one", "two", "three"):
        t.branch(name)
    t.land(("f3f3f3f3f3f3", "a0a0a0a0a0a0", {"message": "three"}), on="three")
    t.land(("f2f2f2f2f2f2", "a0a0a0a0a0a0", {"message": "two"}), on="two")
    t.land(("f1f1f1f1f1f1", "a0a0a0a0a0a0", {"message": "one"}), on="one")
    for name in ("two", "three", "one"):
        t.merge(name)
    apply_all(t.root)
    assert walk(t.root)[1:] == ["f2f2f2f2f2f2_two", "f3f3f3f3f3f3_three", "f1f1f1f1f1f1_one"]


def test_a_history_that_merges_gets_a_merge_revision(tmp_path):
    t = Timeline(tmp_path)
    t.land(("a0a0a0a0a0a0", None))
    t.land(("b1b1b1b1b1b1", "a0a0a0a0a0a0"), ("c1c1c1c1c1c1", "a0a0a0a0a0a0"))
    t.land(("d1d1d1d1d1d1", ("b1b1b1b1b1b1", "c1c1c1c1c1c1"), {"message": "merge heads"}))
    t.branch("x")
    t.land(("e2e2e2e2e2e2", "d1d1d1d1d1d1", {"message": "x"}), on="x")
    t.land(("f2f2f2f2f2f2", "d1d1d1d1d1d1", {"message": "y"}))
    t.merge("x")
    result = apply_all(t.root)
    (merge,) = result.fixes
    assert merge.kind == "merge-heads" and merge.parents == ("f2f2f2f2f2f2", "e2e2e2e2e2e2")
    assert "the history resolves heads with merge revisions" in merge.reason
    assert "d1d1d1d1d1d1_merge_heads.py" in merge.reason
    assert len(alembic_script(t.root).get_heads()) == 1


def test_a_pull_request_on_mains_head_that_landed_last_goes_after_the_others(tmp_path):
    # "billing" forked early and landed first; "auth" forked from main's head, but other work
    # landed before it was merged: its author never saw that work, so it goes last (landing order)
    t = Timeline(tmp_path)
    t.land(("a0a0a0a0a0a0", None))
    t.branch("billing")
    t.land(("b1b1b1b1b1b1", "a0a0a0a0a0a0", {"message": "main"}))
    t.branch("auth")
    t.land(("c1c1c1c1c1c1", "a0a0a0a0a0a0", {"message": "billing"}), on="billing")
    t.land(("d1d1d1d1d1d1", "b1b1b1b1b1b1", {"message": "auth"}), on="auth")
    t.merge("billing")
    t.merge("auth")
    apply_all(t.root)
    assert walk(t.root) == ["a0a0a0a0a0a0_step", "b1b1b1b1b1b1_main", "c1c1c1c1c1c1_billing", "d1d1d1d1d1d1_auth"]


def test_main_going_on_after_a_pull_request_keeps_its_own_edge(tmp_path):
    # a commit made on main itself saw the merged pull request: main's line stays one block, and
    # the pull request goes after main's head
    t = Timeline(tmp_path)
    t.land(("a0a0a0a0a0a0", None))
    t.branch("pr")
    t.land(("b1b1b1b1b1b1", "a0a0a0a0a0a0", {"message": "main_one"}))
    t.land(("c1c1c1c1c1c1", "a0a0a0a0a0a0", {"message": "pr"}), on="pr")
    t.merge("pr")
    t.land(("d1d1d1d1d1d1", "b1b1b1b1b1b1", {"message": "main_two"}))
    apply_all(t.root)
    assert walk(t.root) == ["a0a0a0a0a0a0_step", "b1b1b1b1b1b1_main_one", "d1d1d1d1d1d1_main_two", "c1c1c1c1c1c1_pr"]


@pytest.mark.parametrize("setting, kind", [("merge", "merge-heads"), ("linearize", "linearize")])
def test_the_project_setting_decides_merge_or_linearize(tmp_path, setting, kind):
    root = write_project(tmp_path, [("a1", None), ("b2", "a1"), ("c3", "a1")])
    (root / "pyproject.toml").write_text(f'[tool.chaintui]\nheads = "{setting}"\n')
    git_init(root)
    (fix,) = plan(analyze(root)).fixes
    assert fix.kind == kind and f'heads = "{setting}"' in fix.reason


# ------------------------------------------------------------------------------ roots


def test_main_root_is_the_earliest_and_a_root_mid_history_stays_in_place(tmp_path):
    ids = [f"{i:04d}" for i in range(8)]
    specs = [(rev, ids[i - 1] if i else None) for i, rev in enumerate(ids)]
    specs[5] = (ids[5], None)  # the middle revision lost its parent: the later half is the bigger
    root = write_project(tmp_path, specs)
    git_init(root)
    result = apply_all(root)
    assert [(f.kind, f.revision, f.parents) for f in result.fixes] == [("relink", "0005", ("0004",))]
    assert walk(root) == [f"{rev}_step" for rev in ids]


def test_roots_joined_by_a_merge_revision_are_left_alone(tmp_path):
    root = write_project(tmp_path, [("a1", None), ("b1", None), ("c2", ("a1", "b1")), ("d3", "c2")])
    git_init(root)
    assert plan(analyze(root)).fixes == []
    assert not analyze(root).has_errors


def test_an_extra_root_that_recreates_the_baseline_is_removed(tmp_path):
    both = {"upgrade": ["op.create_table('users', sa.Column('id', sa.Integer()))",
                        "op.create_table('orgs', sa.Column('id', sa.Integer()))"],
            "downgrade": ["op.drop_table('orgs')", "op.drop_table('users')"]}
    root = write_project(tmp_path, [
        ("001", None, {**both, "message": "baseline"}),
        ("002", "001", table("posts")),
        ("003", None, {**table("users"), "message": "initial"}),
    ])
    git_init(root)
    (fix,) = plan(analyze(root)).fixes
    assert fix.kind == "remove" and fix.file.endswith("003_initial.py")
    assert "only re-creates tables" in fix.reason


def test_removing_a_second_baseline_does_not_also_remove_the_root_it_repeated(tmp_path):
    # the later "initial schema" repeats audit_log (the real root's table) and groups (created on
    # the main line): it goes, and the real root - which only it repeated - stays
    both = {"upgrade": ["op.create_table('audit_log', sa.Column('id', sa.Integer()))",
                        "op.create_table('groups', sa.Column('id', sa.Integer()))"],
            "downgrade": ["op.drop_table('groups')", "op.drop_table('audit_log')"]}
    t = Timeline(tmp_path)
    t.land(("a0a0a0a0a0a0", None, {**table("audit_log"), "message": "audit"}))
    t.land(("b1b1b1b1b1b1", "a0a0a0a0a0a0", {**table("groups"), "message": "groups"}))
    t.land(("c2c2c2c2c2c2", None, {**both, "message": "initial"}))
    t.land(("d3d3d3d3d3d3", "b1b1b1b1b1b1", column("audit_log", "email")))
    result = apply_all(t.root)
    assert [(f.kind, f.file.rsplit("/", 1)[-1]) for f in result.fixes] == [("remove", "c2c2c2c2c2c2_initial.py")]
    assert walk(t.root) == ["a0a0a0a0a0a0_audit", "b1b1b1b1b1b1_groups", "d3d3d3d3d3d3_step"]


# ------------------------------------------------------------------------------ duplicates


def test_duplicates_stay_at_their_numbers_position_in_the_projects_style(tmp_path):
    t = Timeline(tmp_path)
    t.land(("0007", None, table("users")))
    t.land(("0008", "0007", {**column("users", "x"), "message": "first"}))
    t.land(("0008", "0007", {**column("users", "y"), "message": "second"}))
    t.land(("0008", "0007", {**column("users", "z"), "message": "third"}))
    t.land(("0009", "0008", column("users", "w")))
    t.land(("0010", "0009", column("users", "v")))
    result = apply_all(t.root)
    (dup,) = result.fixes
    assert dup.kind == "keep-duplicate" and dup.keep.endswith("0008_first.py")
    assert dict(dup.renamed) == {"migrations/versions/0008_second.py": "0008a",
                                 "migrations/versions/0008_third.py": "0008b"}
    assert walk(t.root) == ["0007_step", "0008_first", "0008a_second", "0008b_third", "0009_step", "0010_step"]


def test_a_stale_copy_is_removed_not_renumbered(tmp_path):
    t = Timeline(tmp_path)
    t.land(("0001", None, table("users")))
    t.land(("0002", "0001", table("posts")))
    t.land(("0003", "0002", {**column("users", "admin"), "message": "add admin"}))
    # renumbered on a branch, but the old file came back with a merge: same body, stale id
    t.land(("0003", "0002", {**table("tags"), "message": "add tags"}))
    t.land(("0004", "0003", {**column("users", "admin"), "message": "add admin"}))
    result = plan(analyze(t.root))
    removed = [f.file for f in result.fixes if f.kind == "remove"]
    assert removed == ["migrations/versions/0003_add_admin.py"]
    assert "byte for byte 0004_add_admin.py" in result.fixes[0].reason
    apply_all(t.root)
    assert walk(t.root) == ["0001_step", "0002_step", "0003_add_tags", "0004_add_admin"]


def test_files_sharing_a_number_that_fork_go_in_landing_order(tmp_path):
    t = Timeline(tmp_path)
    t.land(("017_users", None, table("users")))
    t.branch("pr")
    t.land(("018_posts", "017_users", table("posts")), on="pr")
    t.land(("018_tags", "017_users", table("tags")))
    t.merge("pr")
    found = {p.code for p in analyze(t.root).problems}
    assert {"duplicate-number", "multiple-heads"} <= found
    apply_all(t.root)
    assert walk(t.root) == ["017_users_step", "018_tags_step", "018_posts_step"]


def test_a_shared_number_in_a_pull_request_means_the_copy_its_branch_saw(tmp_path):
    # bare-number ids, heads merged: "pr" forked when main had 002_users; another pull request
    # then landed a second 002; pr's 003 revises "002" - the copy it saw at its fork, not the
    # copy that had landed last when it was merged
    t = Timeline(tmp_path)
    (t.root / "pyproject.toml").write_text('[tool.chaintui]\nheads = "merge"\n')
    t.land(("001", None, table("base")))
    t.land(("002", "001", {**table("users"), "message": "users"}))
    t.branch("pr")
    t.branch("other")
    t.land(("002", "001", {**table("tags"), "message": "tags"}), on="other")
    t.merge("other")
    t.land(("003", "002", {**column("base", "x"), "message": "pr"}), on="pr")
    t.merge("pr")
    result = apply_all(t.root)
    assert [f.kind for f in result.fixes] == ["keep-duplicate", "merge-heads"]
    assert result.fixes[1].parents == ("002a", "003")
    script = alembic_script(t.root)
    assert script.get_revision("003").down_revision == "002"
    assert Path(script.get_revision("002").path).name == "002_users.py"


# ------------------------------------------------------------------------------ loops, dangling


def test_a_loop_is_broken_at_the_edge_edited_last(tmp_path):
    t = Timeline(tmp_path)
    t.land(("a1a1a1a1a1a1", None))
    t.land(("b2b2b2b2b2b2", "a1a1a1a1a1a1"))
    (c3,) = t.land(("c3c3c3c3c3c3", "b2b2b2b2b2b2"))
    (d4,) = t.land(("d4d4d4d4d4d4", "c3c3c3c3c3c3"))
    # someone "fixed" something by pointing c3 at d4: c3's line is the edited one
    t.edit(c3, "down_revision: Union[str, Sequence[str], None] = 'b2b2b2b2b2b2'",
           "down_revision: Union[str, Sequence[str], None] = 'd4d4d4d4d4d4'")
    (fix,) = plan(analyze(t.root)).fixes
    assert (fix.kind, fix.revision, fix.parents) == ("break-cycle", "c3c3c3c3c3c3", ("b2b2b2b2b2b2",))
    assert "edited after it landed (git blame)" in fix.reason


def test_a_dangling_parent_follows_the_file_before_it_that_has_its_tables(tmp_path):
    root = write_project(tmp_path, [
        ("001", None, table("users")), ("002", "001", table("posts")), ("003", "001", table("tags")),
        ("004", "ghost", column("posts", "x")),
    ])
    git_init(root)
    result = plan(analyze(root))
    relink = next(f for f in result.fixes if f.revision == "004" and f.kind == "relink")
    assert relink.parents == ("002",)  # not 003: the posts table comes from 002
    assert not result.stopped and not result.result.has_errors


def test_the_plan_walks_the_history_once_and_ranks_alternatives_with_it(tmp_path, monkeypatch):
    from chaintui.history import GitHistory

    t = Timeline(tmp_path)
    t.land(("001", None, table("users")))
    t.land(("002", "001", table("posts")))
    t.land(("003", "ghost", column("posts", "x")))
    root = t.root
    walks = []
    original = GitHistory._walk
    monkeypatch.setattr(GitHistory, "_walk", lambda self: (walks.append(self), original(self))[1])
    result = plan(analyze(root))
    relink = next(f for f in result.fixes if f.revision == "003")
    assert relink.parents == ("002",) and relink.alternatives[0].value == "002"
    assert any("git" in why for o in relink.alternatives for why in o.reasons)  # git signals were read
    assert len(walks) == 1


def test_a_dangling_parent_follows_what_its_own_header_still_names(tmp_path):
    # hex ids, dates that tell nothing: the header's `Revises:` is the explicit evidence
    root = write_project(tmp_path, [
        ("a1a1a1a1a1a1", None), ("b2b2b2b2b2b2", "a1a1a1a1a1a1"), ("c3c3c3c3c3c3", "b2b2b2b2b2b2"),
        ("d4d4d4d4d4d4", "f42f94c7a129", {"header": {"Revises": "b2b2b2b2b2b2"}}),
    ])
    git_init(root)
    result = plan(analyze(root))
    relink = next(f for f in result.fixes if f.revision == "d4d4d4d4d4d4")
    assert relink.parents == ("b2b2b2b2b2b2",) and "its own header says Revises: b2b2b2b2b2b2" in relink.reason


def test_an_empty_down_revision_on_the_first_migration_makes_it_the_base(tmp_path):
    # `down_revision = ""` (dispatch had it for years): alembic looks for a revision named ""
    root = write_project(tmp_path, [("0001", ""), ("0002", "0001"), ("0003", "0002")])
    git_init(root)
    assert "missing-parent" in {p.code for p in analyze(root).problems}
    apply_all(root)
    assert walk(root) == ["0001_step", "0002_step", "0003_step"]
    assert alembic_script(root).get_revision("0001").down_revision is None


def test_an_explicit_hint_that_contradicts_the_schema_loses_to_the_order(tmp_path):
    # 003 names its parent by file name, but needs a table only 002 creates
    root = write_project(tmp_path, [
        ("001", None, {**table("users"), "filename": "001_base.py"}),
        ("002", "001", table("posts")),
        ("003", "001_base", column("posts", "x")),
    ])
    git_init(root)
    result = plan(analyze(root))
    assert [(f.kind, f.revision, f.parents) for f in result.fixes] == [("relink", "003", ("002",))]
    assert "creates table 'posts', which 003_step.py needs" in result.fixes[0].reason


def test_when_no_placement_satisfies_the_schema_the_plan_stops_and_fix_exits_1(tmp_path):
    # 003 alters `posts`, which only 004 creates - and 004 builds on 003
    root = write_project(tmp_path, [
        ("001", None, table("users")), ("002", "001", table("tags")),
        ("003", "ghost", column("posts", "x")), ("004", "003", table("posts")),
    ])
    git_init(root)
    result = plan(analyze(root))
    assert result.stopped and "no placement satisfies the schema" in result.stopped
    assert "003_step.py needs table 'posts', which only 004_step.py creates" in result.stopped
    proc = run_chaintui("fix", str(root), "--all", "--yes")
    assert proc.returncode == 1 and "no placement satisfies the schema" in proc.stderr


# ------------------------------------------------------------------------------ plan == fix


def test_plan_shows_exactly_the_ids_fix_commits(tmp_path):
    root = write_project(tmp_path, [
        ("a1a1a1a1a1a1", None), ("b2b2b2b2b2b2", "a1a1a1a1a1a1", {"message": "one", **table("one")}),
        ("b2b2b2b2b2b2", "a1a1a1a1a1a1", {"message": "two", **table("two")}),
    ])
    git_init(root)
    first = json.loads(run_chaintui("plan", str(root), "--format", "json").stdout)
    second = json.loads(run_chaintui("plan", str(root), "--format", "json").stdout)
    assert first == second
    (renamed,) = first["fixes"][0]["renamed"].values()
    fixed = run_chaintui("fix", str(root), "--all", "--yes")
    assert fixed.returncode == 0, fixed.stderr
    assert any(renamed in p.read_text() for p in (root / "migrations/versions").glob("*.py"))


def test_fix_all_fixes_errors_only_and_tidy_is_opt_in(tmp_path):
    root = write_project(tmp_path, [("001", None), ("002", "001", {"header": {"Revises": "000"}}),
                                    ("003", "ghost")])
    git_init(root)
    kinds = [f.kind for f in plan(analyze(root)).fixes]
    assert kinds == ["relink"]
    tidy = [f.kind for f in plan(analyze(root), tidy=True).fixes]
    assert tidy == ["relink", "sync-header"]


def test_a_renamed_copy_keeps_the_date_prefix_of_its_file_name(tmp_path):
    root = write_project(tmp_path, [
        ("a1a1a1a1a1a1", None, {"filename": "2024-01-01-1200_init.py"}),
        ("b2b2b2b2b2b2", "a1a1a1a1a1a1", {"filename": "2024-02-01-1200_add_x.py", **table("x")}),
        ("b2b2b2b2b2b2", "a1a1a1a1a1a1", {"filename": "2024-02-02-1200_add_y.py", **table("y")}),
    ])
    git_init(root)
    apply_all(root)
    names = sorted(p.name for p in (root / "migrations/versions").glob("*.py"))
    assert names == ["2024-01-01-1200_init.py", "2024-02-01-1200_add_x.py", "2024-02-02-1200_add_y.py"]


def test_a_file_that_cannot_be_parsed_keeps_its_children(tmp_path):
    broken = ('"""add x\n\nRevision ID: 002\nRevises: 001\nCreate Date: 2024-01-01\n"""\n'
              "revision = '002'\ndown_revision = '001'\n\ndef upgrade():\n"
              "<<<<<<< HEAD\n    pass\n=======\n>>>>>>> feature\n")
    root = write_project(tmp_path, [("001", None), {"rev": "002", "filename": "002_x.py", "source": broken},
                                    ("003", "002"), ("004", "ghost")])
    git_init(root)
    analysis = analyze(root)
    assert "parse-error" in {p.code for p in analysis.problems}
    assert "002" in analysis.sets[0].graph.by_id  # the header and assignments still declare it
    result = plan(analysis)
    assert [(f.kind, f.revision, f.parents) for f in result.fixes] == [("relink", "004", ("003",))]
    assert not any(f.file.endswith("002_x.py") for f in result.fixes)
