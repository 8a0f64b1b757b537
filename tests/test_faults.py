"""`fix` and `undo` under faults a real server checkout sees, each made deterministic.

An edit saved while `fix` runs, Ctrl-C / SIGTERM / SIGHUP at each step of a commit, a hook
rejecting a commit, a read-only folder, a second chaintui at once, a leftover index.lock, no
committer identity. Every test asserts the repository afterwards, byte for byte (files, modes,
index, HEAD, branches, git's markers) and that nothing printed a traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.builders import git_init, write_project
from tests.faults import (FakeGit, assert_at_commit_boundary, assert_clean_stderr, chaintui_subjects,
                          git, run_cli, start_cli, state, unprivileged_prefix)

# Four planned fixes: keep-duplicate (a rename), relink 003, relink 007, linearize 006.
SPECS = [("001", None), ("002", "001"), ("003", "ghost"), ("004", "003"),
         ("004", "003", {"message": "twin"}), ("005", "004"), ("006", "002"), ("007", "lost")]
PLANNED = 4
VERSIONS = "migrations/versions"
IDENTITY = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
            "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com"}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The project, and the tree after each commit of an undisturbed `fix --all --yes`."""
    base = tmp_path_factory.mktemp("faults")
    root = git_init(write_project(base / "project", SPECS))
    reference = base / "reference"
    git(base, "clone", "-q", str(root), str(reference))
    env = {**IDENTITY, "CHAINTUI_CACHE_DIR": str(base / "cache")}
    proc = run_cli("fix", str(reference), "--all", "--yes", env=env)
    assert proc.returncode == 0, proc.stderr
    commits = git(reference, "rev-list", "--reverse", "HEAD").split()
    trees = [git(reference, "rev-parse", f"{sha}^{{tree}}").strip() for sha in commits[-PLANNED - 1:]]
    assert len(chaintui_subjects(reference, commits[-PLANNED - 1])) == PLANNED
    return root, trees


@pytest.fixture
def project(template, tmp_path):
    root = tmp_path / "project"
    git(tmp_path, "clone", "-q", str(template[0]), str(root))
    return root


@pytest.fixture
def trees(template):
    """trees[k]: the tree after k of the planned fixes."""
    return template[1]


def tree(root) -> str:
    return git(root, "rev-parse", "HEAD^{tree}").strip()


def commits_since(root, head) -> int:
    return len(chaintui_subjects(root, head))


def hook(root, body: str) -> None:
    path = root / ".git/hooks/pre-commit"
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


# ---------------------------------------------------------------------------- fix: edits


def test_an_edit_saved_after_the_check_is_never_overwritten(project, trees, tmp_path):
    """The user saves 003_step.py after chaintui checked the tree for fix 2 (relink 003) and
    before it writes: fix 2 stops naming the file; fix 1 stays; the edit is intact."""
    head = state(project)["head"]
    fake = FakeGit(tmp_path).on("after", "status", 3, "edit", str(project / VERSIONS / "003_step.py"))
    proc = run_cli("fix", str(project), "--all", "--yes", env=fake.env)
    assert proc.returncode == 1
    assert "003_step.py changed since the fix was planned" in proc.stderr
    assert_clean_stderr(proc.stderr)
    assert commits_since(project, head) == 1 and tree(project) == trees[1]
    assert git(project, "status", "--porcelain", "--untracked-files=all") == f" M {VERSIONS}/003_step.py\n"
    committed = git(project, "show", f"HEAD:{VERSIONS}/003_step.py")
    assert (project / VERSIONS / "003_step.py").read_text() == committed + "# saved in an editor meanwhile\n"
    assert git(project, "diff", "--cached", "--name-only") == ""


# ---------------------------------------------------------------------------- fix: signals


@pytest.mark.parametrize("fault, done, code", [
    # Ctrl-C in the terminal (the whole process group) while `git commit` of fix 2 runs:
    # that commit completes, then chaintui stops.
    (("before", "commit", 2, "signal-group", "INT"), 2, 130),
    # Ctrl-C after fix 2 was written and staged, before its commit: back to fix 1's commit.
    (("after", "add", 2, "signal-group", "INT"), 1, 130),
    # A closed SSH session (SIGHUP) between fixes 1 and 2.
    (("after", "commit", 1, "signal", "HUP"), 1, 129),
    # SIGTERM while fix 3 is committed.
    (("before", "commit", 3, "signal", "TERM"), 3, 143),
])
def test_a_signal_stops_at_a_commit_boundary(project, trees, tmp_path, fault, done, code):
    head = state(project)["head"]
    fake = FakeGit(tmp_path).on(*fault)
    proc = run_cli("fix", str(project), "--all", "--yes", env=fake.env)
    assert proc.returncode == code, proc.stderr
    assert "stopped at a commit boundary" in proc.stderr
    assert_clean_stderr(proc.stderr)
    assert commits_since(project, head) == done
    assert tree(project) == trees[done]
    assert_at_commit_boundary(project)
    assert f"{done} of {PLANNED} fix(es) committed." in proc.stdout


def test_under_nohup_a_hangup_is_still_ignored(project, trees, tmp_path):
    head = state(project)["head"]
    fake = FakeGit(tmp_path).on("before", "commit", 2, "signal", "HUP")
    proc = run_cli("fix", str(project), "--all", "--yes", env=fake.env, prefix=["nohup"])
    assert proc.returncode == 0, proc.stderr
    assert commits_since(project, head) == PLANNED and tree(project) == trees[PLANNED]


def test_a_second_ctrl_c_aborts_a_hanging_hook_and_rolls_back(project, trees, tmp_path):
    """The pre-commit hook of fix 2 hangs; the user presses Ctrl-C again and again: the hook
    and its commit are aborted, fix 2 is rolled back, fix 1 stays."""
    head = state(project)["head"]
    marker = tmp_path / "hook-ran"
    hook(project, f"""[ -e {marker} ] || {{ : > {marker}; exit 0; }}
chaintui=$(cut -d' ' -f4 /proc/$PPID/stat)
i=0
while [ $i -lt 600 ]; do kill -s INT "$chaintui"; sleep 0.1; i=$((i + 1)); done
exit 0
""")
    proc = run_cli("fix", str(project), "--all", "--yes")
    assert proc.returncode == 130, proc.stderr
    assert_clean_stderr(proc.stderr)
    assert commits_since(project, head) == 1 and tree(project) == trees[1]
    assert_at_commit_boundary(project)


# ---------------------------------------------------------------------------- fix: refusals


def test_a_hook_rejecting_the_second_commit(project, trees):
    head = state(project)["head"]
    hook(project, f"""n=$(git rev-list --count {head}..HEAD)
[ "$n" -lt 1 ] || {{ echo "lint: 003_step.py: line too long" >&2; exit 1; }}
""")
    proc = run_cli("fix", str(project), "--all", "--yes")
    assert proc.returncode == 1
    assert "git refused the commit, nothing was changed: lint: 003_step.py: line too long" in proc.stderr
    assert_clean_stderr(proc.stderr)
    assert commits_since(project, head) == 1 and tree(project) == trees[1]
    assert_at_commit_boundary(project)


def test_a_read_only_versions_folder_is_one_line_before_any_change(project, tmp_path):
    prefix = unprivileged_prefix(tmp_path / "probe")
    if prefix is None:
        pytest.skip("running as root and cannot drop CAP_DAC_OVERRIDE here (no setpriv/capsh, "
                    "or the container forbids it): a read-only folder cannot be made read-only")
    versions = project / VERSIONS
    versions.chmod(0o555)
    try:
        before = state(project)
        proc = run_cli("fix", str(project), "--all", "--yes", prefix=prefix)
        after = state(project)
    finally:
        versions.chmod(0o755)
    assert proc.returncode == 1
    assert f"cannot write in {VERSIONS}: Permission denied (nothing was changed)" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert_clean_stderr(proc.stderr)
    assert after == before


def test_a_rollback_that_cannot_finish_says_so_in_one_line(project, tmp_path):
    """The hook rejecting fix 1 also makes the versions folder read-only, so the renamed file
    cannot be put back: the message says what could not be undone; no traceback, no logging."""
    prefix = unprivileged_prefix(tmp_path / "probe")
    if prefix is None:
        pytest.skip("running as root and cannot drop CAP_DAC_OVERRIDE here")
    hook(project, f"chmod 555 {project / VERSIONS}\necho 'rejected' >&2\nexit 1\n")
    try:
        proc = run_cli("fix", str(project), "--all", "--yes", prefix=prefix)
    finally:
        (project / VERSIONS).chmod(0o755)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "git refused the commit: rejected; and putting things back failed: could not" in lines[0]
    assert "Permission denied (check `git status`)" in lines[0]
    assert_clean_stderr(proc.stderr)
    assert git(project, "diff", "--cached", "--name-only") == ""  # the index was still put back


def test_index_lock_present_is_named(project):
    (project / ".git/index.lock").write_text("")
    before = state(project)
    proc = run_cli("fix", str(project), "--all", "--yes")
    assert proc.returncode == 2
    assert "index.lock exists: another git command is running here" in proc.stderr
    assert_clean_stderr(proc.stderr)
    assert state(project) == before


def _no_identity(tmp_path) -> dict:
    home = tmp_path / "home"
    home.mkdir()
    return {"HOME": str(home), "XDG_CONFIG_HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "user.useConfigOnly", "GIT_CONFIG_VALUE_0": "true",
            "EMAIL": None, **{var: None for var in IDENTITY}}


def test_no_committer_identity_is_named(project, tmp_path):
    before = state(project)
    proc = run_cli("fix", str(project), "--all", "--yes", env=_no_identity(tmp_path))
    assert proc.returncode == 2
    assert "git has no identity to commit with" in proc.stderr and "user.email" in proc.stderr
    assert_clean_stderr(proc.stderr)
    assert state(project) == before


# ---------------------------------------------------------------------------- fix --branch


@pytest.mark.parametrize("fault", ["hook", "read-only", "interrupt"])
def test_branch_run_that_fails_leaves_everything_as_before(project, tmp_path, fault):
    head = state(project)["head"]
    env, prefix = {}, None
    if fault == "hook":
        hook(project, f"""[ "$(git rev-list --count {head}..HEAD)" -lt 1 ] || {{ echo "no" >&2; exit 1; }}\n""")
    elif fault == "read-only":
        prefix = unprivileged_prefix(tmp_path / "probe")
        if prefix is None:
            pytest.skip("running as root and cannot drop CAP_DAC_OVERRIDE here")
    else:
        env = FakeGit(tmp_path).on("before", "commit", 2, "signal-group", "INT").env
    before = state(project)
    if fault == "read-only":
        (project / VERSIONS).chmod(0o555)
        before = state(project)
    try:
        proc = run_cli("fix", str(project), "--all", "--yes", "--branch", "repair", env=env, prefix=prefix)
        after = state(project)
    finally:
        (project / VERSIONS).chmod(0o755)
    assert proc.returncode == {"hook": 1, "read-only": 1, "interrupt": 130}[fault], proc.stderr
    assert "back on main; branch repair removed" in proc.stderr
    assert_clean_stderr(proc.stderr)
    assert after == before


# ---------------------------------------------------------------------------- two at once


def test_a_second_fix_refuses_while_the_first_writes(project, trees, tmp_path):
    head = state(project)["head"]
    fake = FakeGit(tmp_path).on("before", "commit", 1, "pause")
    first = start_cli("fix", str(project), "--all", "--yes", env=fake.env)
    try:
        fake.wait_paused(first)
        second = run_cli("fix", str(project), "--all", "--yes", env={"CHAINTUI_LOCK_WAIT": "0"})
        undo = run_cli("undo", str(project), env={"CHAINTUI_LOCK_WAIT": "0"})
    finally:
        fake.release()
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    for proc in (second, undo):
        assert proc.returncode == 2
        assert f"another chaintui process (pid {first.pid}, `chaintui fix {project} --all --yes`" in proc.stderr
        assert "is writing to this repository" in proc.stderr
        assert_clean_stderr(proc.stderr)
    assert commits_since(project, head) == PLANNED and tree(project) == trees[PLANNED]
    assert_at_commit_boundary(project)


def test_a_second_fix_waits_then_plans_on_what_the_first_committed(project, trees, tmp_path):
    """Two `fix --all --yes` at once: 4 commits for 4 planned fixes, not 6."""
    head = state(project)["head"]
    fake = FakeGit(tmp_path).on("before", "commit", 1, "pause")
    first = start_cli("fix", str(project), "--all", "--yes", env=fake.env)
    err_path = tmp_path / "second.err"
    try:
        fake.wait_paused(first)
        with open(err_path, "w") as err_file:
            second = start_cli("fix", str(project), "--all", "--yes", stderr=err_file)
            deadline = time.monotonic() + 60
            while "waiting for another chaintui process" not in err_path.read_text():
                assert second.poll() is None, err_path.read_text()
                assert time.monotonic() < deadline, "the second fix never waited"
                time.sleep(0.05)
        fake.release()
    finally:
        fake.release()
    first.communicate(timeout=120)
    out, _ = second.communicate(timeout=120)
    assert first.returncode == 0
    assert second.returncode == 0, err_path.read_text()
    assert "Nothing to fix automatically." in out
    assert_clean_stderr(err_path.read_text())
    assert commits_since(project, head) == PLANNED and tree(project) == trees[PLANNED]


def test_a_lock_left_by_a_killed_process_is_taken_over(project, trees):
    head = state(project)["head"]
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (project / ".git/chaintui.lock").write_text(f'{{"pid": {dead.pid}, "command": "chaintui fix"}}')
    proc = run_cli("fix", str(project), "--all", "--yes", env={"CHAINTUI_LOCK_WAIT": "0"})
    assert proc.returncode == 0, proc.stderr
    assert commits_since(project, head) == PLANNED and tree(project) == trees[PLANNED]
    assert_at_commit_boundary(project)  # the lock file is gone too


# ---------------------------------------------------------------------------- undo


@pytest.fixture(scope="module")
def fixed_template(template, tmp_path_factory):
    root = tmp_path_factory.mktemp("fixed") / "project"
    git(root.parent, "clone", "-q", str(template[0]), str(root))
    env = {**IDENTITY, "CHAINTUI_CACHE_DIR": str(root.parent / "cache")}
    proc = run_cli("fix", str(root), "--all", "--yes", env=env)
    assert proc.returncode == 0, proc.stderr
    return root


@pytest.fixture
def fixed(fixed_template, tmp_path):
    """The project after `fix --all --yes`: undo has something to revert."""
    root = tmp_path / "fixed"
    git(tmp_path, "clone", "-q", str(fixed_template), str(root))
    return root


def test_undo_with_index_lock_present(fixed):
    (fixed / ".git/index.lock").write_text("")
    before = state(fixed)
    proc = run_cli("undo", str(fixed))
    assert proc.returncode == 2
    assert "index.lock exists" in proc.stderr and "later commits" not in proc.stderr
    assert_clean_stderr(proc.stderr)
    assert state(fixed) == before


def test_undo_without_identity_leaves_nothing_staged(fixed, tmp_path):
    before = state(fixed)
    proc = run_cli("undo", str(fixed), env=_no_identity(tmp_path))
    assert proc.returncode == 2
    assert "git has no identity to commit with" in proc.stderr
    assert_clean_stderr(proc.stderr)
    assert state(fixed) == before


def test_undo_rejected_by_a_hook_says_what_the_hook_said(fixed):
    hook(fixed, 'echo "policy: reverts need a ticket" >&2\nexit 1\n')
    before = state(fixed)
    proc = run_cli("undo", str(fixed))
    assert proc.returncode == 2
    assert "git refused the commit, nothing was changed: policy: reverts need a ticket" in proc.stderr
    assert_clean_stderr(proc.stderr)
    assert state(fixed) == before


def test_undo_conflicting_with_a_later_commit(fixed):
    target = fixed / VERSIONS / "006_step.py"  # the newest fix (linearize 006) edited it
    assert "= '005'" in target.read_text()
    target.write_text(target.read_text().replace("= '005'", "= '005'  # later edit"))
    git(fixed, "commit", "-qam", "a later edit of the same line")
    before = state(fixed)
    proc = run_cli("undo", str(fixed))
    assert proc.returncode == 2
    assert "later commits changed the same lines" in proc.stderr
    assert_clean_stderr(proc.stderr)
    assert state(fixed) == before


def test_undo_interrupted_before_its_commit_changes_nothing(fixed, tmp_path):
    before = state(fixed)
    fake = FakeGit(tmp_path).on("after", "revert", 1, "signal-group", "INT")
    proc = run_cli("undo", str(fixed), env=fake.env)
    assert proc.returncode == 130
    assert "interrupted (SIGINT): nothing was changed" in proc.stderr
    assert_clean_stderr(proc.stderr)
    assert state(fixed) == before


def test_undo_interrupted_during_its_commit_completes(fixed, trees, tmp_path):
    fake = FakeGit(tmp_path).on("before", "commit", 1, "signal-group", "INT")
    proc = run_cli("undo", str(fixed), env=fake.env)
    assert proc.returncode == 0, proc.stderr
    assert_clean_stderr(proc.stderr)
    assert tree(fixed) == trees[PLANNED - 1]
    assert git(fixed, "log", "-1", "--format=%s").startswith('Revert "chaintui: ')
    assert_at_commit_boundary(fixed)


def test_signals_outside_a_write_keep_their_usual_effect(project, tmp_path):
    """SIGTERM while planning (nothing written yet) ends chaintui as before: no traceback."""
    before = state(project)
    fake = FakeGit(tmp_path).on("after", "symbolic-ref", 1, "signal", "TERM")
    proc = run_cli("fix", str(project), "--all", "--yes", "--branch", "x", env=fake.env)
    assert proc.returncode == 143
    assert proc.stderr.strip() == "chaintui: interrupted (SIGTERM)"
    assert state(project) == before


# ---------------------------------------------------------------------------- the TUI's session

SESSION_APPLY = """
import sys, threading
from chaintui.analysis import analyze
from chaintui.planner import plan
from chaintui.tui.session import Session

session = Session(analyze(sys.argv[1]))  # on the main thread, as the app builds it
fix = plan(session.analysis).fixes[0]
worker = threading.Thread(target=session.apply, args=(fix, fix.set_name))  # as a thread worker
worker.start()
worker.join()
threading.Event().wait(60)
"""


def test_sigterm_during_a_tui_apply_waits_for_the_commit(project, trees, tmp_path):
    """The TUI applies fixes in a worker thread: a SIGTERM (or a dropped SSH session) while it
    commits ends the process only once the commit is complete."""
    head = state(project)["head"]
    fake = FakeGit(tmp_path).on("before", "commit", 1, "pause")
    env = {**os.environ, **fake.env}
    proc = subprocess.Popen([sys.executable, "-c", SESSION_APPLY, str(project)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        fake.wait_paused(proc)
        proc.send_signal(signal.SIGTERM)
    finally:
        fake.release()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGTERM
    assert_clean_stderr(err)
    assert commits_since(project, head) == 1 and tree(project) == trees[1]
    assert_at_commit_boundary(project)
