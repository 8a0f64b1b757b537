"""Fault injection for the git contract: a stand-in `git`, a rejecting hook, unprivileged runs,
and an exact picture of a repository's state to compare before and after.

The stand-in `git` (first on PATH) runs the real git and, on the Nth call of a subcommand,
before or after it, does one thing: append to a file (an editor saving), send a signal to
chaintui or to its whole process group (a terminal's Ctrl-C, a closed SSH session), pause
until the test releases it, or fail. That makes each race deterministic: the fault happens at
an exact point of chaintui's sequence, not after a sleep.

    fake = FakeGit(tmp_path)
    fake.on("after", "add", 2, "signal-group", "INT")
    proc = run_cli("fix", str(root), "--all", "--yes", env=fake.env)
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

REAL_GIT = shutil.which("git") or "git"

_SCRIPT = r"""#!/bin/sh
# Stand-in git for chaintui's fault-injection tests (see tests/faults.py).
ctl="$CHAINTUI_FAKE_GIT_DIR"
sub=""
for a in "$@"; do
  case "$a" in -*) ;; *) sub="$a"; break ;; esac
done
n=0
if [ -n "$ctl" ] && [ -n "$sub" ]; then
  n=$(cat "$ctl/count.$sub" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "$ctl/count.$sub"
fi
chaintui_pid=$PPID

act() {  # act WHEN
  [ -n "$ctl" ] && [ -f "$ctl/rules" ] || return 0
  while read -r when cmd nth action arg; do
    [ "$when" = "$1" ] && [ "$cmd" = "$sub" ] && [ "$nth" = "$n" ] || continue
    case "$action" in
      edit) printf '# saved in an editor meanwhile\n' >> "$arg" ;;
      signal) kill -s "$arg" "$chaintui_pid" ;;
      signal-group) kill -s "$arg" -- "-$(cut -d' ' -f5 "/proc/$chaintui_pid/stat")" ;;
      pause)
        : > "$ctl/paused"
        i=0
        while [ ! -e "$ctl/go" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done ;;
      fail) echo "fatal: injected failure" >&2; exit 128 ;;
    esac
  done < "$ctl/rules"
}

act before
"@REAL@" "$@"
status=$?
act after
exit $status
"""


class FakeGit:
    """A stand-in `git` in `tmp_path/fakebin`, driven by rules in `tmp_path/fakegit`."""

    def __init__(self, tmp_path: Path) -> None:
        self.bin = tmp_path / "fakebin"
        self.ctl = tmp_path / "fakegit"
        self.bin.mkdir()
        self.ctl.mkdir()
        script = self.bin / "git"
        script.write_text(_SCRIPT.replace("@REAL@", REAL_GIT))
        script.chmod(0o755)
        self.env = {"PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
                    "CHAINTUI_FAKE_GIT_DIR": str(self.ctl)}

    def on(self, when: str, subcommand: str, nth: int, action: str, arg: str = "-") -> FakeGit:
        with open(self.ctl / "rules", "a") as handle:
            handle.write(f"{when} {subcommand} {nth} {action} {arg}\n")
        return self

    def calls(self, subcommand: str) -> int:
        path = self.ctl / f"count.{subcommand}"
        return int(path.read_text()) if path.exists() else 0

    def wait_paused(self, proc: subprocess.Popen, limit: float = 60) -> None:
        """Block until the stand-in paused (or fail if `proc` ended first)."""
        deadline = time.monotonic() + limit
        while not (self.ctl / "paused").exists():
            if proc.poll() is not None:
                raise AssertionError(f"exited before pausing: {proc.communicate()}")
            if time.monotonic() > deadline:
                raise AssertionError("the stand-in git never paused")
            time.sleep(0.05)

    def release(self) -> None:
        (self.ctl / "go").touch()


def start_cli(*args: str, env: dict | None = None, prefix: list[str] | None = None,
              stderr=subprocess.PIPE) -> subprocess.Popen:
    """`python -m chaintui ARGS` in its own process group (a group signal must not hit pytest)."""
    full = {**os.environ, **(env or {})}  # a None value unsets the variable
    full = {key: value for key, value in full.items() if value is not None and key != "NO_COLOR"}
    return subprocess.Popen([*(prefix or []), sys.executable, "-m", "chaintui", *args], env=full,
                            stdout=subprocess.PIPE, stderr=stderr, text=True, start_new_session=True)


def run_cli(*args: str, env: dict | None = None, prefix: list[str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
    proc = start_cli(*args, env=env, prefix=prefix)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def git(root: Path, *args: str) -> str:
    return subprocess.run([REAL_GIT, *args], cwd=root, check=True, capture_output=True, text=True).stdout


def state(root: Path) -> dict:
    """Everything a user could see: each file outside .git (bytes, mode, or symlink target),
    the index entries, HEAD, the branch, every branch's commit, and git's in-progress markers."""
    files = {}
    for path in sorted(root.rglob("*")):
        if ".git" in path.relative_to(root).parts:
            continue
        rel = path.relative_to(root).as_posix()
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            files[rel] = ("link", os.readlink(path))
        elif stat.S_ISREG(info.st_mode):
            files[rel] = ("file", path.read_bytes(), stat.S_IMODE(info.st_mode))
        else:
            files[rel] = ("dir", stat.S_IMODE(info.st_mode))
    git_dir = root / ".git"
    markers = sorted(name for name in ("index.lock", "REVERT_HEAD", "MERGE_HEAD", "CHERRY_PICK_HEAD",
                                       "MERGE_MSG", "AUTO_MERGE", "sequencer", "chaintui.lock")
                     if (git_dir / name).exists())
    return {
        "files": files,
        "index": git(root, "ls-files", "--stage"),
        "head": git(root, "rev-parse", "HEAD").strip(),
        "branch": git(root, "symbolic-ref", "-q", "HEAD").strip(),
        "branches": git(root, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads"),
        "markers": markers,
    }


def assert_at_commit_boundary(root: Path) -> None:
    """Work tree and index are exactly HEAD: nothing staged, modified, untracked or locked."""
    assert git(root, "status", "--porcelain", "--untracked-files=all", "--ignored") == ""
    assert git(root, "diff", "--cached", "--name-only") == ""
    assert state(root)["markers"] == []


def chaintui_subjects(root: Path, since: str) -> list[str]:
    return git(root, "log", "--format=%s", "--reverse", f"{since}..HEAD").splitlines()


def assert_clean_stderr(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert "Exception ignored" not in stderr, stderr


def unprivileged_prefix(probe_dir: Path) -> list[str] | None:
    """A command prefix under which file permissions apply (None: impossible here).

    As a normal user: nothing. As root (CI may run as root): drop the capabilities that
    bypass permission checks (with setpriv, else capsh), after proving on a read-only folder
    that the drop works (a container may forbid it).
    """
    if os.geteuid() != 0:
        return []
    drops = ["dac_override", "dac_read_search", "fowner"]
    candidates = []
    if shutil.which("setpriv"):
        minus = ",".join("-" + c for c in drops)
        candidates.append(["setpriv", f"--bounding-set={minus}", f"--inh-caps={minus}", "--"])
    if shutil.which("capsh"):
        candidates.append(["capsh", "--drop=" + ",".join("cap_" + c for c in drops), "--",
                           "-c", 'exec "$0" "$@"'])
    probe_dir.mkdir(exist_ok=True)
    probe_dir.chmod(0o555)
    try:
        for prefix in candidates:
            proc = subprocess.run([*prefix, "sh", "-c", f"touch {probe_dir}/x"], capture_output=True)
            if proc.returncode != 0 and not (probe_dir / "x").exists():
                return prefix
            (probe_dir / "x").unlink(missing_ok=True)
    finally:
        probe_dir.chmod(0o755)
    return None
