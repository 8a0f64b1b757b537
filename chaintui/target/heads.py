"""Several heads on one branch: merged (a merge revision) or linearized in landing order."""

from __future__ import annotations

from collections import defaultdict

from chaintui.model import Migration
from chaintui.target.model import Decision, Joined, MergeSpec, Target, ancestors, first_landed


def heads_of(t: Target) -> list[list[str]]:
    """Heads (rels) of the target, grouped by branch label."""
    has_child = {p for ps in t.parents.values() for p in ps}
    heads = [rel for rel in t.parents if rel not in has_child]
    groups: dict[frozenset, list[str]] = defaultdict(list)
    for h in sorted(heads, key=t.order.pos):
        label = frozenset(name for x in ancestors(t, h) for name in t.graph.by_rel[x].branch_labels)
        groups[label].append(h)
    return [g for g in groups.values()]


def resolve_heads(t: Target, frozen: set[str], applied: set[str] = frozenset()) -> None:
    """Merge the heads of each branch, or linearize them.

    Linearizing keeps every edge the history itself has and moves only the first revision of
    each branch that goes after another: the files not common to all heads fall into blocks
    joined by the history's own edges (at a fork, the child that landed first keeps its edge;
    edges the plan itself decided may be cut again), and the blocks are chained in the order
    they landed - a pull request that landed later goes after the other's head, as a unit, also
    when the other went on after it was merged. What a deployed database has run (--db) goes
    first.
    """
    if t.policy == "merge":
        for group in heads_of(t):
            if len(group) > 1:
                t.merges.append(MergeSpec(group, t.policy_reason))
        return
    key = "heads"
    decision = Decision(key, "linearize", "", "", [t.policy_reason], ("multiple-heads",))
    copies = {m.rel: rev for rev, files in t.groups.items() for m in files}
    for group in heads_of(t):
        if len(group) < 2:
            continue
        lines = [ancestors(t, h) for h in group]
        common = set.intersection(*lines)
        blocks = _blocks(t, set.union(*lines) - common, applied)
        for before_block, block in zip(blocks, blocks[1:]):
            tail = _tail(t, before_block)
            for rel in sorted((r for r in block if not _kept_parents(t, r, block)), key=t.order.pos):
                if rel in frozen:
                    continue
                parents = t.parents[rel]
                new = [tail] + [p for p in parents if p in block]
                if new == parents:
                    continue  # already there (a slot decided it so)
                m, before = t.graph.by_rel[rel], t.graph.by_rel[tail]
                why = _why_after(t, before, m, applied)
                t.why[rel] = why
                # A copy of a duplicated id placed after the others belongs to that decision, and so
                # does a file moved from one copy onto the next (032 from 031 onto 031a).
                siblings = {x.rel for x in t.groups[copies[tail]]} if tail in copies else set()
                owner = (f"dup:{copies[rel]}" if rel in copies else
                         f"dup:{copies[tail]}" if set(parents) & siblings else key)
                target = decision if owner == key else t.decisions.setdefault(
                    owner, Decision(owner, "keep-duplicate", owner[4:], rel, [], ("duplicate-revision",)))
                target.reasons.append(f"{Target.ref(m)} now follows {Target.ref(before)}: {why}")
                if owner == key and not decision.file:
                    decision.revision, decision.file = m.revision, rel
                t.set_parents(rel, new, owner)
    if decision.file:
        t.decisions[key] = decision


def _kept_parents(t: Target, rel: str, block: set[str]) -> list[str]:
    return [p for p in t.parents[rel] if p in block and (rel, p) in t.valid_edges]


def _blocks(t: Target, region: set[str], applied: set[str]) -> list[set[str]]:
    """`region` cut into blocks joined by the history's own edges (one kept child per fork, the
    one that landed first; a merge revision keeps all its edges), in the order they landed.

    A pull request merged after other work landed past its parent is a block of its own even
    when nothing else builds on that parent: its author never saw that work, and it goes after
    it in landing order (a commit made on the branch itself saw it, and keeps its edge)."""
    children: dict[str, list[str]] = defaultdict(list)
    for rel in region:
        for p in t.parents[rel]:
            if p in region and (rel, p) in t.valid_edges:
                children[p].append(rel)
    joined = Joined(region)
    for parent, kids in children.items():
        first = min(kids, key=lambda rel: first_landed(t.order, rel))
        for kid in kids:
            if (kid == first and not _landed_past(t, kid, parent, region)) \
                    or len(_kept_parents(t, kid, region)) > 1:
                joined.join(kid, parent)
    groups: dict[str, set[str]] = defaultdict(set)
    for rel in region:
        groups[joined.find(rel)].add(rel)
    return sorted(groups.values(), key=lambda block: (not block & applied,
                                                       min(first_landed(t.order, rel) for rel in block)))


def _landed_past(t: Target, kid: str, parent: str, region: set[str]) -> bool:
    """`kid` landed with a merge commit, and other files of `region` landed between its parent
    and it."""
    mine, theirs = t.order.facts[kid].landing, t.order.facts[parent].landing
    if mine is None or theirs is None or not mine.merged or mine.sha == theirs.sha:
        return False
    between = theirs.seq < mine.seq
    return between and any(theirs.seq < f.landing.seq < mine.seq for rel in region
                           if (f := t.order.facts[rel]).landing is not None)


def _tail(t: Target, block: set[str]) -> str:
    """The block's last file: the one no file of the block builds on (the latest landed)."""
    used = {p for rel in block for p in t.parents[rel] if p in block}
    return max((rel for rel in block if rel not in used), key=lambda rel: first_landed(t.order, rel))


def _why_after(t: Target, before: Migration, m: Migration, applied: set[str]) -> str:
    if before.rel in applied and m.rel not in applied:
        return f"{before.name} is applied on the database (--db), {m.name} is not"
    anchor_copy = m.rel in {x.rel for files in t.groups.values() for x in files}
    if anchor_copy and t.order.numbered and m.revision == before.revision:
        return f"{m.name} shares {before.name}'s number and stays at that position"
    return t.order.explain(before, m)

