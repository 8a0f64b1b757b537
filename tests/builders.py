"""Reusable builders of Alembic projects on disk, for every test module (and the benchmark).

    from tests.builders import write_project
    root = write_project(tmp_path, [("a1", None), ("b2", "a1"), ("c3", ("a1", "b2"))])

A revision spec is a tuple `(rev, down)` or `(rev, down, options)` or a dict with the keys
`rev`, `down` and any option below:

- `branch_labels`, `depends_on`: None, a string or a tuple/list (written with repr()).
- `filename`: the file name (default `<rev>_<slug>.py`).
- `dir`: directory relative to the project root to write the file in (default: the first
  version location).
- `message`: docstring first line (default `step <rev>`).
- `header`: False to omit the docstring header; a dict `{"Revision ID": ..., "Revises": ...}`
  to write values that disagree with the variables.
- `source`: the complete file text (everything else is ignored).
- `upgrade` / `downgrade`: body lines (default: create/drop a table named after the revision).
- `annotated`: False for plain `revision = '...'` assignments (old template).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from chaintui.demo import SCRIPT_MAKO  # noqa: E402  (the same alembic generic template)

ENV_PY = '''from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
target_metadata = None


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(config.get_section(config.config_ini_section, {}),
                                     prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

_SLUG_RE = re.compile(r"[^0-9a-zA-Z]+")


def normalize_spec(spec: Any) -> dict[str, Any]:
    """A spec tuple or dict as a dict with at least `rev` and `down`."""
    if isinstance(spec, dict):
        out = dict(spec)
        out.setdefault("down", None)
        return out
    if len(spec) == 2:
        return {"rev": spec[0], "down": spec[1]}
    rev, down, options = spec
    return {"rev": rev, "down": down, **options}


def _revises(down: Any) -> str:
    if down is None:
        return ""
    if isinstance(down, str):
        return down
    return ", ".join(down)


def render_migration(rev: str, down: Any = None, *, branch_labels: Any = None, depends_on: Any = None,
                     message: str | None = None, header: Any = True, annotated: bool = True,
                     upgrade: Sequence[str] | None = None, downgrade: Sequence[str] | None = None,
                     **_: Any) -> str:
    """A migration file like alembic's generic template renders it (with a create_table)."""
    # Two files that share an id but say different things are different migrations: an explicit
    # message names the table too (identical bodies would be a stale copy, which is removed).
    table = "t_" + _SLUG_RE.sub("_", rev if message is None else f"{rev}_{message}").strip("_")
    message = message if message is not None else f"step {rev}"
    if upgrade is None:
        upgrade = [
            "op.create_table(",
            f"    {table!r},",
            "    sa.Column('id', sa.Integer(), primary_key=True),",
            "    sa.Column('name', sa.String(100), nullable=False),",
            ")",
        ]
    if downgrade is None:
        downgrade = [f"op.drop_table({table!r})"]
    parts = []
    if header is not False:
        values = {"Revision ID": rev, "Revises": _revises(down)}
        if isinstance(header, dict):
            values.update(header)
        parts.append(
            f'"""{message}\n\nRevision ID: {values["Revision ID"]}\nRevises: {values["Revises"]}\n'
            f'Create Date: 2024-01-01 00:00:00.000000\n\n"""\n'
        )
    parts.append("from typing import Sequence, Union\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n")
    parts.append("# revision identifiers, used by Alembic.\n")
    if annotated:
        parts.append(
            f"revision: str = {rev!r}\n"
            f"down_revision: Union[str, Sequence[str], None] = {down!r}\n"
            f"branch_labels: Union[str, Sequence[str], None] = {branch_labels!r}\n"
            f"depends_on: Union[str, Sequence[str], None] = {depends_on!r}\n"
        )
    else:
        parts.append(
            f"revision = {rev!r}\ndown_revision = {down!r}\n"
            f"branch_labels = {branch_labels!r}\ndepends_on = {depends_on!r}\n"
        )
    indent = "\n    "
    parts.append(f"\n\ndef upgrade() -> None:\n    {indent.join(upgrade) or 'pass'}\n")
    parts.append(f"\n\ndef downgrade() -> None:\n    {indent.join(downgrade) or 'pass'}\n")
    return "".join(parts)


def migration_filename(spec: dict[str, Any]) -> str:
    if spec.get("filename"):
        return spec["filename"]
    slug = _SLUG_RE.sub("_", spec.get("message") or "step").strip("_").lower()
    return f"{spec['rev']}_{slug}.py"


def write_migrations(directory: Path, revisions: Iterable[Any]) -> list[Path]:
    """Write migration files into one directory; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for raw in revisions:
        spec = normalize_spec(raw)
        path = directory / migration_filename(spec)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = spec["source"] if "source" in spec else render_migration(**spec)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        paths.append(path)
    return paths


def write_project(
    tmp_path: Path | str,
    revisions: Iterable[Any] = (),
    *,
    config: str = "ini",
    script_location: str = "migrations",
    version_locations: Sequence[str] | None = None,
    path_separator: str | None = "os",
    recursive: bool = False,
    here: bool = True,
    extra_ini: str = "",
    sqlalchemy_url: str | None = "sqlite:///app.db",
    env: bool = True,
) -> Path:
    """Write an Alembic project under `tmp_path` and return its root (`tmp_path` itself).

    config: "ini" (alembic.ini), "pyproject" (pyproject.toml [tool.alembic]) or "none" (only
    the script location and versions directory; point chaintui at the versions dir).
    version_locations: directories relative to the root; written joined by the separator that
    `path_separator` selects ("os", "space", "newline", ":", ";", or "comma"/None for the
    legacy split on spaces and commas), with `%(here)s/` for ini files when `here` is true.
    """
    root = Path(tmp_path)
    root.mkdir(parents=True, exist_ok=True)
    scripts = root / script_location
    scripts.mkdir(parents=True, exist_ok=True)
    if env:
        (scripts / "env.py").write_text(ENV_PY)
        (scripts / "script.py.mako").write_text(SCRIPT_MAKO)
    dirs = [root / d for d in version_locations] if version_locations else [scripts / "versions"]
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True)
    specs = [normalize_spec(s) for s in revisions]
    for spec in specs:
        target = root / spec["dir"] if spec.get("dir") else dirs[0]
        write_migrations(target, [spec])

    prefix = "%(here)s/" if here else ""
    if config == "ini":
        lines = ["[alembic]", f"script_location = {prefix}{script_location}"]
        if path_separator and path_separator != "comma":
            lines.append(f"path_separator = {path_separator}")
        if version_locations:
            # "comma" = the legacy form: no path_separator, locations split on spaces/commas.
            sep = {"os": os.pathsep, "space": " ", "comma": ", ", ":": ":", ";": ";",
                   "newline": "\n    ", None: " "}[path_separator]
            joined = sep.join(prefix + d for d in version_locations)
            lines.append(f"version_locations = {joined}")
        if recursive:
            lines.append("recursive_version_locations = true")
        if sqlalchemy_url:
            lines.append(f"sqlalchemy.url = {sqlalchemy_url}")
        text = "\n".join(lines) + "\n" + extra_ini
        text += ("\n[loggers]\nkeys = root\n\n[handlers]\nkeys = console\n\n[formatters]\nkeys = generic\n\n"
                 "[logger_root]\nlevel = WARN\nhandlers = console\n\n[handler_console]\n"
                 "class = StreamHandler\nargs = (sys.stderr,)\nlevel = NOTSET\nformatter = generic\n\n"
                 "[formatter_generic]\nformat = %(levelname)-5.5s [%(name)s] %(message)s\n")
        (root / "alembic.ini").write_text(text)
    elif config == "pyproject":
        lines = ["[project]", 'name = "app"', "", "[tool.alembic]", f'script_location = "%(here)s/{script_location}"']
        if version_locations:
            items = ", ".join(f'"%(here)s/{d}"' for d in version_locations)
            lines.append(f"version_locations = [{items}]")
        if recursive:
            lines.append("recursive_version_locations = true")
        (root / "pyproject.toml").write_text("\n".join(lines) + "\n" + extra_ini)
        if sqlalchemy_url:
            (root / "alembic.ini").write_text(f"[alembic]\nsqlalchemy.url = {sqlalchemy_url}\n")
    elif config != "none":
        raise ValueError(f"unknown config kind {config!r}")
    return root


def linear(ids: Sequence[str], **options: Any) -> list[tuple]:
    """Specs of a straight chain over `ids` (the first is the base)."""
    return [(rev, ids[i - 1] if i else None, dict(options)) for i, rev in enumerate(ids)]


def git_init(root: Path, message: str = "initial") -> Path:
    """Make `root` a git repository with everything committed (deterministic identity)."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", message]):
        subprocess.run(["git", *args], cwd=root, check=True, env=env, capture_output=True)
    return root


def alembic_script(root: Path, ini: str = "alembic.ini", section: str = "alembic"):
    """alembic's own ScriptDirectory for the project (the oracle)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    toml = root / "pyproject.toml"
    ini_path = root / ini
    cfg = Config(file_=str(ini_path) if ini_path.exists() else None,
                 toml_file=str(toml) if toml.exists() else None, ini_section=section)
    return ScriptDirectory.from_config(cfg)


class Timeline:
    """A project whose migrations land one commit at a time, as a team's would: on main, or on
    branches merged with `git merge --no-ff` (a pull request), each at a fixed date.

        t = Timeline(tmp_path)
        t.land(("001", None)); t.branch("feature"); t.land(("002", "001"), on="feature")
        t.land(("002b", "001")); t.merge("feature")
    """

    def __init__(self, root: Path, **project: Any) -> None:
        self.root = write_project(root, [], **project)
        self.versions = self.root / "migrations" / "versions"
        self.clock = 1_700_000_000
        self._git("init", "-q", "-b", "main")
        self._git("add", "-A")
        self._commit("scaffold")

    def _git(self, *args: str) -> str:
        env = {**os.environ, "GIT_AUTHOR_DATE": f"@{self.clock} +0000", "GIT_COMMITTER_DATE": f"@{self.clock} +0000",
               "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
               "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.com"}
        proc = subprocess.run(["git", *args], cwd=self.root, env=env, capture_output=True, text=True)
        if proc.returncode:
            raise RuntimeError(f"git {' '.join(args)}: {proc.stderr}")
        return proc.stdout

    def _commit(self, message: str) -> None:
        self.clock += 3600
        self._git("commit", "-q", "--allow-empty", "-m", message)

    def land(self, *specs: Any, on: str = "main") -> list[Path]:
        """Commit these migrations (one commit) on branch `on`."""
        self._git("checkout", "-q", on)
        paths = write_migrations(self.versions, specs)
        self._git("add", "-A")
        self._commit("add " + ", ".join(p.name for p in paths))
        return paths

    def edit(self, path: Path, old: str, new: str, message: str = "edit") -> None:
        path.write_text(path.read_text().replace(old, new))
        self._git("add", "-A")
        self._commit(message)

    def branch(self, name: str, start: str = "main") -> None:
        self._git("branch", name, start)

    def merge(self, name: str, into: str = "main") -> None:
        self._git("checkout", "-q", into)
        self.clock += 3600
        self._git("merge", "-q", "--no-ff", "-m", f"Merge {name}", name)
