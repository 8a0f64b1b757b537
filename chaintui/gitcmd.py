"""Running git for the write path: each git in its own session, failures as one readable line.

A terminal's Ctrl-C goes to its whole foreground process group. If git ran in chaintui's group,
the `git commit` in progress, its hooks and GitPython's long-lived `git cat-file` helpers would
die with it, half-way, while chaintui restores files against a repository it can no longer read.
So every git chaintui starts gets its own session: chaintui alone receives the signal and
decides (chaintui.interrupts): finish the commit, or roll back to the last one.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

from chaintui import interrupts
from chaintui.errors import ChaintuiError

_OWN_SESSION = {"start_new_session": True} if os.name == "posix" else {}


_repo_class = None


def session_repo(path: str | os.PathLike[str], **kwargs):
    """A GitPython Repo whose every git process (its `cat-file` helpers included) runs in its
    own session, out of reach of the terminal's signals."""
    global _repo_class
    if _repo_class is None:
        import git  # lazily: `chaintui check` never needs GitPython

        class SessionGit(git.Git):
            def execute(self, command, *args, **kw):  # type: ignore[override]
                for key, value in _OWN_SESSION.items():
                    kw.setdefault(key, value)
                return super().execute(command, *args, **kw)

        class SessionRepo(git.Repo):
            GitCommandWrapperType = SessionGit

        _repo_class = SessionRepo
    return _repo_class(path, **kwargs)


class GitFailed(ChaintuiError):
    """A git command exited non-zero; `detail` is what it said, in one line."""

    def __init__(self, args: tuple[str, ...], returncode: int, stderr: str, stdout: str = "") -> None:
        self.args_ = args
        self.returncode = returncode
        self.stderr = stderr
        self.stdout = stdout
        self.detail = one_line(stderr or stdout) or f"exit status {returncode}"
        super().__init__(f"git {args[0] if args else ''} failed: {self.detail}")


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


def executable() -> str:
    """The git GitPython uses (GIT_PYTHON_GIT_EXECUTABLE, else `git` on PATH)."""
    import git

    return getattr(git.Git, "GIT_PYTHON_GIT_EXECUTABLE", None) or "git"


def run(cwd: str | os.PathLike[str], *args: str, input: bytes | None = None, check: bool = True,
        abortable: bool = False) -> Result:
    """Run `git args` in `cwd`, in its own session. An `abortable` one is stopped by a second
    signal during a write window (see chaintui.interrupts)."""
    try:
        proc = subprocess.Popen([executable(), *args], cwd=os.fspath(cwd),
                                stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, **_OWN_SESSION)
    except OSError as exc:
        raise ChaintuiError(f"cannot run git: {exc.strerror or exc}") from None
    out, err = interrupts.communicate(proc, input, abortable)
    result = Result(proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))
    if check and result.returncode != 0:
        raise GitFailed(args, result.returncode, result.stderr, result.stdout)
    return result


def one_line(text: str, limit: int = 300) -> str:
    """The useful part of git's (or a hook's) output, on one line: its non-empty lines, the
    `fatal:`/`error:` ones first, joined by ' | '."""
    lines = [line.strip() for line in text.replace("\r", "\n").splitlines()]
    lines = [line for line in lines if line and not line.startswith("hint:")]
    errors = [line for line in lines if line.startswith(("fatal:", "error:"))]
    chosen = errors or lines
    joined = " | ".join(chosen)
    return joined if len(joined) <= limit else joined[: limit - 3] + "..."

