"""The integrations people copy: the `chaintui-check-against` pre-commit hook, run by pre-commit
itself in a temporary repository, and the README's GitHub Actions command, run on a real
pull-request-shaped history (fork, two branches, land one, check the other)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_chaintui
from tests.pr_histories import VERSIONS, git, make_history

REPO = Path(__file__).resolve().parent.parent
_SOURCES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "chaintui")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[Path, str]:
    """A git repository holding chaintui as it is in this checkout (committed or not): what a
    project's `.pre-commit-config.yaml` names as `repo:` at `rev:`."""
    target = tmp_path_factory.mktemp("hook-repo")
    for name in _SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, target / name)
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "chaintui")
    return target, git(target, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    """One pre-commit store for the module: the hook's environment is installed once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def _pre_commit_env(home: Path) -> dict[str, str]:
    return {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}


def _commit(root: Path, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "commit", "-m", "new migration"], cwd=root, capture_output=True, text=True,
                          env=_pre_commit_env(home), timeout=900)


def _add_migration(root: Path, rev: str, down: str) -> None:
    from tests.builders import render_migration

    (root / VERSIONS / f"{rev}_extra.py").write_text(render_migration(rev, down))
    git(root, "add", "-A")


def _head_of_branch(root: Path) -> str:
    from chaintui.analysis import analyze

    (graph,) = [s.graph for s in analyze(root).sets]
    return sorted(graph.heads)[0]


def test_pre_commit_hook_blocks_a_stale_migration_and_passes_once_moved(tmp_path, hook_repo, pre_commit_home):
    repo, rev = hook_repo
    history = make_history(tmp_path, "both-add", "hex", seed=5)
    root = history.clone
    (root / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n      - id: chaintui-check-against\n")
    git(root, "add", ".pre-commit-config.yaml")
    git(root, "commit", "-q", "-m", "pre-commit config")
    install = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=root, capture_output=True,
                             text=True, env=_pre_commit_env(pre_commit_home))
    assert install.returncode == 0, install.stderr

    # feature-b tracks origin/main, where feature-a landed a migration on the head b built on
    _add_migration(root, "0123456789ab", _head_of_branch(root))
    blocked = _commit(root, pre_commit_home)
    output = blocked.stdout + blocked.stderr  # git shows the hook's output on stderr
    assert blocked.returncode == 1, output
    assert "chaintui check --against upstream" in output and "Failed" in output
    assert "against-stale-parent" in output and "compared with origin/main" in output
    assert "0123456789ab" not in git(root, "log", "--format=%s%n%b").stdout  # no commit was made

    git(root, "reset", "-q")
    (root / VERSIONS / "0123456789ab_extra.py").unlink()
    assert run_chaintui("fix", str(root), "--against", "origin/main", "--yes").returncode == 0
    _add_migration(root, "0123456789ab", _head_of_branch(root))
    passed = _commit(root, pre_commit_home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout + passed.stderr


def test_pre_commit_hook_without_an_upstream_branch_passes_and_says_why(tmp_path, hook_repo, pre_commit_home):
    repo, rev = hook_repo
    history = make_history(tmp_path, "both-add", "hex", seed=6)
    root = history.clone
    git(root, "branch", "-q", "--unset-upstream")
    (root / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n      - id: chaintui-check-against\n"
        "        verbose: true\n")
    _add_migration(root, "0123456789ab", _head_of_branch(root))
    run = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=root, capture_output=True,
                         text=True, env=_pre_commit_env(pre_commit_home), timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no upstream branch is configured" in run.stdout


# --------------------------------------------------------------------------------------------
# the GitHub Actions job


def workflow_command() -> str:
    """The `run:` line of the README's GitHub Actions job that calls chaintui check."""
    readme = (REPO / "README.md").read_text()
    block = re.search(r"```yaml\n(# \.github/workflows/[^\n]*\n.*?)```", readme, re.S)
    assert block, "the README documents a GitHub Actions job"
    text = block.group(1)
    assert re.search(r"fetch-depth: 0\b", text)
    (line,) = [l for l in text.splitlines() if "run: chaintui check" in l]
    return line.split("run:", 1)[1].strip()


def _pull_request_checkout(history, tmp_path: Path, name: str) -> Path:
    """What actions/checkout with fetch-depth: 0 gives on a pull_request event: a full clone,
    HEAD detached at the pull request merged into its base (refs/pull/N/merge)."""
    git(history.clone, "push", "-q", "-f", "origin", "feature-b")
    runner = tmp_path / name
    git(tmp_path, "clone", "-q", str(history.upstream), str(runner))
    git(runner, "checkout", "-q", "--detach", "origin/main")
    git(runner, "merge", "-q", "--no-ff", "origin/feature-b", "-m", "Merge pull request #2")
    return runner


def test_the_documented_workflow_command_annotates_the_pull_requests_file(tmp_path):
    command = workflow_command()
    assert command == "chaintui check --against origin/${{ github.base_ref }} --format github"
    shell_command = command.replace("${{ github.base_ref }}", "main").replace(
        "chaintui", f"{sys.executable} -m chaintui", 1)
    history = make_history(tmp_path, "both-add", "slug", seed=7)  # feature-a landed; b is the PR
    runner = _pull_request_checkout(history, tmp_path, "runner")
    run = subprocess.run(shell_command, shell=True, cwd=runner, capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    first_b = sorted(p.name for p in (history.clone / VERSIONS).glob("*_b_0.py"))[0]
    lines = run.stdout.splitlines()
    files = {re.match(r"::(?:error|warning) file=([^,]+),", line).group(1) for line in lines}
    assert files and all(re.fullmatch(rf"{VERSIONS}/\d{{4}}_b_\d\.py", f) for f in files)  # the PR's own
    assert any(line.startswith(f"::error file={VERSIONS}/{first_b},line=") and
               "title=chaintui against-stale-parent" in line for line in lines)

    # the author runs fix --against, pushes; the next run of the job is clean
    assert run_chaintui("fix", str(history.clone), "--against", "origin/main", "--yes").returncode == 0
    again = _pull_request_checkout(history, tmp_path, "runner-2")
    rerun = subprocess.run(shell_command, shell=True, cwd=again, capture_output=True, text=True)
    assert (rerun.returncode, rerun.stdout) == (0, ""), rerun.stdout + rerun.stderr
