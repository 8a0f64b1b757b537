"""The reference repair: the intended graph written into the files by hand-rolled edits.

Not a planner — it is given the answer (the case's `Expect`). It proves the benchmark can be
met (every generated history, repaired as intended, loads in alembic and round-trips SQLite:
`repair.py --repair reference`), and the smoke test uses it, and deliberately wrong variants of
it, to show that the judge tells a right repair from a wrong one.
"""

from __future__ import annotations

import ast
import re
import subprocess
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from .history import Case, Expect, chain
from alembic.util import format_as_comma

from .project import MARKER_RE, VERSIONS, _template

REV_RE = re.compile(r"^(revision)(\s*:[^=\n]*)?(\s*=\s*)(.+)$", re.M)
DOWN_RE = re.compile(r"^(down_revision)(\s*:[^=\n]*)?(\s*=\s*)(.+)$", re.M)


def repair(case: Case, project: Path, expect: Expect | None = None) -> None:
    """Make the files say `expect` (default: the case's intended result) and commit."""
    e = expect or case.expect
    versions = project / VERSIONS
    texts = {p: p.read_text(encoding="utf-8") for p in sorted(versions.glob("*.py"))}
    where: dict[str, Path] = {}
    for path, text in texts.items():
        found = MARKER_RE.search(text)
        marker = found.group(1) if found else None
        if path.name in e.gone_paths or marker in e.removed or marker is None:
            path.unlink()
        else:
            assert marker not in where, f"{marker} in {where.get(marker)} and {path}"
            where[marker] = path
    ids: dict[str, str] = {}
    for marker in e.order:   # the earlier-landed file keeps a shared id
        rev = ast.literal_eval(REV_RE.search(texts[where[marker]]).group(4).strip())
        ids[marker] = rev if rev not in ids.values() else f"{rev}_{marker[:4]}"
    for marker in e.order:
        parents = [ids[p] for p in e.parents[marker]]
        down = None if not parents else parents[0] if len(parents) == 1 else tuple(parents)
        text = _assign(REV_RE, texts[where[marker]], repr(ids[marker]))
        where[marker].write_text(_assign(DOWN_RE, text, repr(down)), encoding="utf-8")
    if e.mode == "merge":
        down = tuple(ids[m] for m in e.merge_over)
        text = _template().render_unicode(
            message="merge heads", up_revision="reference_merge", down_revision=down, branch_labels=None,
            depends_on=None, create_date=datetime(2030, 1, 1), comma=format_as_comma, imports="",
            upgrades="pass", downgrades="pass")
        (versions / "reference_merge_heads.py").write_text(text, encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, capture_output=True)
    if subprocess.run(["git", "diff", "--cached", "--quiet"], cwd=project).returncode:
        subprocess.run(["git", "commit", "-q", "-m", "reference repair"], cwd=project, check=True, capture_output=True)


def _assign(pattern: re.Pattern, text: str, value: str) -> str:
    return pattern.sub(lambda m: f"{m.group(1)}{m.group(2) or ''}{m.group(3)}{value}", text, count=1)


def moved(expect: Expect, marker: str, parent: str) -> Expect:
    """A linear `expect` with `marker` moved to right after `parent` (a wrong repair, for tests)."""
    assert expect.parents == chain(expect.order), "only for linear histories"
    order = [m for m in expect.order if m != marker]
    order.insert(order.index(parent) + 1, marker)
    return replace(expect, parents=chain(order), order=order)
