"""The git contract: refusals, one atomic commit per fix, exact rollback, undo by revert."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import git
import pytest

from chaintui import safewrite
from chaintui.analysis import analyze
from chaintui.errors import ChaintuiError, GitRefused
from chaintui.gitops import Repository
from chaintui.planner import keep_duplicate_fix, relink_fix
from tests.builders import git_init, write_project


def snapshot(root: Path) -> dict:
    """Work tree bytes (outside .git), the index entries and HEAD."""
    repo = git.Repo(root)
    files = {}
    for path in sorted(root.rglob("*")):
        if ".git" in path.parts or not path.is_file():
            continue
        files[path.relative_to(root).as_posix()] = path.read_bytes()
    index = sorted((str(k), e.hexsha) for k, e in repo.index.entries.items())
    return {"files": files, "index": index, "head": repo.head.commit.hexsha,
            "status": repo.git.status("--porcelain")}


@pytest.fixture
def project(tmp_path):
    root = write_project(tmp_path, [("001", None), ("002", "001"), ("003", "ghost"),
                                    ("004", "003"), ("004", "003", {"message": "twin"})])
    git_init(root)
    return root


def setup(root):
    graph = analyze(root).sets[0].graph
    return Repository.open(root), graph


def test_apply_makes_one_commit_with_subject_body_and_trailer(project):
    repo, graph = setup(project)
    fix = relink_fix(graph, "migrations/versions/003_step.py", ("002",), reason="003 named a ghost.")
    before = repo.head_sha()
    info = repo.apply(fix, graph)
    commit = repo.repo.head.commit
    assert commit.parents[0].hexsha == before
    assert commit.summary == "chaintui: relink 003 onto 002" == info.subject
    assert "003 named a ghost." in commit.message
    assert commit.message.rstrip().endswith("Chaintui-Fix: relink")
    assert list(commit.stats.files) == ["migrations/versions/003_step.py"]
    assert repo.repo.git.status("--porcelain") == ""


def test_rename_is_committed_as_a_rename(project):
    repo, graph = setup(project)
    fix = keep_duplicate_fix(graph, "004", "migrations/versions/004_step.py")
    repo.apply(fix, graph)
    status = repo.repo.git.show("--name-status", "--format=", "HEAD")
    assert "R" in status and "migrations/versions/004a_twin.py" in status
    assert not (project / "migrations/versions/004_twin.py").exists()
    assert (project / "migrations/versions/004a_twin.py").exists()


def test_stale_bytecode_is_removed(project):
    repo, graph = setup(project)
    target = project / "migrations/versions/003_step.py"
    cache = target.parent / "__pycache__"
    cache.mkdir()
    pyc = cache / "003_step.cpython-311.pyc"
    pyc.write_bytes(b"stale")
    other = cache / "002_step.cpython-311.pyc"
    other.write_bytes(b"fine")
    repo.apply(relink_fix(graph, "migrations/versions/003_step.py", ("002",)), graph)
    assert not pyc.exists() and other.exists()


@pytest.mark.parametrize("stage", ["after-first-write", "commit"])
def test_failure_leaves_tree_index_and_head_exactly_as_before(project, monkeypatch, stage):
    repo, graph = setup(project)
    # keep-duplicate touches two files (rename + child edit), so there is a "first write".
    (project / "migrations/versions/005_child.py").write_text(
        (project / "migrations/versions/002_step.py").read_text()
        .replace("'002'", "'005'").replace("= '001'", "= '004'").replace("Revises: 001", "Revises: 004"))
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    subprocess.run(["git", "commit", "-qm", "child"], cwd=project, check=True)
    repo, graph = setup(project)
    fix = keep_duplicate_fix(graph, "004", "migrations/versions/004_step.py",
                             children={"migrations/versions/005_child.py": "migrations/versions/004_twin.py"})
    assert len(fix.changes(graph).changes) == 2
    before = snapshot(project)
    if stage == "after-first-write":
        real = safewrite.FileTransaction._apply
        calls = []

        def flaky(self, op):
            calls.append(op)
            if len(calls) == 2:
                raise OSError(28, "No space left on device", str(op.dst))
            real(self, op)

        monkeypatch.setattr(safewrite.FileTransaction, "_apply", flaky)
        with pytest.raises(ChaintuiError, match="No space left on device .nothing was changed"):
            repo.apply(fix, graph)
    else:
        hook = project / ".git/hooks/pre-commit"
        hook.write_text("#!/bin/sh\necho 'hook says no' >&2\nexit 1\n")
        hook.chmod(0o755)
        with pytest.raises(ChaintuiError, match="git refused the commit, nothing was changed"):
            repo.apply(fix, graph)
        hook.unlink()
    assert snapshot(project) == before


def test_refuses_dirty_migrations_but_not_other_files(project):
    repo, graph = setup(project)
    (project / "README.txt").write_text("unrelated, untracked")
    repo.check_writable(graph.mset.version_dirs)  # fine
    (project / "migrations/versions/002_step.py").write_text("# edited\n")
    with pytest.raises(GitRefused, match="uncommitted changes in the migrations"):
        repo.check_writable(graph.mset.version_dirs)


def test_refuses_untracked_migration(project):
    repo, graph = setup(project)
    (project / "migrations/versions/009_new.py").write_text("revision = '009'\ndown_revision = '002'\n")
    with pytest.raises(GitRefused, match="009_new.py"):
        repo.check_writable(graph.mset.version_dirs)


def test_pycache_alone_is_not_dirt(project):
    repo, graph = setup(project)
    cache = project / "migrations/versions/__pycache__"
    cache.mkdir()
    (cache / "x.cpython-311.pyc").write_bytes(b"x")
    (project / ".gitignore").unlink(missing_ok=True)
    repo.check_writable(graph.mset.version_dirs)


def test_refuses_staged_changes_anywhere(project):
    repo, graph = setup(project)
    (project / "app.py").write_text("x = 1\n")
    subprocess.run(["git", "add", "app.py"], cwd=project, check=True)
    with pytest.raises(GitRefused, match="staged changes"):
        repo.check_writable(graph.mset.version_dirs)


def test_refuses_detached_head(project):
    subprocess.run(["git", "checkout", "-q", "--detach"], cwd=project, check=True)
    repo, graph = setup(project)
    with pytest.raises(GitRefused, match="HEAD is detached"):
        repo.check_writable(graph.mset.version_dirs)


def test_refuses_merge_in_progress(project):
    (project / ".git/MERGE_HEAD").write_text(git.Repo(project).head.commit.hexsha + "\n")
    repo, graph = setup(project)
    with pytest.raises(GitRefused, match="a merge is in progress"):
        repo.check_writable(graph.mset.version_dirs)


def test_not_a_repository(tmp_path):
    root = write_project(tmp_path, [("001", None)])
    with pytest.raises(GitRefused, match="not in a git repository"):
        Repository.open(root)


def test_undo_reverts_newest_chaintui_commit_then_the_one_before(project):
    repo, graph = setup(project)
    original = snapshot(project)["files"]
    repo.apply(relink_fix(graph, "migrations/versions/003_step.py", ("002",)), graph)
    middle = snapshot(project)["files"]
    graph = analyze(project).sets[0].graph
    repo.apply(keep_duplicate_fix(graph, "004", "migrations/versions/004_step.py"), graph)
    first = repo.undo()
    assert first.subject.startswith('Revert "chaintui: keep')
    assert snapshot(project)["files"] == middle
    second = repo.undo()
    assert second.subject == 'Revert "chaintui: relink 003 onto 002"'
    assert snapshot(project)["files"] == original
    with pytest.raises(ChaintuiError, match="no chaintui commit to undo"):
        repo.undo()
    assert len(list(repo.repo.iter_commits())) == 5  # history is never rewritten


def test_branch_option_commits_on_a_new_branch(project):
    repo, graph = setup(project)
    repo.create_branch("fix-migrations")
    repo.apply(relink_fix(graph, "migrations/versions/003_step.py", ("002",)), graph)
    assert repo.repo.active_branch.name == "fix-migrations"
    assert repo.repo.heads.master.commit.hexsha != repo.head_sha() if "master" in repo.repo.heads else True
    with pytest.raises(ChaintuiError, match="already exists"):
        repo.create_branch("fix-migrations")
    with pytest.raises(ChaintuiError, match="not a valid branch name"):
        repo.create_branch("bad..name")
