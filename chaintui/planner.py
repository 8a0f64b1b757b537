"""Turn a diagnosis into fixes: a builder per decision, a default choice per problem, the auto-plan.

The builders (`relink_fix`, `keep_duplicate_fix`, `remove_fix`, `merge_fix`, `linearize_fix`,
`break_cycle_fix`) are what the TUI's choice dialogs call with the user's answer; `default_fix`
is the planner's own answer, the best-ranked suggestion; `plan` repeats diagnose -> choose ->
simulate (on an in-memory overlay, nothing written) until no fixable problem is left, so the
list it returns is ordered, deterministic, and applies cleanly one fix after the other.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from chaintui import suggest
from chaintui.analysis import Analysis, SetAnalysis, analyze
from chaintui.fixes import (BreakCycle, Fix, KeepDuplicate, Linearize, MergeHeads, Relink, Remove,
                            RenameFile, Renumber, SyncHeader, merge_filename)
from chaintui.graph import RevisionGraph
from chaintui.model import Migration, Problem
from chaintui.naming import detect_style, natural_key, new_id, number_of, slug_of
from chaintui.suggest import Option

MAX_STEPS = 500


# --------------------------------------------------------------------------------------------
# builders: one per decision the user can make


def relink_fix(graph: RevisionGraph, file: str, parents: tuple[str, ...], *, kind: type[Relink] = Relink,
               reason: str = "", alternatives: tuple[Option, ...] = ()) -> Relink:
    m = graph.by_rel[file]
    return kind(revision=m.revision, file=file, set_name=graph.mset.name, parents=tuple(parents),
                reason=reason or f"Relink {m.revision} onto {', '.join(parents) or 'nothing'}.",
                alternatives=alternatives)


def keep_duplicate_fix(graph: RevisionGraph, rev: str, keep: str,
                       children: dict[str, str] | None = None, *, reason: str = "",
                       follow: bool | None = None) -> KeepDuplicate:
    """Keep `keep` as `rev`; every other file sharing it gets a fresh id in the project's style.

    `children` maps each child file naming `rev` to the file it meant; unanswered children get
    the best-ranked answer.
    """
    files = graph.by_id[rev]
    taken: list[str] = []
    renamed = []
    for m in files:
        if m.rel == keep:
            continue
        fresh = new_id(graph.by_id, taken)
        taken.append(fresh)
        renamed.append((m.rel, fresh))
    answers = dict(children or {})
    for child in graph.children_of(rev):
        if child.rel not in answers:
            ranked = suggest.rank_meant(graph, child, rev)
            answers[child.rel] = ranked[0].value if ranked and ranked[0].score > 0 and ranked[0].value != keep \
                and _clearly_better(ranked) else keep
    keep_options = tuple(suggest.rank_keep(graph, rev))
    names = ", ".join(Path(m.rel).name for m in files)
    if follow is None:
        follow = should_follow(graph, rev, keep, answers)
    why_follow = (f" No child meant {Path(keep).name}, so {', '.join(Path(f).name for f, _ in renamed)} "
                  f"now follows it instead of leaving an extra head.") if follow else ""
    return KeepDuplicate(
        revision=rev, file=keep, set_name=graph.mset.name, keep=keep, renamed=tuple(renamed),
        children=tuple(sorted(answers.items())), alternatives=keep_options, follow=follow,
        reason=reason or f"{len(files)} files declared revision {rev!r} ({names}); alembic loads only "
                         f"one of them. Kept {Path(keep).name}; the others get new ids.{why_follow}",
    )


def should_follow(graph: RevisionGraph, rev: str, keep: str, answers: dict[str, str]) -> bool:
    """True when the duplicates were siblings and no child meant the kept one (every child meant
    the renamed file, or there is no child): chaining the renamed file after the kept one keeps
    the history a line, as the seed plan orders 017 -> 018 -> 019 -> 020, instead of leaving
    an extra head for a later linearize."""
    files = graph.by_id[rev]
    kept = graph.by_rel[keep]
    others = [m for m in files if m.rel != keep]
    return (len(others) == 1 and all(meant != keep for meant in answers.values())
            and all(m.down_revision == kept.down_revision for m in others))


def _clearly_better(ranked: list[Option]) -> bool:
    return len(ranked) < 2 or ranked[0].score > ranked[1].score


def remove_fix(graph: RevisionGraph, file: str, *, reason: str = "") -> Remove:
    m = graph.by_rel[file]
    return Remove(revision=m.revision, file=file, set_name=graph.mset.name, parents=m.down_revision,
                  reason=reason or f"Remove {m.name}; its children move onto its parents.")


def merge_fix(graph: RevisionGraph, heads: tuple[str, ...], *, message: str = "merge heads",
              reason: str = "") -> MergeHeads:
    rev = new_id(graph.by_id)
    now = datetime.datetime.now().replace(microsecond=0)
    file = merge_filename(graph, rev, message, now)
    return MergeHeads(revision=rev, file=file, set_name=graph.mset.name, parents=tuple(heads), message=message,
                      create_date=str(now),
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


# --------------------------------------------------------------------------------------------
# the planner's default answer per problem


def default_fix(problem: Problem, sa: SetAnalysis) -> Fix | None:
    """The best-ranked fix for one problem, or None when it needs a person (e.g. a parse error)."""
    graph = sa.graph
    handler = _DEFAULTS.get(problem.code)
    return handler(problem, graph) if handler else None


def _duplicate(problem: Problem, graph: RevisionGraph) -> Fix | None:
    rev = problem.revisions[0]
    files = graph.by_id.get(rev, [])
    for m in files:
        if suggest.is_redundant_root(graph, m):
            others = ", ".join(o.name for o in files if o is not m)
            return remove_fix(graph, m.rel, reason=(
                f"{m.name} declares {rev!r} like {others}, and it is an extra root that re-creates "
                "tables another root already creates (duplicate functionality): removing it fixes "
                "both the duplicate id and the extra root."))
    ranked = suggest.rank_keep(graph, rev)
    return keep_duplicate_fix(graph, rev, ranked[0].value)


def _cycle(problem: Problem, graph: RevisionGraph) -> Fix | None:
    members = set(problem.revisions)
    ordered = sorted(members, key=natural_key)
    # The edge that points "forward" in the project's order is the wrong one (026 -> 027).
    forward = [r for r in ordered if any(p in members and natural_key(p) >= natural_key(r)
                                         for p in graph.parent_ids(r))]
    member = forward[0] if forward else ordered[0]
    m = graph.by_id[member][0]
    options = suggest.rank_parents(graph, m, exclude=members)
    if not options:
        return None
    keep = tuple(p for p in m.down_revision if p not in members)
    parents = tuple(dict.fromkeys((*keep, options[0].value)))
    loop = " -> ".join([*problem.revisions, problem.revisions[0]])
    return break_cycle_fix(graph, m.rel, parents, alternatives=tuple(options[:5]), reason=(
        f"down_revision looped ({loop}), which alembic rejects. {member} pointed forward in the "
        f"project's order; relinked onto {options[0].value} ({'; '.join(options[0].reasons) or 'best candidate'})."))


def _missing_parent(problem: Problem, graph: RevisionGraph) -> Fix | None:
    m = graph.by_rel.get(problem.files[0])
    if m is None:
        return None
    missing = [p for p in m.down_revision if p not in graph.by_id]
    if not missing:
        return None
    target = missing[0]
    if target == "" and not graph.bases:
        return relink_fix(graph, m.rel, (), reason=f"{m.revision} had down_revision = \"\"; no other base exists, so it is the base.")
    options = suggest.rank_parents(graph, m, dangling=target)
    if not options:
        return None
    parents = tuple(dict.fromkeys(options[0].value if p == target else p for p in m.down_revision))
    why = "; ".join(options[0].reasons) or "the best remaining candidate"
    return relink_fix(graph, m.rel, parents, alternatives=tuple(options[:5]), reason=(
        f"{m.revision} named {target!r} as its parent, but no file declares it. Relinked onto "
        f"{options[0].value}: {why}."))


def _multiple_bases(problem: Problem, graph: RevisionGraph) -> Fix | None:
    roots = [graph.by_id[r][0] for r in problem.revisions if r in graph.by_id]
    if len(roots) < 2:
        return None
    roots.sort(key=lambda m: (-len(graph.descendants(m.revision)), natural_key(m.revision)))
    main, extras = roots[0], roots[1:]
    for m in extras:
        if suggest.is_redundant_root(graph, m):
            return remove_fix(graph, m.rel, reason=(
                f"{m.name} is a second root that re-creates tables {main.name} already creates; removed."))
    m = sorted(extras, key=lambda r: natural_key(r.revision))[0]
    options = suggest.rank_parents(graph, m)
    if not options:
        return None
    return relink_fix(graph, m.rel, (options[0].value,), alternatives=tuple(options[:5]), reason=(
        f"{len(roots)} roots; {main.revision} is the main one. {m.revision} relinked onto "
        f"{options[0].value} ({'; '.join(options[0].reasons) or 'best candidate'})."))


def _multiple_heads(problem: Problem, graph: RevisionGraph) -> Fix | None:
    heads = [h for h in problem.revisions if h in graph.by_id]
    if len(heads) < 2:
        return None
    heads.sort(key=lambda h: (-len(graph.ancestors(h)), natural_key(h)))
    main = heads[0]
    other = sorted(heads[1:], key=natural_key)[0]
    alternatives = (
        Option(f"linearize:{other}->{main}", 2, ("what most teams want after parallel branches",),
               f"put {other}'s branch after {main}"),
        Option("merge:" + "+".join(sorted(heads, key=natural_key)), 1,
               ("keeps both branches as they are",), "write a merge revision"),
    )
    return linearize_fix(graph, other, main, alternatives=alternatives, reason=(
        f"{len(heads)} heads ({', '.join(sorted(heads, key=natural_key))}); alembic's `upgrade head` "
        f"refuses. {main} has the longest history, so {other}'s branch goes after it."))


def _header(problem: Problem, graph: RevisionGraph) -> Fix | None:
    m = graph.by_rel.get(problem.files[0])
    if m is None or not m.known("down_revision"):
        return None
    return SyncHeader(revision=m.revision, file=m.rel, set_name=graph.mset.name,
                      reason=f"{problem.message}. The variables are what alembic uses; the header now agrees.")


def _filename(problem: Problem, graph: RevisionGraph) -> Fix | None:
    m = graph.by_rel.get(problem.files[0])
    if m is None:
        return None
    slug = slug_of(m.path.stem, "")
    new = Path(m.rel).with_name(f"{m.revision}_{slug}.py" if slug else f"{m.revision}.py").as_posix()
    if (graph.mset.root / new).exists():
        return None
    return RenameFile(revision=m.revision, file=m.rel, set_name=graph.mset.name, new_file=new,
                      reason=f"{problem.message}; the file is renamed to match.")


_DEFAULTS = {
    "duplicate-revision": _duplicate,
    "cycle": _cycle,
    "missing-parent": _missing_parent,
    "multiple-bases": _multiple_bases,
    "multiple-heads": _multiple_heads,
    "header-mismatch": _header,
    "filename-mismatch": _filename,
}


# --------------------------------------------------------------------------------------------
# the auto-plan


@dataclass
class Plan:
    """The ordered fixes and what they leave behind."""

    fixes: list[Fix] = field(default_factory=list)
    unresolved: list[Problem] = field(default_factory=list)
    """Problems no automatic fix addresses (parse errors, schema-order warnings...)."""
    result: Analysis | None = None
    """The simulated analysis after every fix."""
    changesets: list = field(default_factory=list)
    """The edits of each fix, in order, each computed on top of the previous ones."""

    def to_json(self) -> dict:
        return {
            "fixes": [f.to_json() for f in self.fixes],
            "unresolved": [p.to_json() for p in self.unresolved],
        }


def overlay_reader(overlay: dict[Path, bytes | None]):
    def read(path: Path) -> bytes:
        key = path.resolve()
        if key in overlay:
            data = overlay[key]
            if data is None:
                raise FileNotFoundError(path)
            return data
        return path.read_bytes()

    return read


def plan(analysis: Analysis, *, path: str | Path | None = None, max_steps: int = MAX_STEPS,
         applied: frozenset[str] | set[str] = frozenset(), renumber: bool = False,
         declined: frozenset[str] | set[str] = frozenset()) -> Plan:
    """Diagnose -> choose -> simulate until nothing fixable is left; nothing is written.

    `applied` holds the revisions a deployed database has applied (see chaintui.db);
    `declined` the `Fix.key`s the user skipped: their problems are left to the user.
    """
    source = path if path is not None else analysis.project.root
    overlay: dict[Path, bytes | None] = {}
    aliases: dict[Path, Path] = {}
    result = Plan()
    current = analysis
    given_up: set[tuple] = set()
    for _ in range(max_steps):
        step = _next_fix(current, given_up)
        if step is None:
            break
        fix, sa, key = step
        if fix.key in declined:
            given_up.add(key)
            continue
        if applied:
            fix = respect_applied(fix, sa.graph, applied)
        try:
            changeset = fix.changes(sa.graph, overlay_reader(overlay))
        except Exception:
            given_up.add(key)
            continue
        if not changeset:
            given_up.add(key)
            continue
        overlay.update(changeset.overlay())
        _track_renames(changeset, aliases)
        result.fixes.append(fix)
        result.changesets.append(changeset)
        current = _analyze_planned(source, overlay, aliases)
    if renumber and not current.has_errors:
        for sa in current.sets:
            fix = renumber_fix(sa.graph)
            if fix is None:
                continue
            changeset = fix.changes(sa.graph, overlay_reader(overlay))
            overlay.update(changeset.overlay())
            _track_renames(changeset, aliases)
            result.fixes.append(fix)
            result.changesets.append(changeset)
        current = _analyze_planned(source, overlay, aliases) if overlay else current
    result.result = current
    result.unresolved = [p for p in current.problems]
    return result


def respect_applied(fix: Fix, graph: RevisionGraph, applied: frozenset[str] | set[str]) -> Fix:
    """Adapt a fix to the revisions a deployed database has applied (see chaintui.db).

    Moving an applied branch (linearize) becomes a merge revision, which changes nothing a
    database has seen. A fix that still changes the id or parent of an applied revision keeps
    its choice but says so in the commit body, with the `alembic stamp` / `UPDATE
    alembic_version` statements each deployed database will need.
    """
    from dataclasses import replace

    from chaintui.db import applied_closure, stamp_note, stamp_statements

    applied = applied_closure(graph, applied)
    notes: list[str] = []
    if isinstance(fix, Linearize):
        onto = fix.parents[-1] if fix.parents else None
        moved = {fix.revision} | graph.descendants(fix.revision)
        if onto is not None and moved & set(applied):
            head_of_branch = [h for h in graph.heads if h in moved]
            heads = sorted({onto, *head_of_branch}, key=natural_key)
            if len(heads) >= 2:
                return merge_fix(graph, tuple(heads), reason=(
                    f"{len(heads)} heads ({', '.join(heads)}). The branch of {fix.revision} is applied on a "
                    f"deployed database ({', '.join(sorted(moved & set(applied), key=natural_key))}), so "
                    "instead of moving it (which would rewrite history that database has run) a merge "
                    "revision joins the heads."))
    if isinstance(fix, Relink) and fix.revision in applied:
        m = graph.by_rel.get(fix.file)
        old = ", ".join(m.down_revision) if m and m.down_revision else "nothing"
        notes.append(f"Revision {fix.revision} is applied on a deployed database; its parent changes from "
                     f"{old} to {', '.join(fix.parents) or 'nothing'}. Such a database assumes the new "
                     "parents are applied too: check them before its next `alembic upgrade`.")
    elif isinstance(fix, KeepDuplicate) and fix.revision in applied:
        for file, new in fix.renamed:
            notes.append(f"If a deployed database applied {Path(file).name} as {fix.revision}:")
            notes.append(stamp_note(fix.revision, new).rstrip())
    elif isinstance(fix, Remove) and fix.revision in applied and len(fix.parents) == 1:
        command, update = stamp_statements(fix.revision, fix.parents[0])
        notes.append(f"Revision {fix.revision} is applied on a deployed database and its file is removed. "
                     f"On each database whose alembic_version holds {fix.revision}, run one of:\n\n"
                     f"    {command}\n    {update}")
    if notes:
        return replace(fix, notes=(*fix.notes, *notes))
    return fix


def _track_renames(changeset, aliases: dict[Path, Path]) -> None:
    """Remember, for each file a planned fix renames, the name git knows it by."""
    for change in changeset.changes:
        if change.new_rel and change.new_rel != change.rel and change.new is not None:
            old = changeset.root / change.rel
            aliases[changeset.root / change.new_rel] = aliases.pop(old, old)


def _analyze_planned(source, overlay: dict[Path, bytes | None], aliases: dict[Path, Path]) -> Analysis:
    analysis = analyze(source, overlay=overlay)
    for sa in analysis.sets:
        sa.graph.path_aliases = dict(aliases)
    return analysis


def _next_fix(analysis: Analysis, given_up: set[tuple]):
    for sa in analysis.sets:
        for problem in sa.problems:
            key = (sa.mset.name, problem.code, problem.files, problem.message)
            if key in given_up:
                continue
            fix = default_fix(problem, sa)
            if fix is None:
                given_up.add(key)
                continue
            return fix, sa, key
    return None


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
