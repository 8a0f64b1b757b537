"""`plan`, `fix`, `undo`, `verify` through the real command line, on the seed plan's demo project."""

from __future__ import annotations

import json
import subprocess

import git
import pytest

from chaintui.demo import build_demo
from tests.builders import git_init, write_project
from tests.conftest import run_chaintui


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("demo-template") / "demo")


@pytest.fixture
def demo(demo_template, tmp_path):
    target = tmp_path / "demo"
    subprocess.run(["git", "clone", "-q", str(demo_template), str(target)], check=True)
    return target


def tree_bytes(root):
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts}


def test_plan_json_on_the_seed_is_the_guided_repair(demo):
    proc = run_chaintui("plan", str(demo), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    fixes = json.loads(proc.stdout)["fixes"]
    summary = [(f["kind"], f["revision"]) for f in fixes]
    assert summary[0] == ("remove", "001")
    assert fixes[0]["file"] == "migrations/versions/001_initial_migration.py"
    dups = [f for f in fixes if f["kind"] == "keep-duplicate"]
    assert {f["revision"]: f["keep"].rsplit("/", 1)[1] for f in dups} == {
        "017": "017_add_missing_user_columns.py",
        "018": "018_add_dead_letter_queue.py",
        "031": "031_add_usage_record_table.py",
    }
    relinks = {f["revision"]: f["parents"] for f in fixes if f["kind"] in ("relink", "break-cycle")}
    assert relinks["004_add_notifications"] == ["003_enhanced_content_metadata"]
    assert relinks["005"] == ["004_add_notifications"]
    # The renamed copies keep their number's position: 017 -> 017a (public uuid) -> 018 ->
    # 018a (engagement) -> 019, as the seed plan orders them; 019 follows 018a.
    assert {f["revision"]: f["renamed"] for f in dups} == {
        "017": {"migrations/versions/017_add_public_uuid_columns.py": "017a"},
        "018": {"migrations/versions/018_ensure_engagement_data_column.py": "018a"},
        "031": {"migrations/versions/031_webhook_reliability_improvements.py": "031a"},
    }
    assert relinks["019"] == ["018a"] and relinks["022"] == ["021"] and relinks["023"] == ["022"]
    assert relinks["026"] == ["025"]
    # Errors only: no linearize (nothing is left over), no header sync without --tidy.
    assert [f["kind"] for f in fixes].count("relink") == 5 and len(fixes) == 10
    assert not [f for f in fixes if f["kind"] in ("linearize", "sync-header", "rename-file")]
    # Every reason names its evidence.
    by_rev = {f["revision"]: f["reason"] for f in fixes}
    assert "031_webhook_reliability_improvements.py landed" in by_rev["031"]
    assert "its own header says Revises: 025" in by_rev["026"]
    assert "creates table 'content_versions'" in by_rev["023"]


#: The seed plan's intended order (phase 4), as files: what `alembic upgrade` must walk.
SEED_ORDER = [
    "000_baseline_existing_schema", "001_add_core_missing_tables", "002_add_user_settings",
    "003_enhanced_content_metadata", "004_add_notifications", "005_add_notification_preferences",
    "006_add_teams", "007_add_team_members", "008_add_audit_log", "008a_add_audit_log_index",
    "009_add_api_keys", "010_add_sessions", "011_add_session_ip", "012_add_tags", "013_add_post_tags",
    "014_add_published_at", "015_add_comments", "016_add_comment_index", "017_add_missing_user_columns",
    "017a_add_public_uuid_columns", "018_add_dead_letter_queue", "018a_ensure_engagement_data_column",
    "019_add_webhooks", "020_add_webhook_secret", "021_add_rate_limits", "022_add_content_versions",
    "023_add_content_version_author", "024_add_media", "025_add_media_alt_text", "026_add_media_caption",
    "027_create_content_drafts_and_schedules", "028_add_draft_status", "029_add_billing_accounts",
    "030_add_invoices", "031_add_usage_record_table", "031a_webhook_reliability_improvements",
    "032_add_usage_record_index", "033_add_subscription_plans",
]


def walk(root):
    """The files alembic itself walks from base to head."""
    from pathlib import Path

    from tests.builders import alembic_script

    script = alembic_script(root)
    return [Path(r.path).stem for r in reversed(list(script.walk_revisions()))]


def test_plan_text_fits_80_columns(demo):
    proc = run_chaintui("plan", str(demo))
    assert proc.returncode == 0
    assert "[remove] remove 001_initial_migration.py" in proc.stdout
    assert max(len(line) for line in proc.stdout.splitlines()) <= 130  # summaries are one line each
    assert all(len(line) <= 80 for line in proc.stdout.splitlines() if line.startswith("      "))


def test_dry_run_prints_diffs_and_writes_nothing(demo):
    before = tree_bytes(demo)
    head = git.Repo(demo).head.commit.hexsha
    proc = run_chaintui("fix", str(demo), "--all", "--yes", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "deleted file" in proc.stdout and "rename from" in proc.stdout
    assert "+down_revision: Union[str, Sequence[str], None] = \"025\"" in proc.stdout
    assert tree_bytes(demo) == before and git.Repo(demo).head.commit.hexsha == head


def test_fix_all_then_alembic_accepts_and_sqlite_round_trips_then_undo_all(demo):
    original = tree_bytes(demo)
    head = git.Repo(demo).head.commit.hexsha
    verdict = run_chaintui("verify", str(demo))
    assert verdict.returncode == 1 and "does NOT accept" in verdict.stdout

    proc = run_chaintui("fix", str(demo), "--all", "--yes", timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    repo = git.Repo(demo)
    new_commits = list(repo.iter_commits(f"{head}..HEAD"))
    assert len(new_commits) == 10
    assert all(c.summary.startswith("chaintui: ") and "Chaintui-Fix: " in c.message for c in new_commits)
    assert repo.git.status("--porcelain") == ""

    check = run_chaintui("check", str(demo))
    assert check.returncode == 0, check.stdout
    assert walk(demo) == SEED_ORDER
    verified = run_chaintui("verify", str(demo), "--sqlite", timeout=300)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "upgrade head again (scratch SQLite)" in verified.stdout

    for _ in new_commits:
        undo = run_chaintui("undo", str(demo))
        assert undo.returncode == 0, undo.stderr
    assert tree_bytes(demo) == original
    again = run_chaintui("undo", str(demo))
    assert again.returncode == 1
    assert "no chaintui commit to undo" in again.stderr


def test_wrong_repair_fails_on_a_real_database(demo):
    """Keeping 001_initial_migration as a root chained before the baseline re-creates tables."""
    versions = demo / "migrations/versions"
    (versions / "001_add_core_missing_tables.py").unlink()
    text = (versions / "000_baseline_existing_schema.py").read_text()
    (versions / "000_baseline_existing_schema.py").write_text(
        text.replace('down_revision: Union[str, Sequence[str], None] = None',
                     'down_revision: Union[str, Sequence[str], None] = "001"'))
    subprocess.run(["git", "commit", "-qam", "a wrong repair"], cwd=demo, check=True)
    proc = run_chaintui("fix", str(demo), "--all", "--yes", timeout=180)
    assert proc.returncode == 0, proc.stderr
    verified = run_chaintui("verify", str(demo), "--sqlite", timeout=300)
    assert verified.returncode == 1
    assert "upgrade head (scratch SQLite)" in verified.stdout and "FAIL" in verified.stdout


def test_fix_refuses_a_dirty_tree_and_touches_nothing(demo):
    target = demo / "migrations/versions/002_add_user_settings.py"
    target.write_text(target.read_text() + "# local edit\n")
    before = tree_bytes(demo)
    proc = run_chaintui("fix", str(demo), "--all", "--yes")
    assert proc.returncode == 2
    assert proc.stderr.startswith("chaintui: uncommitted changes in the migrations")
    assert "Traceback" not in proc.stderr
    assert tree_bytes(demo) == before


def test_fix_outside_git_is_refused(tmp_path):
    root = write_project(tmp_path, [("001", None), ("002", "ghost")])
    proc = run_chaintui("fix", str(root), "--all", "--yes")
    assert proc.returncode == 2 and "not in a git repository" in proc.stderr


def test_fix_without_yes_and_without_a_terminal_refuses(tmp_path):
    root = write_project(tmp_path, [("001", None), ("002", "ghost")])
    git_init(root)
    proc = run_chaintui("fix", str(root), "--all")
    assert proc.returncode == 2 and "pass --yes" in proc.stderr


def test_fix_on_a_healthy_project_does_nothing(tmp_path):
    root = write_project(tmp_path, [("001", None), ("002", "001")])
    git_init(root)
    proc = run_chaintui("fix", str(root), "--all", "--yes")
    assert proc.returncode == 0 and "Nothing to fix" in proc.stdout


def test_fix_branch_option(tmp_path):
    root = write_project(tmp_path, [("001", None), ("002", "ghost")])
    git_init(root)
    proc = run_chaintui("fix", str(root), "--all", "--yes", "--branch", "chaintui/repair")
    assert proc.returncode == 0, proc.stderr
    repo = git.Repo(root)
    assert repo.active_branch.name == "chaintui/repair"
    assert repo.heads.main.commit != repo.head.commit


def test_undo_without_chaintui_commits(tmp_path):
    root = write_project(tmp_path, [("001", None)])
    git_init(root)
    proc = run_chaintui("undo", str(root))
    assert proc.returncode == 1 and "no chaintui commit to undo" in proc.stderr


def test_renumber_makes_the_numbers_follow_the_chain(demo):
    proc = run_chaintui("fix", str(demo), "--all", "--yes", "--renumber", timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "renumber 29 revisions sequentially" in proc.stdout
    numbers = sorted(p.name[:3] for p in (demo / "migrations/versions").glob("*.py"))
    assert numbers == [f"{i:03d}" for i in range(len(numbers))]
    assert run_chaintui("check", str(demo)).returncode == 0
    verdict = run_chaintui("verify", str(demo), timeout=120)
    assert verdict.returncode == 0, verdict.stdout


def test_replanning_after_each_commit_reproduces_the_plan(demo):
    """The TUI's Fix all re-plans after every commit: it must meet the plan the CLI shows."""
    from chaintui.analysis import analyze
    from chaintui.gitops import Repository
    from chaintui.planner import plan

    planned = [f.summary for f in plan(analyze(demo)).fixes]
    repo = Repository.open(demo)
    done = []
    while True:
        analysis = analyze(demo)
        step = plan(analysis).fixes
        if not step:
            break
        fix = step[0]
        repo.apply(fix, next(s.graph for s in analysis.sets if s.mset.name == fix.set_name))
        done.append(fix.summary)
    assert done == planned
