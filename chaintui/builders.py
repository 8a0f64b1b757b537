"""Fix builders: one per decision a user can make in the TUI's choice dialogs.

Each takes the user's answer and returns a fix object; where the answer leaves something open
(which file a child meant, which id a renamed file gets, where the rest of a branch goes) the
builder fills it from the same intended order the planner uses (chaintui.target), so a dialog's
default is exactly the planned fix.
"""

from __future__ import annotations

import datetime
import re
import weakref

from chaintui.fixes import BreakCycle, KeepDuplicate, Linearize, MergeHeads, Relink, Remove, Renumber
from chaintui.graph import RevisionGraph
from chaintui.merge_file import merge_filename
from chaintui.model import Migration
from chaintui.naming import (derived_hex_id, detect_style, natural_key, new_id, number_of, suffixed_id)
from chaintui.order import parse_date
from chaintui.suggest import Option

_TARGETS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def target_for(graph: RevisionGraph, problems=None, git=None):
    """The planner's target for `graph` (computed once per graph). `git`: a reader of the history
    for this graph that the caller already has (else one is made)."""
    if graph not in _TARGETS:
        from chaintui.diagnosis import diagnose
        from chaintui.history import GitHistory
        from chaintui.settings import load_settings
        from chaintui.target import derive

        if git is None:
            git = GitHistory.for_graph(graph)
        _TARGETS[graph] = derive(graph, problems if problems is not None else diagnose(graph), git=git,
                                 settings=load_settings(graph.mset.root))
    return _TARGETS[graph]


def relink_fix(graph: RevisionGraph, file: str, parents: tuple[str, ...], *, kind: type[Relink] = Relink,
               reason: str = "", alternatives: tuple[Option, ...] = (),
               relinks: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> Relink:
    m = graph.by_rel[file]
    return kind(revision=m.revision, file=file, set_name=graph.mset.name, parents=tuple(parents),
                reason=reason or f"Relink {m.revision} onto {', '.join(parents) or 'nothing'}.",
                alternatives=alternatives, relinks=relinks)


def keep_duplicate_fix(graph: RevisionGraph, rev: str, keep: str,
                       children: dict[str, str] | None = None, *, reason: str = "") -> KeepDuplicate:
    """Keep `keep` as `rev`; every other file sharing it gets an id in the project's style and
    stays at its position in the intended order (siblings are chained in that order).

    `children` maps a child naming `rev` to the file it meant; unanswered children take the
    planner's answer (the last of the chained files before them).
    """
    from chaintui.suggest import rank_keep

    t = target_for(graph)
    kept = graph.by_rel[keep]
    # The kept file holds the number's own position: it comes first, the others follow in order.
    files = sorted(graph.by_id[rev], key=lambda m: (m is not kept, _pos(t, m)))
    style = detect_style(graph.by_id)[0]
    siblings = [m for m in files if set(m.down_revision) == set(kept.down_revision)]
    ids: dict[str, str] = {kept.rel: rev}
    taken = set(graph.by_id)
    relinks: dict[str, tuple[str, ...]] = {}
    previous: Migration | None = None
    for m in files:
        if m is not kept:
            after = ids[previous.rel] if previous is not None and m in siblings else None
            fresh = (suffixed_id(rev, taken, after) if style == "numbered" else None) or \
                derived_hex_id(f"{m.rel}\0{rev}", taken)
            ids[m.rel] = fresh
            taken.add(fresh)
        if m in siblings and previous is not None:
            relinks[m.rel] = (ids[previous.rel],)
        if m in siblings:
            previous = m
    last = previous or kept
    answers = dict(children or {})
    for child in graph.children_of(rev):
        if child.rel in ids:
            continue
        chain = [m for m in files if m in siblings]
        before = [m for m in chain if _pos(t, m) < _pos(t, child)]
        meant = answers.get(child.rel) or (before[-1].rel if before else last.rel)
        answers[child.rel] = meant
        relinks[child.rel] = tuple(dict.fromkeys(ids[meant] if p == rev else p for p in child.down_revision))
    renamed = tuple((m.rel, ids[m.rel]) for m in files if m is not kept)
    names = ", ".join(m.name for m in files)
    return KeepDuplicate(
        revision=rev, file=keep, set_name=graph.mset.name, keep=keep, renamed=renamed,
        children=tuple(sorted(answers.items())), alternatives=tuple(rank_keep(graph, rev)),
        relinks=tuple((f, p) for f, p in relinks.items() if p != graph.by_rel[f].down_revision or f in ids),
        reason=reason or f"{len(files)} files declared revision {rev!r} ({names}); alembic loads only one of "
                         f"them. Kept {kept.name}; the others stay at their position with new ids.")


def _pos(t, m: Migration) -> int:
    return t.order.index.get(m.rel, len(t.order.files))


def remove_fix(graph: RevisionGraph, file: str, *, reason: str = "") -> Remove:
    m = graph.by_rel[file]
    return Remove(revision=m.revision, file=file, set_name=graph.mset.name, parents=m.down_revision,
                  reason=reason or f"Remove {m.name}; its children move onto its parents.")


def merge_fix(graph: RevisionGraph, heads: tuple[str, ...], *, message: str = "merge heads",
              reason: str = "") -> MergeHeads:
    """A merge revision over `heads`. Its id and date derive from the heads, so the plan and the
    commit show the same file: the id from the heads' ids, the date from the newest head."""
    heads = tuple(heads)
    style = detect_style(graph.by_id)[0]
    rev = new_id(graph.by_id) if style == "numbered" else \
        derived_hex_id("merge\0" + "\0".join(sorted(heads)), graph.by_id)
    dates = [parse_date(m.header.create_date) for h in heads for m in graph.by_id.get(h, ())]
    known = [d for d in dates if d is not None]
    when = (max(known) + datetime.timedelta(minutes=1)) if known else datetime.datetime(2000, 1, 1)
    when = when.replace(microsecond=0)
    file = merge_filename(graph, rev, message, when)
    return MergeHeads(revision=rev, file=file, set_name=graph.mset.name, parents=heads, message=message,
                      create_date=str(when),
                      reason=reason or f"{len(heads)} heads ({', '.join(heads)}): a merge revision joins them.")


def linearize_fix(graph: RevisionGraph, head: str, onto: str, *, reason: str = "",
                  alternatives: tuple[Option, ...] = ()) -> Linearize:
    """Move the branch ending in `head` so that it starts after `onto`."""
    root = branch_root(graph, head, onto)
    anchor = graph.ancestors(onto) | {onto}
    parents = tuple(dict.fromkeys(onto if p in anchor else p for p in root.down_revision)) or (onto,)
    if onto not in parents:
        parents = (onto,)
    return relink_fix(graph, root.rel, parents, kind=Linearize, alternatives=alternatives,
                      reason=reason or f"Heads {head} and {onto} diverged; put {head}'s branch after {onto}.")


def branch_root(graph: RevisionGraph, head: str, onto: str) -> Migration:
    """The first revision of `head`'s branch that `onto` does not already contain."""
    shared = graph.ancestors(onto) | {onto}
    own = [r for r in [head, *graph.ancestors(head)] if r not in shared]
    roots = [r for r in own if all(p in shared or p not in graph.by_id for p in graph.parent_ids(r))]
    roots.sort(key=natural_key)
    return graph.by_id[roots[0] if roots else head][0]


def break_cycle_fix(graph: RevisionGraph, file: str, onto: tuple[str, ...], *, reason: str = "",
                    alternatives: tuple[Option, ...] = ()) -> BreakCycle:
    return relink_fix(graph, file, onto, kind=BreakCycle, alternatives=alternatives,
                      reason=reason or "Break the loop.")


def renumber_fix(graph: RevisionGraph) -> Renumber | None:
    """Sequential numbers along a straight, numbered history (the seed plan's phase 4).

    Each id keeps whatever follows its number (`003_enhanced_content_metadata` stays named);
    None when the history is not one line of numbered ids, or already in order.
    """
    style, width = detect_style(graph.by_id)
    if style != "numbered" or len(graph.bases) != 1 or len(graph.heads) != 1:
        return None
    if any(len(files) > 1 for files in graph.by_id.values()):
        return None
    order: list[str] = []
    current: str | None = graph.bases[0]
    while current is not None:
        order.append(current)
        children = graph.child_ids(current)
        if len(children) > 1 or len(graph.parent_ids(current)) > 1:
            return None
        current = children[0] if children else None
    if len(order) != len(graph.by_id) or any(number_of(r) is None for r in order):
        return None
    start = number_of(order[0])[0]
    mapping = []
    for index, rev in enumerate(order):
        new = re.sub(r"^\d+[a-zA-Z]?(?=$|_)", str(start + index).zfill(width), rev, count=1)
        if new != rev:
            mapping.append((graph.by_id[rev][0].rel, new))
    if not mapping:
        return None
    first = graph.by_id[order[0]][0]
    return Renumber(
        revision=order[0], file=first.rel, set_name=graph.mset.name, mapping=tuple(mapping),
        reason=(f"Renumber {len(mapping)} revisions so the numbers follow the chain "
                f"({order[0]} .. {order[-1]}); file names, down_revision and headers follow."),
        notes=("A database that already applied any renumbered revision needs "
               "`alembic stamp --purge <new id>` (or UPDATE alembic_version) to its new id.",),
    )
