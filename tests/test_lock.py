"""One writer per repository: the lock names its holder, waits or refuses, survives its holder's
death without a stale-lock problem, and guards the TUI's apply and undo too."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from chaintui import lock
from chaintui.analysis import analyze
from chaintui.errors import GitRefused
from chaintui.planner import plan
from chaintui.tui.session import Session
from tests.builders import git_init, write_project
from tests.faults import state

HOLDER = """
import sys
from chaintui import lock
with lock.hold(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.read()
"""


class Holder:
    """Another process holding the lock of `git_dir` until `release()`."""

    def __init__(self, git_dir: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(git_dir)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline() == "held\n"

    def release(self) -> None:
        self.proc.stdin.close()
        assert self.proc.wait(timeout=30) == 0


@pytest.fixture
def project(tmp_path):
    return git_init(write_project(tmp_path / "p", [("001", None), ("002", "ghost")]))


def test_a_held_lock_refuses_naming_the_holder(project):
    holder = Holder(project / ".git")
    try:
        with pytest.raises(lock.LockHeld, match=rf"another chaintui process \(pid {holder.proc.pid}, .*\) "
                                                "is writing to this repository"):
            with lock.hold(project / ".git"):
                pass
    finally:
        holder.release()
    assert not (project / ".git/chaintui.lock").exists()  # the holder removed it
    with lock.hold(project / ".git"):
        assert (project / ".git/chaintui.lock").exists()


def test_waiting_for_the_holder_then_taking_the_lock(project):
    holder = Holder(project / ".git")
    said = []

    def on_wait(message):
        said.append(message)
        holder.release()  # the holder finishes while we wait

    with lock.hold(project / ".git", wait=60, on_wait=on_wait):
        pass
    assert len(said) == 1 and f"waiting for another chaintui process (pid {holder.proc.pid}" in said[0]


def test_a_lock_file_left_by_a_dead_process_is_stale(project):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (project / ".git/chaintui.lock").write_text(f'{{"pid": {dead.pid}, "host": "x", "command": "chaintui fix"}}')
    with lock.hold(project / ".git"):
        assert f'"pid": {dead.pid}' not in (project / ".git/chaintui.lock").read_text()
    assert not (project / ".git/chaintui.lock").exists()


def test_reentrant_in_one_thread_exclusive_between_threads(project):
    errors = []

    def other_thread():
        try:
            with lock.hold(project / ".git"):
                pass
        except lock.LockHeld as exc:
            errors.append(str(exc))

    with lock.hold(project / ".git"):
        with lock.hold(project / ".git"):
            thread = threading.Thread(target=other_thread)
            thread.start()
            thread.join()
        assert (project / ".git/chaintui.lock").exists()  # still held by the outer block
    assert errors == ["another operation of this session is writing to this repository: "
                      "try again when it has finished"]


def test_the_tui_session_refuses_to_apply_or_undo_while_another_chaintui_writes(project):
    session = Session(analyze(project))
    fix = plan(session.analysis).fixes[0]
    before = state(project)
    holder = Holder(project / ".git")
    try:
        with pytest.raises(GitRefused, match=f"pid {holder.proc.pid}"):
            session.apply(fix, fix.set_name)
        with pytest.raises(GitRefused, match=f"pid {holder.proc.pid}"):
            session.undo()
    finally:
        holder.release()
    assert state(project) == before
    session.apply(fix, fix.set_name)  # and once the other one finished, it works
    assert state(project)["head"] != before["head"]
