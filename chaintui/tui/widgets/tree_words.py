"""The words after a tree row's lanes: the id as shown, problem tags, `[applied]`, the loop's
back edge and the message, each with the component class that colours it."""

from __future__ import annotations

from chaintui.graph import RevisionGraph
from chaintui.lanes import CONNECTOR, FOLDED, GAP, PHANTOM, Row
from chaintui.model import Problem
from chaintui.tui.marks import tags


def row_words(row: Row, graph: RevisionGraph | None, problems: dict[str, list[Problem]],
              applied: frozenset[str], short: dict[str, str],
              own: frozenset[str] | None = None) -> list[tuple[str, str]]:
    """(text, component class) pieces; `short` maps ids to how they are shown. With `own` (the
    branch's revisions under `--against REF`) those are highlighted and REF's dimmed."""
    def shown(rev: str) -> str:
        return short.get(rev, rev)

    if row.kind == FOLDED:
        first, _, last = (row.rev or "").partition(" … ")
        return [(f"… {row.folded} revisions ({shown(first)} … {shown(last)}) → open", "revision-tree--fold")]
    if row.kind in (CONNECTOR, GAP) or row.rev is None:
        return []
    if row.kind == PHANTOM:
        named = graph.child_ids(row.rev) if graph else []
        return [(shown(row.rev) or '""', "revision-tree--missing"),
                (f"  missing · named by {', '.join(shown(r) for r in named)}", "revision-tree--missing")]
    mine = own is not None and row.rev in own
    dimmed = own is not None and not mine
    words: list[tuple[str, str]] = [
        (shown(row.rev), "revision-tree--own" if mine else "revision-tree--ref" if dimmed else "revision-tree--id")]
    if mine:
        words.append((" [branch]", "revision-tree--own"))
    files = graph.by_id.get(row.rev, []) if graph else []
    for tag, severity in tags(problems.get(row.rev, [])):
        extra = f"×{len(files)}" if tag == "dup" else ""
        words.append((f" [{tag}{extra}]", f"revision-tree--{severity}"))
    if row.rev in applied:
        words.append((" [applied]", "revision-tree--applied"))
    if row.back:
        words.append((f" ↻ {', '.join(shown(r) for r in row.back)}", "revision-tree--error"))
    if files:
        words.append((f"  {files[0].message}", "revision-tree--ref" if dimmed else "revision-tree--message"))
    return words
