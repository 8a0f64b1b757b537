"""`chaintui check --against REF`: every break a landing would cause, and nothing else."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.builders import write_migrations, write_project
from tests.conftest import run_chaintui
from tests.pr_histories import git, make_history, observed_breaks, predicted_breaks, predicted_in_merge_checkout

VERSIONS = "migrations/versions"


def branch_repo(tmp_path: Path, base, *, ref=(), branch=(), ref_edit=None, branch_edit=None,
                pyproject: str | None = None) -> Path:
    """main with `base`; branch `feature` adds `branch` (and edits); main then adds `ref`."""
    root = write_project(tmp_path / "repo", base)
    if pyproject is not None:
        (root / "pyproject.toml").write_text(pyproject)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "switch", "-q", "-c", "feature")
    write_migrations(root / VERSIONS, branch)
    if branch_edit:
        branch_edit(root)
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "feature")
    git(root, "switch", "-q", "main")
    write_migrations(root / VERSIONS, ref)
    if ref_edit:
        ref_edit(root)
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "landed")
    git(root, "switch", "-q", "feature")
    return root


def against(root: Path, *extra: str, ref: str = "main"):
    proc = run_chaintui("check", str(root), "--against", ref, "--format", "json", *extra)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout), proc.returncode


def codes(data) -> list[tuple[str, str]]:
    return sorted((p["code"], Path(p["files"][0]).name) for p in data["problems"])


CHAIN = [("001", None), ("002", "001")]


# --------------------------------------------------------------------------------------------
# generated pull-request histories: prediction == what the real landing breaks


@pytest.mark.parametrize("scenario, style", [  # the whole matrix: benchmarks/against.py
    ("both-add", "bare"), ("both-add", "hex"), ("a-unrelated", "slug"),
    ("edit-landed", "slug"), ("merged-main", "bare"), ("main-broken", "hex"),
])
def test_prediction_is_exactly_what_the_landing_breaks(tmp_path, scenario, style):
    history = make_history(tmp_path, scenario, style, seed=0)
    predicted, code = predicted_breaks(history)
    observed = observed_breaks(history, tmp_path)
    assert predicted == observed
    assert code == (1 if any(c in ("against-stale-parent", "against-duplicate-revision") for c, _ in observed) else 0)
    if scenario in ("a-unrelated", "main-broken"):
        assert predicted == set()  # nothing added, and a main that is already broken is not blamed


def test_a_pull_request_merge_checkout_predicts_the_same(tmp_path):
    history = make_history(tmp_path, "merged-main", "bare", seed=1)
    assert predicted_in_merge_checkout(history, tmp_path) == predicted_breaks(history)


# --------------------------------------------------------------------------------------------
# what is, and is not, the branch's doing


def test_an_edit_that_landed_on_ref_after_the_fork_is_not_blamed_on_the_branch(tmp_path):
    def ref_edit(root):
        path = root / VERSIONS / "001_step.py"
        path.write_text(path.read_text() + "\n# landed on main after the fork\n")

    def branch_edit(root):
        path = root / VERSIONS / "002_step.py"
        path.write_text(path.read_text() + "\n# edited on the branch\n")

    root = branch_repo(tmp_path, CHAIN, branch=[("003", "002")], ref_edit=ref_edit, branch_edit=branch_edit)
    data, code = against(root)
    assert code == 0
    assert codes(data) == [("against-edits-landed", "002_step.py")]
    assert data["problems"][0]["severity"] == "warning"
    assert "changes 002_step.py, a migration main already has" in data["problems"][0]["message"]


def test_a_new_labelled_branch_off_an_old_revision_is_not_a_break(tmp_path):
    root = branch_repo(tmp_path, CHAIN, ref=[("003", "002")],
                       branch=[("feat1", "001", {"branch_labels": "feature"})])
    data, code = against(root)
    assert (code, data["problems"]) == (0, [])


def test_a_missing_parent_the_branch_adds_is_reported_with_its_own_code(tmp_path):
    root = branch_repo(tmp_path, CHAIN, branch=[("003", "0002")])
    data, code = against(root)
    assert code == 1
    # its head hangs off the missing parent: one head count everywhere, so two heads too
    assert codes(data) == [("missing-parent", "003_step.py"), ("multiple-heads", "003_step.py")]


def test_not_one_chain_and_ambiguous_heads_are_said(tmp_path):
    root = branch_repo(tmp_path, CHAIN, ref=[("003", "002")], branch=[("b1", "002"), ("b2", "002")])
    data, _ = against(root)
    assert ("against-not-one-chain", "b1_step.py") in codes(data)
    assert {c for c, _ in codes(data)} >= {"against-stale-parent"}

    root2 = branch_repo(tmp_path / "two", CHAIN, ref=[("003", "002"), ("004", "002")], branch=[("b1", "002")])
    data, code = against(root2)
    assert code == 1
    assert codes(data) == [("against-ambiguous-head", "b1_step.py"), ("against-stale-parent", "b1_step.py")]
    message = next(p["message"] for p in data["problems"] if p["code"] == "against-ambiguous-head")
    assert "main has 2 heads after 002 (003, 004)" in message


def test_json_names_the_commits_and_each_sides_migrations(tmp_path):
    root = branch_repo(tmp_path, CHAIN, ref=[("003", "002")], branch=[("003", "002", {"message": "mine"})])
    data, code = against(root)
    assert code == 1
    info = data["against"]
    fork = git(root, "merge-base", "HEAD", "main").stdout.strip()
    assert info["ref"] == "main" and info["fork_point"] == fork and info["merged_checkout"] is False
    (s,) = info["sets"]
    assert s["own"] == [{"id": "003", "file": f"{VERSIONS}/003_mine.py"}]
    assert s["landed"] == [{"id": "003", "file": f"{VERSIONS}/003_step.py"}]
    assert (s["parent"], s["ref_head"]) == ("002", "003")
    assert {r["id"] for r in data["revisions"]} == {"001", "002", "003"}  # the working tree's


def test_github_annotations_are_on_the_branchs_file(tmp_path):
    root = branch_repo(tmp_path, CHAIN, ref=[("003", "002")], branch=[("b1", "002")])
    proc = run_chaintui("check", str(root), "--against", "main", "--format", "github")
    assert proc.returncode == 1
    (line,) = proc.stdout.splitlines()
    assert line.startswith(f"::error file={VERSIONS}/b1_step.py,line=")
    assert "title=chaintui against-stale-parent::b1_step.py revises 002" in line


def test_text_output_fits_80_columns(tmp_path):
    root = branch_repo(tmp_path, CHAIN, ref=[("003", "002")], branch=[("003", "002", {"message": "mine"})])
    proc = run_chaintui("check", str(root), "--against", "main")
    assert proc.returncode == 1
    assert "error: against-stale-parent (1)" in proc.stdout
    assert "error: against-duplicate-revision (1)" in proc.stdout
    assert max(len(line) for line in proc.stdout.splitlines()) <= 80


def test_uncommitted_migrations_are_the_branchs_too(tmp_path):
    root = branch_repo(tmp_path, CHAIN, ref=[("003", "002")])
    write_migrations(root / VERSIONS, [("b1", "002")])  # untracked, as in a pre-commit run
    data, code = against(root)
    assert codes(data) == [("against-stale-parent", "b1_step.py")]


# --------------------------------------------------------------------------------------------
# refusals: one line, exit 2


def test_a_shallow_clone_without_fork_point_says_to_fetch_full_history(tmp_path):
    history = make_history(tmp_path, "both-add", "hex", seed=0)
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", history.upstream.as_uri(), str(shallow)],
                   check=True, capture_output=True)
    git(shallow, "fetch", "-q", "--depth", "1", history.clone.as_uri(), "feature-b:feature")
    git(shallow, "switch", "-q", "feature")
    proc = run_chaintui("check", str(shallow), "--against", "origin/main")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "shallow clone" in proc.stderr and "fetch" in proc.stderr


@pytest.mark.parametrize("ref, words", [("no-such-branch", "no such git ref"), ("--help", "no such git ref")])
def test_an_unknown_ref_is_one_line(tmp_path, ref, words):
    root = branch_repo(tmp_path, CHAIN)
    proc = run_chaintui("check", str(root), f"--against={ref}")
    assert proc.returncode == 2 and words in proc.stderr and proc.stderr.count("\n") == 1


def test_not_a_git_repository_is_one_line(tmp_path):
    root = write_project(tmp_path, CHAIN)
    proc = run_chaintui("check", str(root), "--against", "main")
    assert proc.returncode == 2 and "not in a git repository" in proc.stderr


# --------------------------------------------------------------------------------------------
# [tool.chaintui] base and the upstream branch


BASE = '[tool.chaintui]\nbase = "main"\n'


def test_plain_check_also_compares_with_base(tmp_path):
    root = branch_repo(tmp_path, CHAIN, ref=[("003", "002")], branch=[("b1", "002")], pyproject=BASE)
    proc = run_chaintui("check", str(root), "--format", "json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["against"]["ref"] == "main"
    assert codes(data) == [("against-stale-parent", "b1_step.py")]
    bare = run_chaintui("check", str(root), "--against", "--format", "json")  # --against alone = base
    assert codes(json.loads(bare.stdout)) == codes(data)


def test_plain_check_with_base_after_fix_against_is_clean(tmp_path):
    root = branch_repo(tmp_path, CHAIN, ref=[("003", "002")], branch=[("b1", "002")], pyproject=BASE)
    assert run_chaintui("fix", str(root), "--against", "--yes").returncode == 0
    # the branch alone now names 003 (main's), which it gets when merged: not an error with a base
    proc = run_chaintui("check", str(root))
    assert proc.returncode == 0, proc.stdout
    assert "merging into main: 0 error(s)" in proc.stdout


def test_plain_check_with_an_unreadable_base_still_checks(tmp_path):
    root = branch_repo(tmp_path, CHAIN, pyproject='[tool.chaintui]\nbase = "origin/main"\n')
    proc = run_chaintui("check", str(root))
    assert proc.returncode == 0
    assert "not compared with base origin/main" in proc.stderr
    assert "no problems" in proc.stdout


def test_upstream_without_one_configured_passes_or_uses_base(tmp_path):
    root = branch_repo(tmp_path, CHAIN, ref=[("003", "002")], branch=[("b1", "002")])
    proc = run_chaintui("check", str(root), "--against", "@{upstream}")
    assert proc.returncode == 0 and "no upstream branch is configured" in proc.stderr
    (root / "pyproject.toml").write_text(BASE)
    proc = run_chaintui("check", str(root), "--against", "@{upstream}")
    assert proc.returncode == 1 and "comparing with base main" in proc.stderr
    git(root, "branch", "-q", "--set-upstream-to", "main")
    proc = run_chaintui("check", str(root), "--against", "@{u}")
    assert proc.returncode == 1 and "compared with main" in proc.stdout and not proc.stderr


def test_deleting_a_landed_migration_is_a_warning_naming_it(tmp_path):
    root = branch_repo(tmp_path, [*CHAIN, ("003", "002")],
                       branch_edit=lambda root: (root / VERSIONS / "003_step.py").unlink())
    data, code = against(root)
    assert codes(data) == [("against-edits-landed", "003_step.py")]
    assert "this branch deletes 003_step.py, a migration main has" in data["problems"][0]["message"]


def test_a_second_root_on_the_branch_is_reported_as_what_it_is(tmp_path):
    root = branch_repo(tmp_path, CHAIN, branch=[("r1", None), ("r2", "r1")])
    data, code = against(root)
    assert code == 1
    found = {c for c, _ in codes(data)}
    assert "multiple-bases" in found and "against-stale-parent" not in found
    assert all(Path(p["files"][0]).name.startswith("r") for p in data["problems"])
