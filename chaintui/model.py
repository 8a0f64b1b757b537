"""Plain data types shared by every layer: scanned migrations, problems, projects."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ERROR = "error"
WARNING = "warning"

#: Keys read from a migration module, in the order alembic's template writes them.
KEYS = ("revision", "down_revision", "branch_labels", "depends_on")


@dataclass(frozen=True)
class FieldInfo:
    """Where and how one of the KEYS is assigned at module level (the last assignment wins)."""

    line: int
    """1-based line of the assignment statement."""
    known: bool
    """False when the value is computed (a name, a call) and cannot be known statically."""
    raw: str
    """The value expression's source text, exactly as written."""
    count: int = 1
    """How many times the key is assigned at module level."""


@dataclass(frozen=True)
class Header:
    """The human-written header: docstring `Revision ID:` / `Revises:` lines or `#` comments."""

    revision_id: str | None = None
    revises: tuple[str, ...] | None = None
    create_date: str | None = None
    message: str | None = None
    revision_line: int | None = None
    revises_line: int | None = None
    in_comments: bool = False


@dataclass(frozen=True)
class SchemaOp:
    """One statically read `op.*` call of `upgrade()` (see chaintui.schema)."""

    kind: str
    """create_table, drop_table, rename_table, alter_table (add/drop/alter column, index...),
    or reference (a foreign key to the table: it must exist)."""
    table: str
    line: int
    """1-based line of the call in the file (0 when unknown)."""
    new_table: str | None = None
    op: str = ""
    """The call as written: `add_column`, `batch_op.drop_column`, `execute`, `ForeignKey`..."""
    guarded: bool = False
    """Under an `if`/`try`/loop, or `if_not_exists`/`if_exists`: it may not run or be a no-op."""


@dataclass
class Migration:
    """One file in a versions directory, as read statically."""

    path: Path
    """Absolute path of the file."""
    rel: str
    """Path relative to the project root, POSIX separators (used in output)."""
    revision: str | None = None
    down_revision: tuple[str, ...] = ()
    branch_labels: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    fields: dict[str, FieldInfo] = field(default_factory=dict)
    header: Header = field(default_factory=Header)
    ops: tuple[SchemaOp, ...] = ()
    error: str | None = None
    """Why the file could not be read or parsed (then it has no revision)."""
    error_line: int | None = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def is_base(self) -> bool:
        return self.revision is not None and not self.down_revision and self.known("down_revision")

    def known(self, key: str) -> bool:
        info = self.fields.get(key)
        return info is None or info.known

    def line_of(self, key: str) -> int | None:
        info = self.fields.get(key)
        return info.line if info else None

    @property
    def message(self) -> str:
        """The migration's one-line description (docstring first line or the file slug)."""
        if self.header.message:
            return self.header.message
        stem = self.path.stem
        if self.revision and stem.startswith(self.revision):
            stem = stem[len(self.revision):]
        return stem.strip("_ ").replace("_", " ")

    def to_record(self) -> dict[str, Any]:
        """Everything but the path, for the scan cache."""
        return {
            "revision": self.revision,
            "down_revision": self.down_revision,
            "branch_labels": self.branch_labels,
            "depends_on": self.depends_on,
            "fields": self.fields,
            "header": self.header,
            "ops": self.ops,
            "error": self.error,
            "error_line": self.error_line,
        }


@dataclass(frozen=True)
class Problem:
    """One diagnosed problem; may involve several revisions and files."""

    code: str
    severity: str
    message: str
    revisions: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    """Relative paths, in the same order as the revisions where both apply."""
    line: int | None = None
    """Line in files[0] to point at (for github annotations and the detail pane)."""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "revisions": list(self.revisions),
            "files": list(self.files),
        }
        if self.line is not None:
            data["line"] = self.line
        return data


@dataclass(frozen=True)
class MigrationSet:
    """One independent migration environment: a script location and its version directories."""

    name: str
    """Label for output: the config section or the script location, relative to the root."""
    root: Path
    """The project root: relative paths in output are relative to it."""
    script_location: Path | None
    version_dirs: tuple[Path, ...]
    recursive: bool = False
    file_template: str = "%(rev)s_%(slug)s"
    config_file: Path | None = None
    """alembic.ini or pyproject.toml this set was read from (None for a bare versions dir)."""
    config_section: str = "alembic"
    sqlalchemy_url: str | None = None

    def rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    @property
    def template_path(self) -> Path | None:
        if self.script_location is None:
            return None
        mako = self.script_location / "script.py.mako"
        return mako if mako.exists() else None
