"""The auto-plan: the repaired graph (chaintui.target), emitted as fixes, one commit each.

`plan` computes, per migration set, where every file should end up (from the intended order,
chaintui.order) and emits the difference as fix objects in a fixed order: removals, duplicates,
loops, dangling parents and extra roots, heads. Each fix's changeset is computed on top of the
previous ones (nothing is written), and the graph after each is updated by re-scanning only the
files that fix changed, so `plan` shows exactly what `fix` commits and applies cleanly in order.

Only errors are fixed; header syncs and renames of files no fix touches are opt-in (`tidy`).
A plan never makes the schema order worse: if a fix would, the plan stops before it and says
why (`Plan.stopped`), and `chaintui fix` exits non-zero.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from pathlib import Path

from chaintui import tidy as tidying
from chaintui.analysis import Analysis, SetAnalysis, updated_graph
from chaintui.builders import (branch_root, break_cycle_fix, keep_duplicate_fix, linearize_fix,  # noqa: F401
                               merge_fix, relink_fix, remove_fix, renumber_fix, target_for)
from chaintui.db import respect_applied
from chaintui.diagnosis import diagnose
from chaintui.fixes import BreakCycle, Fix, KeepDuplicate, Linearize, Relink, Remove
from chaintui.graph import RevisionGraph
from chaintui.model import Problem
from chaintui.naming import natural_key
from chaintui.preview import preview_warnings

MAX_STEPS = 500
_RANK = {"remove": 0, "keep-duplicate": 1, "break-cycle": 2, "relink": 3, "linearize": 5, "merge-heads": 5}


@dataclass
class Plan:
    """The ordered fixes and what they leave behind."""

    fixes: list[Fix] = field(default_factory=list)
    unresolved: list[Problem] = field(default_factory=list)
    """Problems no planned fix addresses (parse errors, warnings...)."""
    result: Analysis | None = None
    """The analysis after every fix (only the changed files re-scanned)."""
    changesets: list = field(default_factory=list)
    """The edits of each fix, in order, each computed on top of the previous ones."""
    stopped: str | None = None
    """Why the plan stopped before fixing everything (a fix would break the schema order)."""
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Fix.key -> the problem codes it resolves."""

    def to_json(self) -> dict:
        data = {
            "fixes": [f.to_json() for f in self.fixes],
            "unresolved": [p.to_json() for p in self.unresolved],
        }
        if self.stopped:
            data["stopped"] = self.stopped
        return data


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
         declined: frozenset[str] | set[str] = frozenset(), tidy: bool = False, settings=None) -> Plan:
    """Plan the repair of every set of `analysis`; nothing is written.

    `applied`: revisions a deployed database has applied (chaintui.db); `declined`: the `Fix.key`s
    the user skipped (their problems are left to the user); `tidy`: also sync headers and file
    names that disagree with the variables; `renumber`: end with a sequential renumbering.
    """
    from chaintui.settings import load_settings

    settings = settings or load_settings(analysis.project.root)
    result = Plan()
    sets: list[SetAnalysis] = []
    overlay: dict[Path, bytes | None] = {}
    for sa in analysis.sets:
        graph = _plan_set(sa, result, overlay, applied=frozenset(applied), declined=frozenset(declined),
                          settings=settings, max_steps=max_steps)
        if tidy:
            graph = tidying.tidy(graph, result, lambda fix, g, codes: _add(result, fix, g, overlay, codes))
        if renumber and not any(p.is_error for p in diagnose(graph)):
            fix = renumber_fix(graph)
            if fix is not None:
                graph = _add(result, fix, graph, overlay, ("renumber",))
        sets.append(SetAnalysis(graph.mset, graph, diagnose(graph)) if graph is not sa.graph else sa)
    result.result = Analysis(analysis.project, sets)
    result.unresolved = list(result.result.problems)
    return result


def _add(result: Plan, fix: Fix, graph: RevisionGraph, overlay, codes: tuple[str, ...]) -> RevisionGraph:
    changeset = fix.changes(graph, overlay_reader(overlay))
    overlay.update(changeset.overlay())
    result.fixes.append(fix)
    result.changesets.append(changeset)
    result.codes[fix.key] = codes
    return updated_graph(graph, changeset)


def _plan_set(sa: SetAnalysis, result: Plan, overlay, *, applied, declined, settings, max_steps) -> RevisionGraph:
    graph = sa.graph
    if not any(p.is_error for p in sa.problems):
        return graph
    from chaintui.history import GitHistory
    from chaintui.target import derive

    git = GitHistory.for_graph(graph)
    t = derive(graph, sa.problems, git=git, settings=settings, applied=applied)
    # the history's own schema-order warnings: diagnosis already judged them
    baseline = {(p.files[0], p.line) for p in sa.problems if p.code == "schema-order"}
    current = {m.rel: m.rel for m in graph.revisions}  # original rel -> rel now
    unavailable: set[str] = set()
    steps: list[tuple[Fix, object, object, RevisionGraph, dict[str, str]]] = []
    for decision in _ordered(t)[:max_steps]:
        fix = _fix_for(t, decision, graph, current, applied, git)
        if fix is None:
            continue
        blocked = [t.unsatisfiable[rel] for rel, key in t.owner.items() if key == decision.key
                   and rel in t.unsatisfiable]
        if blocked:
            result.stopped = (f"stopped before \"{fix.summary}\": no placement satisfies the schema "
                              f"({blocked[0]}) - decide this one by hand")
            break
        if fix.key in declined or _uses(fix, unavailable):
            unavailable |= _introduced(fix)
            continue
        try:
            changeset = fix.changes(graph, overlay_reader(overlay))
        except Exception:
            unavailable |= _introduced(fix)
            continue
        if not changeset:
            continue
        overlay.update(changeset.overlay())
        steps.append((fix, changeset, decision, graph, dict(current)))
        for change in changeset.changes:
            for orig, now in current.items():
                if now == change.rel:
                    current[orig] = change.target
        graph = updated_graph(graph, changeset)
    # The schema order is judged on the repaired graph, where every ancestry is whole: a warning
    # the history did not have is the plan's doing when a file it placed by explicit evidence
    # (its name, its header) over the intended order is the file warned about or above it.
    worse = _schema_keys(graph, {now: orig for orig, now in current.items()}) - baseline
    culprit = _culprit(t, graph, current, worse, [step[2] for step in steps]) if worse else None
    if culprit is not None:
        index = next(i for i, step in enumerate(steps) if step[2] is culprit)
        fix, _, _, graph, _ = steps[index]
        result.stopped = (f"stopped before \"{fix.summary}\": it would break the schema order "
                          f"({_first_warning(updated_graph(graph, steps[index][1]), worse)}); no placement "
                          "the history allows satisfies the schema - decide this one by hand")
        steps = steps[:index]
        overlay.clear()
        for _, changeset, _, _, _ in steps:
            overlay.update(changeset.overlay())
    for fix, changeset, decision, _, _ in steps:
        result.fixes.append(fix)
        result.changesets.append(changeset)
        result.codes[fix.key] = decision.codes
    return graph


def _ordered(t):
    decisions = list(t.decisions.values())
    for index, spec in enumerate(t.merges):
        from chaintui.target import Decision

        decisions.append(Decision(f"merge:{index}", "merge-heads", "", spec.parents[0], [spec.reason],
                                  ("multiple-heads",), extra={"spec": spec}))
    return sorted(decisions, key=lambda d: (_RANK.get(d.kind, 4), t.order.index.get(d.file, 0), d.key))


def _edits(t, decision) -> list[tuple[str, tuple[str, ...]]]:
    """(file, parent ids) this decision writes.

    A write that names an id only a later decision creates (a file renamed later) moves to that
    decision. A file's last write in the target's own derivation is its final value: a write that
    would be committed after it (another decision, emitted later) is dropped; earlier ones stay,
    so that every intermediate commit is sound."""
    ordered = _ordered(t)
    rank = {d.key: i for i, d in enumerate(ordered)}
    introduced = {t.new_ids[rel]: key for rel, key in t.renamed_by.items()}

    def effective(key: str, parents) -> tuple[str, tuple[str, ...]]:
        ids = tuple(dict.fromkeys(t.id_of(p) for p in parents))
        return max([key, *(introduced[i] for i in ids if i in introduced)], key=lambda k: rank.get(k, -1)), ids

    final = {rel: rank.get(effective(key, t.writes[key][rel])[0], -1)
             for rel, key in t.owner.items() if rel in t.writes.get(key, {})}
    result: dict[str, tuple[str, ...]] = {}
    for key in sorted(t.writes, key=lambda k: rank.get(k, -1)):
        for rel, parents in t.writes[key].items():
            where, ids = effective(key, parents)
            if where != decision.key or rank.get(where, -1) > final.get(rel, rank.get(where, -1)):
                continue
            if rank.get(where, -1) == final.get(rel) and key != t.owner.get(rel) and \
                    tuple(dict.fromkeys(t.id_of(p) for p in t.parents[rel])) != ids:
                continue  # same commit as the final write: the final value wins
            result[rel] = ids
    return sorted(result.items(), key=lambda item: t.order.pos(item[0]))


def _fix_for(t, decision, graph: RevisionGraph, current: dict[str, str], applied, git=None) -> Fix | None:
    """The fix object for one decision, naming files as they are after the previous fixes."""
    def cur(rel: str) -> str:
        return current.get(rel, rel)

    reason = t.render(" ".join(_sentence(r) for r in decision.reasons)) or f"{decision.kind} {decision.revision}"
    relinks = tuple((cur(rel), ids) for rel, ids in _edits(t, decision)
                    if ids != graph.by_rel[cur(rel)].down_revision or rel in t.new_ids)
    name = graph.mset.name
    if decision.kind == "merge-heads":
        spec = decision.extra["spec"]
        heads = tuple(t.id_of(rel) for rel in spec.parents)
        return merge_fix(graph, heads, reason=f"{len(heads)} heads ({', '.join(heads)}); {t.render(spec.reason)}.")
    if decision.kind == "remove":
        m = t.graph.by_rel[decision.file]
        return Remove(revision=m.revision, file=cur(decision.file), set_name=name, parents=m.down_revision,
                      relinks=relinks, reason=reason)
    if decision.kind == "keep-duplicate":
        renamed = tuple((cur(rel), t.new_ids[rel]) for rel in decision.members if rel in t.new_ids)
        renamed_files = {f for f, _ in renamed}
        relinks = relinks + _follow_renames(t, decision, graph, renamed, relinks, cur)
        children = tuple(sorted((cur(c), cur(meant)) for c, meant in decision.children.items() if meant))
        fix = KeepDuplicate(revision=decision.revision, file=cur(decision.file), set_name=name,
                            keep=cur(decision.file), renamed=renamed, children=children,
                            relinks=tuple(r for r in relinks if r[0] in renamed_files or r[1] !=
                                          graph.by_rel[r[0]].down_revision),
                            reason=reason)
        return respect_applied(fix, graph, applied)
    if not relinks:
        return None
    (file, parents), rest = relinks[0], relinks[1:]
    primary = next((r for r in relinks if r[0] == cur(decision.file)), None)
    if primary is not None:
        file, parents = primary
        rest = tuple(r for r in relinks if r is not primary)
    kind = {"break-cycle": BreakCycle, "linearize": Linearize}.get(decision.kind, Relink)
    fix = relink_fix(graph, file, parents, kind=kind, relinks=rest, reason=reason,
                     alternatives=_alternatives(graph, file, decision, _planned(t, decision, parents), git))
    return respect_applied(fix, graph, applied)


def _sentence(text: str) -> str:
    """`text` ending like a sentence, so that several reasons read as one paragraph."""
    text = text.rstrip()
    return text if not text or text[-1] in ".!?" else text + "."


def _follow_renames(t, decision, graph, renamed, relinks, cur) -> tuple:
    """Files still naming a renamed file's old id (unique before the rename) follow the new id in
    the same commit, so no intermediate commit leaves a dangling parent."""
    done = {f for f, _ in relinks}
    extra = []
    for file, new in renamed:
        old = graph.by_rel[file].revision
        if len(graph.by_id.get(old, ())) != 1:
            continue
        for child in graph.children_of(old):
            if child.rel not in done and child.rel != file:
                extra.append((child.rel, tuple(new if p == old else p for p in child.down_revision)))
                done.add(child.rel)
    return tuple(extra)


def _planned(t, decision, parents: tuple[str, ...]) -> tuple[str, str] | None:
    """(parent id, evidence) of a relink decision, for the ranking of its alternatives."""
    if not parents or decision.file not in t.chosen:
        return None
    return parents[0], t.render(t.chosen[decision.file][1])


def _alternatives(graph: RevisionGraph, file: str, decision, planned=None, git=None):
    if decision.kind not in ("relink", "break-cycle"):
        return ()
    from chaintui import suggest

    m = graph.by_rel.get(file)
    if m is None:
        return ()
    dangling = next((p for p in m.down_revision if p not in graph.by_id), None)
    try:
        return tuple(suggest.rank_parents(graph, m, dangling=dangling, limit=5, planned=planned, git=git))
    except Exception:
        return ()


def _introduced(fix: Fix) -> set[str]:
    ids = {new for _, new in getattr(fix, "renamed", ())}
    if fix.kind == "merge-heads":
        ids.add(fix.revision)
    return ids


def _uses(fix: Fix, unavailable: set[str]) -> bool:
    named = {p for _, parents in fix.relinks for p in parents} | set(getattr(fix, "parents", ()))
    return bool(named & unavailable)


def _schema_keys(graph: RevisionGraph, back: dict[str, str]) -> set[tuple[str, int | None]]:
    from chaintui.schema import schema_problems

    return {(back.get(p.files[0], p.files[0]), p.line) for p in schema_problems(graph)}


def _culprit(t, graph: RevisionGraph, current: dict[str, str], worse, decisions):
    """The first decision (in commit order) that placed, by explicit evidence, a file a new
    schema-order warning is about, or one of its ancestors; None when the warnings were hidden
    by the broken chain before (not the plan's doing)."""
    back = {now: orig for orig, now in current.items()}
    suspects = set()
    for rel, _ in worse:
        m = graph.by_rel.get(current.get(rel, rel))
        if m is None:
            continue
        above = {back.get(graph.by_id[r][0].rel, graph.by_id[r][0].rel) for r in graph.ancestors(m.revision)
                 if r in graph.by_id}
        suspects |= ({rel} | above) & t.evidence
    if not suspects:
        return None
    owners = {t.owner.get(rel) for rel in suspects}
    return next((d for d in decisions if d.key in owners), None)


def _first_warning(graph: RevisionGraph, worse) -> str:
    from chaintui.schema import schema_problems

    for p in schema_problems(graph):
        if any(p.line == line for _, line in worse):
            return p.message
    return "a table would be used before it is created"




# --------------------------------------------------------------------------------------------
# for the TUI: the planned answer to one problem, and what to warn about before a commit

_PLANS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def default_fix(problem: Problem, sa: SetAnalysis) -> Fix | None:
    """The planner's fix for one problem (from the whole plan of the set), or None when it needs
    a person (a parse error) or the plan leaves it."""
    if sa.graph not in _PLANS:
        single = Plan()
        _plan_set(sa, single, {}, applied=frozenset(), declined=frozenset(),
                  settings=_settings(sa), max_steps=MAX_STEPS)
        _PLANS[sa.graph] = single
    planned = _PLANS[sa.graph]
    for fix in planned.fixes:
        codes = planned.codes.get(fix.key, ())
        files = {fix.file, *(f for f, _ in fix.relinks), *(f for f, _ in getattr(fix, "renamed", ()))}
        if problem.code in codes and (fix.revision in problem.revisions or files & set(problem.files)):
            return fix
    return None


def _settings(sa: SetAnalysis):
    from chaintui.settings import load_settings

    return load_settings(sa.mset.root)


__all__ = ["Plan", "plan", "default_fix", "preview_warnings", "overlay_reader", "respect_applied",
           "relink_fix", "keep_duplicate_fix", "remove_fix", "merge_fix", "linearize_fix",
           "break_cycle_fix", "renumber_fix", "branch_root", "natural_key", "target_for"]
