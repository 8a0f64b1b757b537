"""The derivation itself (see chaintui.target): removals, slots, order, decisions, heads, ids."""

from __future__ import annotations

from collections import defaultdict

from chaintui import policy as heads_policy
from chaintui.copies import stale_copies
from chaintui.graph import RevisionGraph
from chaintui.history import GitHistory
from chaintui.model import Migration, Problem
from chaintui.order import IntendedOrder, facts_of, intended_order, schema_constraints
from chaintui.schema import creates, needs
from chaintui.settings import DEFAULT, Settings
from chaintui.target.duplicates import rename_duplicates
from chaintui.target.heads import resolve_heads
from chaintui.target.loops import cut_loops
from chaintui.target.model import Decision, Target, components, first_landed
from chaintui.target.slots import decide, extra_roots, own


def derive(graph: RevisionGraph, problems: list[Problem], *, git: GitHistory | None,
           settings: Settings = DEFAULT, applied: frozenset[str] = frozenset()) -> Target:
    nodes = [m for m in graph.revisions]
    facts = {m.rel: facts_of(m, git) for m in nodes}
    suspects = {f for p in problems if p.is_error for f in p.files}
    prelim = intended_order(nodes, {}, git, schema=False, facts=facts)
    removed: dict[str, tuple[str, str, tuple[str, ...]]] = {}  # rel -> (key, reason, codes)
    twins = stale_copies(nodes, suspects, lambda m: (prelim.pos(m),))
    for rel, kept in twins.items():
        removed[rel] = (f"remove:{rel}", f"its body is byte for byte {graph.by_rel[kept].name}'s: a stale "
                                         "copy (running it again would repeat the same DDL)",
                        ("duplicate-revision",))
    for m, main in redundant_roots([m for m in nodes if m.rel not in removed], prelim):
        removed[m.rel] = (f"remove:{m.rel}", f"{m.name} is a second root that only re-creates tables "
                                             f"{main.name}'s history already creates "
                                             f"({', '.join(sorted(t for t, _ in creates(m.ops))[:4])})",
                          ("multiple-bases",))
    alive = [m for m in nodes if m.rel not in removed]
    by_id: dict[str, list[Migration]] = defaultdict(list)
    for m in alive:
        by_id[m.revision].append(m)

    # --- slots -----------------------------------------------------------------------------
    valid: dict[str, list[str]] = {m.rel: [] for m in alive}
    slots: dict[str, list[tuple[int, str, str]]] = defaultdict(list)  # rel -> (index, kind, named)
    frozen = {m.rel for m in alive if m.error or not m.known("down_revision")}
    for m in alive:
        for index, p in enumerate(m.down_revision):
            files = by_id.get(p, [])
            if m.rel in frozen:
                valid[m.rel] += [f.rel for f in files]
            elif len(files) == 1:
                valid[m.rel].append(files[0].rel)
            elif files:
                slots[m.rel].append((index, "ambiguous", p))
            else:
                slots[m.rel].append((index, "dangling", p))
    cut_reasons: dict[str, str] = {}
    cut_loops(alive, valid, slots, frozen, git, prelim, cut_reasons)
    # A file with a slot is no root: whatever the signals say, it comes after the main root.
    roots = [m for m in alive if m.is_base and not slots.get(m.rel)]
    main = min(roots, key=lambda r: first_landed(prelim, r), default=None)
    constraints = {rel: ps + ([main.rel] if slots.get(rel) and main is not None and rel != main.rel else [])
                   for rel, ps in valid.items()}
    depends = {m.rel: [by_id[d][0].rel for d in m.depends_on if len(by_id.get(d, ())) == 1] for m in alive}
    for rel, extra in depends.items():  # depends_on: "run after these", whichever branch they are on
        constraints[rel] += extra
    needs = schema_constraints(alive)
    order = intended_order(alive, constraints, git, facts=facts, needs=needs)
    t = Target(graph, order, {m.rel: list(valid[m.rel]) for m in alive})
    t.valid_edges = {(child, parent) for child, parents in valid.items() for parent in parents}
    for child, creator, table in needs:
        t.needs.setdefault(child, []).append((creator, table))
    t.cut_reason = cut_reasons
    t.twin = twins
    for rel, (key, why, codes) in removed.items():
        t.removed[rel] = key
        m = graph.by_rel[rel]
        t.decisions[key] = Decision(key, "remove", m.revision, rel, [why], codes)
    extra_roots(t, alive, frozen, slots)

    # --- decide slots, in the intended order ---------------------------------------------
    for m in order.files:
        for index, kind, named in sorted(slots.get(m.rel, ())):
            key, chosen, why, explicit = decide(t, m, kind, named, by_id, git)
            if chosen is None and kind == "dangling" and not named and len(m.down_revision) == 1:
                # `down_revision = ""` on the first migration: alembic looks for a revision named
                # "" (KeyError); the file is the base, as None says.
                why = (f"{Target.ref(m)} had down_revision = \"\", which alembic reads as a revision named \"\"; "
                       "nothing comes before it, so it is the base (down_revision = None)")
                own(t, m.rel, key, kind, m, why)
                t.set_parents(m.rel, [], key)
                t.why[m.rel] = why
                continue
            if chosen is None:
                t.unplaced.append(m.rel)
                continue
            parents = list(t.parents[m.rel])
            parents.insert(min(index, len(parents)), chosen.rel)
            own(t, m.rel, key, kind, m, why)
            t.set_parents(m.rel, parents, key)
            if explicit:
                t.evidence.add(m.rel)
            t.why[m.rel] = why
            t.chosen[m.rel] = (chosen.rel, why)
    t.order = intended_order(alive, {rel: ps + depends.get(rel, []) for rel, ps in t.parents.items()},
                             git, facts=facts, needs=needs)
    t.groups = {rev: files for rev, files in by_id.items() if len(files) > 1}
    t.policy, t.policy_reason = heads_policy.decide(t, settings, applied)
    placed = {rel: list(ps) for rel, ps in t.parents.items()}
    resolve_heads(t, frozen, _applied_rels(graph, applied))
    if t.parents != placed:  # the same parents give the same order: sort again only on a change
        t.order = intended_order(alive, {rel: ps + depends.get(rel, []) for rel, ps in t.parents.items()},
                                 git, facts=facts, needs=needs)
    rename_duplicates(t, settings)
    return t


def _applied_rels(graph: RevisionGraph, applied: frozenset[str]) -> set[str]:
    if not applied:
        return set()
    from chaintui.db import applied_closure

    done = applied_closure(graph, applied)
    return {m.rel for m in graph.revisions if m.revision in done}


def redundant_roots(alive: list[Migration], prelim: IntendedOrder):
    """(extra root, the root whose history it repeats) for each root that only creates tables the
    rest of the history already has (creates, or alters where its creator cannot be read): a
    second "initial schema". Of two that repeat each other the one that landed later goes."""
    roots = [m for m in alive if m.is_base and not m.branch_labels and m.known("branch_labels")]
    if len(roots) < 2:
        return []
    by_id: dict[str, list[str]] = defaultdict(list)
    for m in alive:
        by_id[m.revision].append(m.rel)
    # Only unambiguous edges join: a child naming an id two files declare joins neither.
    loose = {m.rel: [by_id[p][0] for p in m.down_revision if len(by_id.get(p, ())) == 1] for m in alive}
    component = components(loose)
    made: dict[int, set[str]] = defaultdict(set)
    used: dict[int, set[str]] = defaultdict(set)
    unreadable: set[int] = set()
    for m in alive:
        made[component[m.rel]].update(table for table, _ in creates(m.ops))
        used[component[m.rel]].update(table for table, _ in needs(m.ops))
        if m.error:
            unreadable.add(component[m.rel])
    result = []
    for m in sorted(roots, key=lambda r: first_landed(prelim, r), reverse=True):
        if any(m is gone for gone, _ in result):
            continue
        mine = {table for table, _ in creates(m.ops)}
        parts = [part for part in made if part != component[m.rel]]
        elsewhere = set().union(*(made[part] for part in parts))
        # A table only an unreadable file (a syntax error) can have created counts when the rest
        # of the history uses it.
        hidden = set().union(*(used[part] for part in parts if part in unreadable)) - elsewhere
        others = [r for r in roots if component[r.rel] != component[m.rel]
                  and not any(r is gone for gone, _ in result)]
        if mine and others and mine & elsewhere and mine <= elsewhere | hidden:
            result.append((m, min(others, key=lambda r: first_landed(prelim, r))))
            # What the removed root created no longer counts for the roots judged after it.
            part = component[m.rel]
            made[part] = {table for f in alive if component[f.rel] == part and f is not m
                          for table, _ in creates(f.ops)}
    return result

