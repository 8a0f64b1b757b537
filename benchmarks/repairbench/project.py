"""A generated project: id styles, migration files rendered from alembic's own template, and
its git history written with `git fast-import` (real commits, merges, authors and dates).

Every migration file carries an opaque marker comment (`# bench-id: 3f9a1c07`), random and
unrelated to its place in the history: it is the file's identity for the judge (a renamed or
renumbered file is the same migration) and is no signal a planner could order by.
"""

from __future__ import annotations

import calendar
import os
import random
import re
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

import alembic
from alembic.util import format_as_comma
from mako.template import Template

TEMPLATES = Path(alembic.__file__).parent / "templates" / "generic"
VERSIONS = "migrations/versions"
MARKER_RE = re.compile(r"^# bench-id: ([0-9a-f]{8})$", re.M)
AUTHORS = ("Ana Ruiz <ana@example.com>", "Kim Osei <kim@example.com>", "Sam Park <sam@example.com>",
           "Dana Lee <dana@example.com>", "Lou Chen <lou@example.com>")


@dataclass(frozen=True)
class Style:
    """How a project names its revisions and files."""

    name: str
    family: str        # numbered | hex | date
    ids: str           # stem (0007_add_x) | number (017, 008a) | hex
    files: str         # rev-slug | rev | date-dash (2024-03-01-1200_x.py) | date-alembic
    width: int = 0

    def file_template(self) -> str | None:
        return {"date-dash": "%%(year)d-%%(month).2d-%%(day).2d-%%(hour).2d%%(minute).2d_%%(slug)s",
                "date-alembic": "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s",
                "rev": "%%(rev)s"}.get(self.files)


STYLES = (
    Style("num-stem-4", "numbered", "stem", "rev", 4),
    Style("num-stem-3", "numbered", "stem", "rev", 3),
    Style("num-only-3", "numbered", "number", "rev-slug", 3),
    Style("num-only-4", "numbered", "number", "rev-slug", 4),
    Style("hex", "hex", "hex", "rev-slug"),
    Style("date-dash", "date", "hex", "date-dash"),
    Style("date-alembic", "date", "hex", "date-alembic"),
)


def hex_id(rng: random.Random) -> str:
    """An id in alembic.util.rev_id's format (uuid4().hex[-12:]), drawn from the seeded rng."""
    return f"{rng.getrandbits(48):012x}"


@dataclass
class Mig:
    marker: str
    rev: str
    down: str | tuple[str, ...] | None
    slug: str
    created: datetime
    up: list[str]
    down_code: list[str]
    number: int | None = None
    suffix: str = ""
    path: str = ""
    """File name under migrations/versions."""
    copied_date: datetime | None = None
    """The `Create Date` of the file this one was copied from (its docstring was kept)."""
    message: str = ""
    ops: list = field(default_factory=list, repr=False)

    def text(self) -> str:
        return _template().render_unicode(
            message=self.message or self.slug.replace("_", " "), up_revision=self.rev,
            down_revision=self.down, branch_labels=None, depends_on=None,
            create_date=self.copied_date or self.created, comma=format_as_comma,
            imports=f"# bench-id: {self.marker}",
            upgrades="\n    ".join(self.up) or "pass", downgrades="\n    ".join(self.down_code) or "pass")


@lru_cache(maxsize=1)
def _template() -> Template:
    return Template(filename=str(TEMPLATES / "script.py.mako"))


def number_id(style: Style, number: int, suffix: str, slug: str) -> str:
    num = f"{number:0{style.width}d}{suffix}"
    return f"{num}_{slug}" if style.ids == "stem" else num


def file_name(style: Style, mig: Mig) -> str:
    if style.files == "rev":
        return f"{mig.rev}.py"
    if style.files == "rev-slug":
        return f"{mig.rev}_{mig.slug}.py"
    if style.files == "date-dash":
        return f"{mig.created:%Y-%m-%d-%H%M}_{mig.slug}.py"
    return f"{mig.created:%Y_%m_%d_%H%M}-{mig.rev}_{mig.slug}.py"


# -- git history ------------------------------------------------------------------------------
@dataclass
class Commit:
    branch: str
    when: datetime
    author: str
    message: str
    files: dict[str, bytes | None] = field(default_factory=dict)
    """path -> new bytes, or None to delete it."""
    parent: int | None = None
    """Index of the first parent (None: the branch's previous commit)."""
    merge: int | None = None
    """Index of the second parent (a merge commit)."""


def scaffold(style: Style, settings: str | None) -> dict[str, bytes]:
    ini = Template(filename=str(TEMPLATES / "alembic.ini.mako")).render_unicode(
        script_location="%(here)s/migrations")
    ini = ini.replace("sqlalchemy.url = driver://user:pass@localhost/dbname", "sqlalchemy.url = sqlite:///app.db")
    template = style.file_template()
    if template:
        ini = ini.replace("# file_template = %%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s",
                          f"file_template = {template}", 1)
    files = {"alembic.ini": ini.encode(),
             "migrations/env.py": (TEMPLATES / "env.py").read_bytes(),
             "migrations/script.py.mako": (TEMPLATES / "script.py.mako").read_bytes(),
             "migrations/README": (TEMPLATES / "README").read_bytes()}
    if settings:
        files["pyproject.toml"] = f'[project]\nname = "app"\nversion = "1.0"\n\n[tool.chaintui]\nheads = "{settings}"\n'.encode()
    return files


def write_repo(root: Path, commits: list[Commit]) -> str:
    """Create the repository at `root` from `commits` (fast-import); check out main; returns HEAD."""
    stream: list[bytes] = []
    last: dict[str, int] = {}
    for i, c in enumerate(commits, 1):
        stamp = calendar.timegm(c.when.timetuple())
        msg = c.message.encode()
        stream.append(f"commit refs/heads/{c.branch}\nmark :{i}\nauthor {c.author} {stamp} +0000\n"
                      f"committer {c.author} {stamp} +0000\ndata {len(msg)}\n".encode() + msg + b"\n")
        parent = c.parent + 1 if c.parent is not None else last.get(c.branch)
        if parent is not None:
            stream.append(f"from :{parent}\n".encode())
        if c.merge is not None:
            stream.append(f"merge :{c.merge + 1}\n".encode())
        for path, data in c.files.items():
            if data is None:
                stream.append(f"D {path}\n".encode())
            else:
                stream.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
        last[c.branch] = i
    root.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    _git(root, env, "init", "-q", "-b", "main")
    proc = subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream),
                          capture_output=True, env=env)
    if proc.returncode:
        raise RuntimeError(f"git fast-import: {proc.stderr.decode()[-400:]}")
    branches = sorted({c.branch for c in commits} - {"main"})
    if branches:
        subprocess.run(["git", "update-ref", "--stdin"], cwd=root, env=env, check=True, capture_output=True,
                       input="".join(f"delete refs/heads/{b}\n" for b in branches).encode())
    _git(root, env, "reset", "-q", "--hard")
    _git(root, env, "config", "user.name", "Bench Runner")
    _git(root, env, "config", "user.email", "bench@example.invalid")
    return _git(root, env, "rev-parse", "HEAD").strip()


def _git(root: Path, env: dict[str, str], *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, env=env)
    if proc.returncode:
        raise RuntimeError(f"git {args[0]}: {proc.stderr.strip()[-300:]}")
    return proc.stdout


def clock_after(when: datetime, rng: random.Random, low: int = 20, high: int = 3 * 24 * 60) -> datetime:
    """A moment `low`..`high` minutes (and some seconds) after `when`."""
    return when + timedelta(minutes=rng.randint(low, high), seconds=rng.randint(0, 59),
                            microseconds=rng.randint(0, 999999))
