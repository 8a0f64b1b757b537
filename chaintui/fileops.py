"""Low-level file operations of the write path: what a path is now, and putting it back.

Used by chaintui.safewrite (one fix's files) and chaintui.gitops (undo). Every write goes to a
temp file beside its target and is renamed over it, keeping the permission bits and owner.
"""

from __future__ import annotations

import itertools
import os
import re
import stat
from pathlib import Path

from chaintui.errors import ChaintuiError

_counter = itertools.count()


def temp_name(target: Path) -> Path:
    """A fresh hidden name beside `target` (`.<name>.chaintui-<pid>-<n>.tmp`)."""
    return target.parent / f".{target.name}.chaintui-{os.getpid()}-{next(_counter)}.tmp"


_TEMP = re.compile(r"^\..+\.chaintui-(\d+)-\d+\.tmp$")


def sweep_stale_temps(folders: list[Path]) -> None:
    """Remove temp files a chaintui process left when it was killed (SIGKILL, power loss):
    names `temp_name` makes whose process no longer runs."""
    for folder in folders:
        if not Path(folder).is_dir():
            continue
        for path in Path(folder).rglob(".*.chaintui-*.tmp"):
            match = _TEMP.match(path.name)
            if match and not _running(int(match.group(1))):
                try:
                    path.unlink()
                except OSError:
                    pass


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, AttributeError):  # another user's process, or no kill
        return True
    return True


def lexical(path: Path) -> Path:
    """`path` absolute with its folder's symlinks resolved but the file itself left as it is."""
    path = Path(os.path.abspath(path))
    return Path(os.path.realpath(path.parent)) / path.name


def shown(path: Path, top: Path) -> str:
    try:
        return Path(path).resolve().relative_to(top).as_posix() or "."
    except ValueError:
        return str(path)


def probe(folder: Path, rel: str) -> None:
    """Prove that `folder` lets us create and remove entries (a removal or rename needs it)."""
    probe = temp_name(folder / "probe")
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ChaintuiError(f"cannot change the folder of {rel}: {exc.strerror or exc} "
                            "(nothing was changed)") from None


def place_new(temp: Path, dst: Path) -> None:
    """Move `temp` to `dst`, never over a file that appeared meanwhile."""
    try:
        os.link(temp, dst)
    except FileExistsError:
        raise ChaintuiError(f"{dst.name} appeared meanwhile: stopped") from None
    except OSError:  # a file system without hard links
        if os.path.lexists(dst):
            raise ChaintuiError(f"{dst.name} appeared meanwhile: stopped") from None
        os.rename(temp, dst)
        return
    os.unlink(temp)


def write_back(path: Path, data: bytes, mode: int | None, owner: tuple[int, int] | None = None) -> None:
    """Restore `path` to `data` (atomically, with its permission bits and owner)."""
    temp = temp_name(path)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if mode is not None else 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if mode is not None:
                set_mode(handle.fileno(), temp, mode)
            if owner is not None:
                set_owner(handle.fileno(), owner)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def set_mode(fd: int, path: Path, mode: int) -> None:
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)
    else:  # pragma: no cover - Windows before Python 3.13
        os.chmod(path, mode)


def set_owner(fd: int, owner: tuple[int, int]) -> None:
    """Give the file `owner` (uid, gid) when it is not ours already and we may (root)."""
    if not hasattr(os, "fchown") or owner == (os.geteuid(), os.getegid()):
        return
    try:
        os.fchown(fd, *owner)
    except OSError:  # not permitted: the file is ours, as any editor would leave it
        pass


class Snapshot:
    """What some paths are now (bytes, mode and owner; a symlink's target; absent), to put back."""

    def __init__(self, paths: list[Path]) -> None:
        self.states: dict[Path, tuple] = {}
        for path in paths:
            path = lexical(path)
            if os.path.islink(path):
                self.states[path] = ("link", os.readlink(path))
            elif path.is_file():
                info = path.stat()
                self.states[path] = ("file", path.read_bytes(), stat.S_IMODE(info.st_mode),
                                     (info.st_uid, info.st_gid))
            else:
                missing = []
                folder = path.parent
                while not folder.exists():
                    missing.append(folder)
                    folder = folder.parent
                self.states[path] = ("absent", tuple(missing))

    def restore(self) -> list[str]:
        """Put every path back as it was; returns what could not be (one line each)."""
        problems = []
        for path, state in self.states.items():
            try:
                if Snapshot([path]).states[path] == state:
                    continue
                if os.path.lexists(path) and not path.is_dir():
                    if state[0] != "file":
                        os.unlink(path)
                if state[0] == "link":
                    os.symlink(state[1], path)
                elif state[0] == "file":
                    path.parent.mkdir(parents=True, exist_ok=True)
                    if os.path.islink(path):
                        os.unlink(path)
                    write_back(path, state[1], state[2], state[3])
                else:
                    for folder in state[1]:  # folders that did not exist either
                        if folder.is_dir() and not any(folder.iterdir()):
                            folder.rmdir()
            except OSError as exc:
                problems.append(f"could not put back {path.name}: {exc.strerror or exc}")
        return problems
