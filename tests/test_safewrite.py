"""Writing a fix keeps what each file is (mode, line endings, symlinks) and never writes over
bytes the fix was not planned from, even when they change between the check and the write."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from chaintui import safewrite
from chaintui.analysis import analyze
from chaintui.changes import ChangeSet, FileChange
from chaintui.errors import ChaintuiError
from chaintui.gitops import Repository
from chaintui.planner import keep_duplicate_fix, relink_fix
from tests.builders import git_init, write_project
from tests.faults import assert_at_commit_boundary, assert_clean_stderr, git, run_cli, state, unprivileged_prefix

V = "migrations/versions"


@pytest.fixture
def project(tmp_path):
    root = write_project(tmp_path / "p", [("001", None), ("002", "001"), ("003", "ghost"),
                                          ("004", "003"), ("004", "003", {"message": "twin"})])
    return git_init(root)


def relink_003(root):
    graph = analyze(root).sets[0].graph
    return Repository.open(root), graph, relink_fix(graph, f"{V}/003_step.py", ("002",))


def commit_all(root, message="setup"):
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


def test_permission_bits_are_kept_on_edit_and_rename(project):
    (project / V / "003_step.py").chmod(0o750)
    (project / V / "004_twin.py").chmod(0o700)
    commit_all(project)
    repo, graph, fix = relink_003(project)
    repo.apply(fix, graph)
    assert (project / V / "003_step.py").stat().st_mode & 0o777 == 0o750
    graph = analyze(project).sets[0].graph
    repo.apply(keep_duplicate_fix(graph, "004", f"{V}/004_step.py"), graph)
    assert (project / V / "004a_twin.py").stat().st_mode & 0o777 == 0o700
    assert_at_commit_boundary(project)


def test_crlf_file_keeps_crlf_on_every_line(project):
    path = project / V / "003_step.py"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    commit_all(project)
    repo, graph, fix = relink_003(project)
    before = path.read_bytes()
    repo.apply(fix, graph)
    after = path.read_bytes()
    assert after == before.replace(b"'ghost'", b"'002'").replace(b"Revises: ghost", b"Revises: 002")
    assert b"\n" not in after.replace(b"\r\n", b"")
    assert_at_commit_boundary(project)


def test_a_symlinked_migration_stays_a_symlink(project):
    shared = project / "shared"
    shared.mkdir()
    os.replace(project / V / "003_step.py", shared / "003_step.py")
    os.symlink("../../shared/003_step.py", project / V / "003_step.py")
    commit_all(project)
    repo, graph, fix = relink_003(project)
    info = repo.apply(fix, graph)
    link = project / V / "003_step.py"
    assert link.is_symlink() and os.readlink(link) == "../../shared/003_step.py"
    assert b"'002'" in (shared / "003_step.py").read_bytes()
    assert git(project, "show", "--name-only", "--format=", info.sha).split() == ["shared/003_step.py"]
    assert_at_commit_boundary(project)


def test_a_symlink_leading_outside_the_work_tree_is_refused(project, tmp_path):
    outside = tmp_path / "elsewhere.py"
    os.replace(project / V / "003_step.py", outside)
    os.symlink(outside, project / V / "003_step.py")
    commit_all(project)
    repo, graph, fix = relink_003(project)
    before = state(project)
    with pytest.raises(ChaintuiError, match="003_step.py is outside the git work tree"):
        repo.apply(fix, graph)
    assert state(project) == before


def test_a_read_only_file_is_refused_before_anything_changes(project, tmp_path):
    """The first fix renames and edits 004_twin.py, which its owner made read-only."""
    prefix = unprivileged_prefix(tmp_path / "probe")
    if prefix is None:
        pytest.skip("running as root and cannot drop CAP_DAC_OVERRIDE here: root writes read-only files")
    (project / V / "004_twin.py").chmod(0o444)  # git records only the x bit: the tree stays clean
    before = state(project)
    proc = run_cli("fix", str(project), "--all", "--yes", prefix=prefix)
    assert proc.returncode == 1
    assert f"cannot write {V}/004_twin.py: the file is read-only (nothing was changed)" in proc.stderr
    assert_clean_stderr(proc.stderr)
    assert state(project) == before


def test_an_edit_between_the_check_and_the_write_stops_and_undoes_the_fix(project, monkeypatch):
    """keep-duplicate writes the renamed twin, then the child; the user saves the child in the
    meantime: the rename is undone, the child keeps the user's bytes, nothing is staged."""
    child = project / V / "005_child.py"
    child.write_text((project / V / "002_step.py").read_text().replace("'002'", "'005'")
                     .replace("= '001'", "= '004'").replace("Revises: 001", "Revises: 004"))
    commit_all(project)
    graph = analyze(project).sets[0].graph
    repo = Repository.open(project)
    fix = keep_duplicate_fix(graph, "004", f"{V}/004_step.py", children={f"{V}/005_child.py": f"{V}/004_twin.py"})
    real = safewrite.FileTransaction._apply
    done = []

    def edit_before_second(self, op):
        if done:
            with open(child, "a") as handle:
                handle.write("# saved meanwhile\n")
        real(self, op)
        done.append(op)

    monkeypatch.setattr(safewrite.FileTransaction, "_apply", edit_before_second)
    edited = child.read_text() + "# saved meanwhile\n"
    head = state(project)["head"]
    with pytest.raises(ChaintuiError, match="005_child.py changed since the fix was planned"):
        repo.apply(fix, graph)
    assert child.read_text() == edited
    assert (project / V / "004_twin.py").exists() and not (project / V / "004a_twin.py").exists()
    assert state(project)["head"] == head
    assert git(project, "status", "--porcelain", "--untracked-files=all") == f" M {V}/005_child.py\n"


def test_renames_onto_a_name_another_rename_frees_run_in_order(project):
    """A changeset naming 'a -> b' before 'b -> c' (a shift by one) is applied b->c first."""
    a, b = project / V / "001_step.py", project / V / "002_step.py"
    data_a, data_b = a.read_bytes(), b.read_bytes()
    cs = ChangeSet(project)
    cs.add(FileChange(f"{V}/001_step.py", data_a, data_a, f"{V}/002_step.py"))
    cs.add(FileChange(f"{V}/002_step.py", data_b, data_b, f"{V}/003_x.py"))
    repo = Repository.open(project)
    repo.commit_changeset(cs, "chaintui: shift\n\nChaintui-Fix: renumber\n", "renumber")
    assert not a.exists() and b.read_bytes() == data_a and (project / V / "003_x.py").read_bytes() == data_b
    assert_at_commit_boundary(project)


def test_a_failed_commit_leaves_no_temp_file_and_nothing_staged(project):
    hook = project / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'hook: no' >&2\nexit 1\n")
    hook.chmod(0o755)
    repo, graph, fix = relink_003(project)
    before = state(project)
    with pytest.raises(ChaintuiError, match="git refused the commit, nothing was changed: hook: no"):
        repo.apply(fix, graph)
    assert state(project) == before
    assert not [p for p in project.rglob("*.tmp")]


def test_the_commit_reported_is_the_one_made_not_head_afterwards(project, monkeypatch):
    """Another process commits right after ours (a post-commit hook stands in for it): the
    commit reported is still ours."""
    (project / ".gitignore").write_text(".other\n")
    commit_all(project)
    hook = project / ".git/hooks/post-commit"
    hook.write_text("#!/bin/sh\n[ -e .other ] && exit 0\n: > .other\n"
                    "git -c core.hooksPath=/dev/null commit -q --allow-empty -m 'someone else'\n")
    hook.chmod(0o755)
    repo, graph, fix = relink_003(project)
    info = repo.apply(fix, graph)
    assert info.subject == "chaintui: relink 003 onto 002"
    assert git(project, "log", "-1", "--format=%s") == "someone else\n"
    assert git(project, "rev-parse", "HEAD^").strip() == info.sha



def test_a_temp_file_left_by_a_killed_chaintui_is_removed_next_time(project):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = project / V / f".003_step.py.chaintui-{dead.pid}-0.tmp"
    stale.write_text("half written")
    repo, graph, fix = relink_003(project)
    repo.apply(fix, graph)
    assert not stale.exists()
    assert_at_commit_boundary(project)


def test_the_owner_is_kept_when_root_rewrites_another_users_file(project):
    if os.geteuid() != 0:
        pytest.skip("only root can write another user's file; as a normal user every file is one's own")
    path = project / V / "003_step.py"
    os.chown(path, 65534, 65534)
    repo, graph, fix = relink_003(project)
    repo.apply(fix, graph)
    info = path.stat()
    assert (info.st_uid, info.st_gid) == (65534, 65534)
