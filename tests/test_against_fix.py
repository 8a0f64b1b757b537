"""`chaintui fix --against REF`: the branch's migrations after REF's head, in one commit, then a
real merge gives one head that upgrades SQLite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.builders import render_migration
from tests.conftest import run_chaintui
from tests.pr_histories import fix_then_land, git, make_history
from tests.test_against import CHAIN, VERSIONS, against, branch_repo


def files(root: Path) -> list[str]:
    return sorted(p.name for p in (root / VERSIONS).glob("*.py"))


def numbered(rev: str, down: str | None, slug: str, *, width: int = 3, ids: str = "bare") -> dict:
    """A `093_slug.py` file whose id is `093` (bare) or `093_slug` (slug)."""
    rev_id = rev if ids == "bare" else f"{rev}_{slug}"
    return {"rev": rev_id, "down": down, "filename": f"{rev}_{slug}.py", "message": slug,
            "upgrade": [f"op.create_table('t_{slug}', sa.Column('id', sa.Integer(), primary_key=True))"],
            "downgrade": [f"op.drop_table('t_{slug}')"]}


@pytest.mark.parametrize("style", ["bare", "slug"])
def test_fix_then_a_real_merge_gives_one_head_that_upgrades_sqlite(tmp_path, style):
    history = make_history(tmp_path, "both-add", style, seed=4)
    landing = fix_then_land(history, tmp_path, sqlite=style == "bare")
    assert landing.fix_rc == 0, landing.fix_output
    assert landing.merged and landing.check_rc == 0 and len(landing.heads) == 1
    if style == "bare":
        assert landing.sqlite_ok, landing.sqlite_output


def test_one_commit_that_relinks_renumbers_all_in_order_and_never_touches_refs_files(tmp_path):
    base = [numbered("091", None, "users"), numbered("092", "091", "orders")]
    ref = [numbered("093", "092", "invoices"), numbered("094", "093", "refunds")]
    mine = [numbered("093", "092", "tags"), numbered("094", "093", "labels"), numbered("095", "094", "notes")]
    root = branch_repo(tmp_path, base, ref=ref, branch=mine)
    before = git(root, "rev-parse", "HEAD").stdout.strip()
    proc = run_chaintui("fix", str(root), "--against", "main", "--yes")
    assert proc.returncode == 0, proc.stderr
    assert git(root, "rev-list", "--count", f"{before}..HEAD").stdout.strip() == "1"
    assert files(root) == ["091_users.py", "092_orders.py", "095_tags.py", "096_labels.py", "097_notes.py"]
    changed = git(root, "diff", "--name-only", "--no-renames", before, "HEAD").stdout.split()
    landed_on_main = git(root, "ls-tree", "-r", "--name-only", "main").stdout.split()
    assert changed and not set(changed) & set(landed_on_main)
    first = (root / VERSIONS / "095_tags.py").read_text()
    assert "revision: str = '095'" in first and "down_revision: Union[str, Sequence[str], None] = '094'" in first
    assert "Revision ID: 095\nRevises: 094\n" in first
    assert "Revises: 095\n" in (root / VERSIONS / "096_labels.py").read_text()
    message = git(root, "log", "-1", "--format=%B").stdout
    assert message.startswith("chaintui: move 3 migrations after main's head 094")
    assert "This is a relink, not a merge revision" in message
    assert "alembic stamp" in message and "093 -> 095" in message
    assert message.rstrip().endswith("Chaintui-Fix: move-after-ref")
    data, code = against(root)
    assert (code, data["problems"]) == (0, [])
    git(root, "switch", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "feature", "-m", "land")
    verdict = run_chaintui("verify", str(root), "--sqlite")
    assert verdict.returncode == 0, verdict.stdout
    assert "head 097" in verdict.stdout


def test_width_and_the_rest_of_the_id_are_kept(tmp_path):
    base = [numbered("0008", None, "base", ids="slug")]
    ref = [numbered("0009", "0008_base", "ref", ids="slug")]
    mine = [numbered("0009", "0008_base", "mine", ids="slug")]
    root = branch_repo(tmp_path, base, ref=ref, branch=mine)
    proc = run_chaintui("fix", str(root), "--against", "main", "--yes")
    assert proc.returncode == 0, proc.stderr
    assert files(root) == ["0008_base.py", "0010_mine.py"]
    text = (root / VERSIONS / "0010_mine.py").read_text()
    assert "revision: str = '0010_mine'" in text and "= '0009_ref'" in text


def test_hex_ids_with_dated_file_names_are_only_relinked(tmp_path):
    def dated(rev, down, slug):
        return {"rev": rev, "down": down, "filename": f"2024_01_0{len(slug)}_{rev}_{slug}.py", "message": slug}

    base = [dated("a1b2c3d4e5f6", None, "base")]
    root = branch_repo(tmp_path, base, ref=[dated("0f0e0d0c0b0a", "a1b2c3d4e5f6", "ref")],
                       branch=[dated("123456789abc", "a1b2c3d4e5f6", "mine")])
    proc = run_chaintui("fix", str(root), "--against", "main", "--yes")
    assert proc.returncode == 0, proc.stderr
    assert "2024_01_04_123456789abc_mine.py" in files(root)  # same name: nothing to renumber
    message = git(root, "log", "-1", "--format=%B").stdout
    assert "relink" in message and "alembic stamp" not in message  # no id changed


def test_dry_run_shows_the_plan_and_diff_and_writes_nothing(tmp_path):
    root = branch_repo(tmp_path, CHAIN, ref=[("003", "002")], branch=[("003", "002", {"message": "mine"})])
    head = git(root, "rev-parse", "HEAD").stdout
    proc = run_chaintui("fix", str(root), "--against", "main", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "[move-after-ref] move 1 migration after main's head 003 (renumber 003_mine.py -> 004_mine.py)" in proc.stdout
    assert "rename to migrations/versions/004_mine.py" in proc.stdout and "+Revises: 003" in proc.stdout
    assert "nothing was written" in proc.stdout
    assert git(root, "rev-parse", "HEAD").stdout == head and files(root) == ["001_step.py", "002_step.py", "003_mine.py"]


def test_nothing_to_move_is_exit_0(tmp_path):
    root = branch_repo(tmp_path, CHAIN, branch=[("003", "002")])
    proc = run_chaintui("fix", str(root), "--against", "main", "--yes")
    assert proc.returncode == 0 and "Nothing to move" in proc.stdout


@pytest.mark.parametrize("ref, branch, words", [
    ([("003", "002")], [("b1", "002"), ("b2", "002")], "not one chain"),
    ([("003", "002"), ("004", "002")], [("b1", "002")], "main has 2 heads after 002"),
])
def test_refuses_when_it_cannot_tell_what_to_do(tmp_path, ref, branch, words):
    root = branch_repo(tmp_path, CHAIN, ref=ref, branch=branch)
    head = git(root, "rev-parse", "HEAD").stdout
    proc = run_chaintui("fix", str(root), "--against", "main", "--yes")
    assert proc.returncode == 2 and words in proc.stderr and proc.stderr.count("\n") == 1
    assert git(root, "rev-parse", "HEAD").stdout == head


def test_the_git_contract_holds(tmp_path):
    root = branch_repo(tmp_path, CHAIN, ref=[("003", "002")], branch=[("b1", "002")])
    proc = run_chaintui("fix", str(root), "--against", "main", "--yes", "--all")
    assert proc.returncode == 2 and "drop --all" in proc.stderr
    (root / VERSIONS / "b1_step.py").write_text(render_migration("b1", "002") + "# wip\n")
    proc = run_chaintui("fix", str(root), "--against", "main", "--yes")
    assert proc.returncode == 2 and "uncommitted changes" in proc.stderr
    git(root, "checkout", "--", VERSIONS)
    assert run_chaintui("fix", str(root), "--against", "main", "--yes").returncode == 0
    undo = run_chaintui("undo", str(root))
    assert undo.returncode == 0 and "Revert" in undo.stdout
    data, code = against(root)
    assert code == 1 and data["problems"][0]["code"] == "against-stale-parent"


def test_depends_on_between_the_branchs_migrations_follows_the_new_ids(tmp_path):
    mine = [numbered("003", "002", "a"), {**numbered("004", "003", "b"), "depends_on": "003"}]
    root = branch_repo(tmp_path, [numbered("001", None, "x"), numbered("002", "001", "y")],
                       ref=[numbered("003", "002", "z")], branch=mine)
    assert run_chaintui("fix", str(root), "--against", "main", "--yes").returncode == 0
    text = (root / VERSIONS / "005_b.py").read_text()
    assert "depends_on: Union[str, Sequence[str], None] = '004'" in text
    plan = run_chaintui("check", str(root), "--against", "main", "--format", "json")
    assert json.loads(plan.stdout)["problems"] == []


def test_id_style_hex_keeps_ids_so_a_shared_id_is_refused(tmp_path):
    root = branch_repo(tmp_path, CHAIN, ref=[("003", "002")], branch=[("003", "002", {"message": "mine"})],
                       pyproject='[tool.chaintui]\nid-style = "hex"\n')
    proc = run_chaintui("fix", str(root), "--against", "main", "--yes")
    assert proc.returncode == 2 and 'id-style = "hex"' in proc.stderr and "003" in proc.stderr
