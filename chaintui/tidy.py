"""Opt-in tidying (`--tidy`): headers and file names that disagree with the variables alembic
uses, for files no repair touches."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from chaintui.diagnosis import diagnose
from chaintui.fixes import Fix, RenameFile, SyncHeader
from chaintui.graph import RevisionGraph
from chaintui.naming import slug_of

if TYPE_CHECKING:
    from chaintui.planner import Plan


def tidy(graph: RevisionGraph, planned: Plan, add: Callable[[Fix, RevisionGraph, tuple[str, ...]], RevisionGraph]) \
        -> RevisionGraph:
    """Header syncs and renames for the files no fix of `planned` touches; `add` appends one fix
    to the plan and returns the graph after it."""
    touched = {c.target for cs in planned.changesets for c in cs.changes}
    for problem in diagnose(graph):
        if problem.code not in ("header-mismatch", "filename-mismatch") or problem.files[0] in touched:
            continue
        m = graph.by_rel.get(problem.files[0])
        if m is None or not m.known("down_revision"):
            continue
        if problem.code == "header-mismatch":
            fix = SyncHeader(revision=m.revision, file=m.rel, set_name=graph.mset.name,
                             reason=f"{problem.message}. The variables are what alembic uses; the header now agrees.")
        else:
            slug = slug_of(m.path.stem, "")
            new = Path(m.rel).with_name(f"{m.revision}_{slug}.py" if slug else f"{m.revision}.py").as_posix()
            if (graph.mset.root / new).exists() or new in graph.by_rel:
                continue
            fix = RenameFile(revision=m.revision, file=m.rel, set_name=graph.mset.name, new_file=new,
                             reason=f"{problem.message}; the file is renamed to match.")
        touched.add(m.rel)
        try:
            graph = add(fix, graph, (problem.code,))
        except Exception:
            continue
    return graph
