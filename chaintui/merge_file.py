"""A merge revision's file: rendered with alembic's own template machinery from the project's
`script.py.mako`, named by the project's `file_template` (the MergeHeads fix writes it)."""

from __future__ import annotations

import datetime
from pathlib import Path

from chaintui.errors import ChaintuiError
from chaintui.graph import RevisionGraph
from chaintui.model import Migration

__all__ = ["merge_filename", "plain_style", "render_merge"]


def plain_style(m: Migration) -> bool:
    """True when the file assigns `revision` without an annotation (`revision = "x"`)."""
    try:
        lines = m.path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    line = m.line_of("revision")
    text = lines[line - 1] if line and line <= len(lines) else ""
    return text.lstrip().startswith("revision") and ":" not in text.split("=", 1)[0]


def render_merge(graph: RevisionGraph, rev: str, parents: tuple[str, ...], message: str,
                 create_date: str) -> bytes:
    """Render a merge file with alembic's own template machinery and the project's template."""
    import tempfile

    from alembic import util

    template = graph.mset.template_path
    if template is None:
        raise ChaintuiError("no script.py.mako in the script location: cannot render a merge file")
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / "merge.py"
        util.template_to_file(
            str(template), str(dest), "utf-8",
            up_revision=rev,
            down_revision=parents,
            branch_labels=None,
            depends_on=None,
            create_date=create_date,
            comma=util.format_as_comma,
            message=message,
            imports=set(),
            upgrades=None,
            downgrades=None,
        )
        return dest.read_bytes()


def merge_filename(graph: RevisionGraph, rev: str, message: str, create_date: datetime.datetime) -> str:
    """The merge file's path, following the project's `file_template` like alembic does."""
    from alembic.script import ScriptDirectory

    mset = graph.mset
    directory = mset.version_dirs[0]
    try:
        script_dir = ScriptDirectory(str(mset.script_location or directory.parent),
                                     file_template=mset.file_template)
        path = Path(script_dir._rev_path(str(directory), rev, message, create_date))
    except Exception:  # a private alembic helper: fall back to the default template
        slug = "_".join(message.lower().split())[:40]
        path = directory / f"{rev}_{slug}.py"
    return mset.rel(path)
