"""What to tell the user before a fix is committed (the CLI's confirmation and the TUI's diff
preview show the same lines)."""

from __future__ import annotations

from chaintui.fixes import Fix, KeepDuplicate, Relink, Remove, Renumber
from chaintui.graph import RevisionGraph


def preview_warnings(fix: Fix, graph: RevisionGraph, applied: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """What to tell the user before committing `fix`: schema-order breakage a relink would
    introduce, and every id or parent of a revision a deployed database has applied that the fix
    changes (those need an explicit confirmation and a stamp on each such database)."""
    from chaintui.schema import order_warnings

    warnings: list[str] = []
    m = graph.by_rel.get(fix.file)
    if isinstance(fix, Relink) and m is not None:
        warnings += order_warnings(graph, m, fix.parents)
    if applied:
        from chaintui.db import applied_closure

        done = applied_closure(graph, applied)
        changed: list[str] = []
        if isinstance(fix, Relink) and fix.revision in done:
            changed.append(f"{fix.revision} is applied on the database and its parent changes")
        elif isinstance(fix, KeepDuplicate) and fix.revision in done:
            changed.append(f"{fix.revision} is applied on the database: one of its files gets a new id")
        elif isinstance(fix, Remove) and fix.revision in done:
            changed.append(f"{fix.revision} is applied on the database and its file is removed")
        elif isinstance(fix, Renumber):
            renamed = [graph.by_rel[f].revision for f, _ in fix.mapping if f in graph.by_rel]
            hit = [r for r in renamed if r in done]
            if hit:
                changed.append(f"{len(hit)} applied revisions get new ids ({', '.join(hit[:4])}...)")
        warnings += [f"{text}: confirm only if each deployed database gets the stamp in the commit body"
                     for text in changed]
    return warnings
