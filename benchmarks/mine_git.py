"""Git side of `mine_real.py`: the first-parent commits of a branch that change a versions
folder, the folder's migration files after each of them, and when each file landed.

One `git log --first-parent --raw` walk gives every commit's changes (with renames), so the
folder's state is replayed without one call per commit; blobs are read through one
`git cat-file --batch` process and parsed once each. The replayed state of the last commit is
checked against its tree.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field

from mine_graph import Mig, parse_migration


class Git:
    def __init__(self, gitdir: str):
        self.gitdir = gitdir
        self._cat = None
        self._parsed: dict[str, Mig] = {}

    def __call__(self, *args: str, check: bool = True) -> str:
        r = subprocess.run(["git", "--git-dir", self.gitdir, "-c", "core.quotePath=false", *args],
                           capture_output=True)
        if r.returncode and check:
            raise SystemExit(f"git {' '.join(args[:3])}: {r.stderr.decode(errors='replace').strip()[:300]}")
        return r.stdout.decode("utf-8", errors="replace")

    def blob(self, sha: str) -> bytes:
        if self._cat is None:
            self._cat = subprocess.Popen(["git", "--git-dir", self.gitdir, "cat-file", "--batch"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._cat.stdin.write(sha.encode() + b"\n"); self._cat.stdin.flush()
        header = self._cat.stdout.readline().split()
        if len(header) < 3 or header[1] != b"blob":
            return b""
        data = self._cat.stdout.read(int(header[2])); self._cat.stdout.read(1)
        return data

    def mig(self, sha: str) -> Mig:
        if sha not in self._parsed:
            self._parsed[sha] = parse_migration(self.blob(sha))
        return self._parsed[sha]


@dataclass
class Commit:
    sha: str
    author_date: int
    commit_date: int
    author: str
    subject: str
    changes: list = field(default_factory=list)   # (status, old rel or None, new rel or None, new blob)

    def meta(self) -> dict:
        return {"commit": self.sha, "author_date": self.author_date, "commit_date": self.commit_date,
                "author": self.author, "subject": self.subject}


def rel_name(path: str, prefix: str) -> str | None:
    """a path's name inside the versions folder, if alembic would load it as a migration"""
    if not path.startswith(prefix + "/"):
        return None
    name = path[len(prefix) + 1:]
    if "/" in name or not name.endswith(".py") or name.startswith(("__init__", ".#")):
        return None
    return name


def walk(git: Git, branch: str, path: str) -> list[Commit]:
    """first-parent commits of BRANCH that change PATH, oldest first, with their raw changes"""
    fmt = "%x00%H%x1f%at%x1f%ct%x1f%an%x1f%s"
    out = git("log", "--first-parent", "--diff-merges=first-parent", "--reverse", "-M", "--raw",
              "--no-abbrev", f"--format={fmt}", branch, "--", path + "/")
    commits = []
    for chunk in out.split("\x00")[1:]:
        head, _, body = chunk.partition("\n")
        sha, at, ct, an, subject = head.split("\x1f", 4)
        c = Commit(sha, int(at), int(ct), an, subject)
        for line in body.splitlines():
            if not line.startswith(":"):
                continue
            info, *paths = line.split("\t")
            _, _, _, new_blob, status = info[1:].split()
            if status[0] in "RC":
                old, new = rel_name(paths[0], path), rel_name(paths[1], path)
                c.changes.append((status[0], old if status[0] == "R" else None, new, new_blob))
            elif status[0] == "D":
                c.changes.append(("D", rel_name(paths[0], path), None, None))
            else:
                c.changes.append((status[0], None, rel_name(paths[0], path), new_blob))
        commits.append(c)
    return commits


def replay(git: Git, commits: list[Commit], path: str):
    """the folder's files (name -> blob) after each commit, and when each file landed"""
    files: dict[str, str] = {}
    landed: dict[str, int] = {}
    states, landings = [], []
    for i, c in enumerate(commits):
        for status, old, new, blob in c.changes:
            carried = landed.pop(old, None) if old else None
            if old:
                files.pop(old, None)
            if new:
                files[new] = blob
                if status == "R" and carried is not None:
                    landed[new] = carried                     # a rename keeps when it landed
                elif status in "AC" or new not in landed:
                    landed[new] = i
        states.append(dict(files)); landings.append(dict(landed))
    if commits:   # the incremental state must equal the tree at the last commit
        tree = git("ls-tree", commits[-1].sha, path + "/")
        final = {rel_name(ln.split("\t", 1)[1], path): ln.split()[2] for ln in tree.splitlines()}
        final.pop(None, None)
        if final != states[-1]:
            raise SystemExit(f"replaying {path} disagrees with the tree at {commits[-1].sha[:12]}")
    return states, landings
