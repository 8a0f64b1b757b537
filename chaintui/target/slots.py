"""Deciding slots: where a dangling, ambiguous, cut or root `down_revision` entry goes."""

from __future__ import annotations

from chaintui.model import Migration
from chaintui.schema import creates, needs
from chaintui.target.model import (
    Decision,
    Target,
    ancestors,
    components,
    descendants,
    first_landed,
)


def own(t: Target, rel: str, key: str, kind: str, m: Migration, why: str) -> None:
    decision = t.decisions.get(key)
    if decision is None:
        codes = {"dangling": ("missing-parent",), "cut": ("cycle",), "root": ("multiple-bases",),
                 "ambiguous": ("duplicate-revision",)}.get(kind, ())
        kinds = {"dangling": "relink", "cut": "break-cycle", "root": "relink"}
        decision = t.decisions[key] = Decision(key, kinds.get(kind, "relink"), m.revision, rel, [], codes)
    if why:
        decision.reasons.append(why)


def extra_roots(t: Target, alive: list[Migration], frozen: set[str], slots) -> None:
    """Roots that nothing joins to the main one (and no branch label sets apart) get a root slot."""
    roots = [m for m in alive if m.is_base and not slots.get(m.rel) and m.rel not in frozen]
    if len(roots) < 2:
        return
    component = components(t.parents)
    main = min(roots, key=lambda r: first_landed(t.order, r))
    seen = {component[main.rel]}
    for m in sorted(roots, key=t.order.pos):
        if component[m.rel] in seen or m.branch_labels or not m.known("branch_labels"):
            continue
        seen.add(component[m.rel])
        slots[m.rel].append((0, "root", ""))


def decide(t: Target, m: Migration, kind: str, named: str, by_id, git):
    """(decision key, chosen file, why, chosen by explicit evidence over the order) for one slot."""
    order, graph = t.order, t.graph
    below = descendants(t.parents, m.rel)
    banned = below | {m.rel} | set(t.removed)
    if kind == "ambiguous":
        members = [f for f in by_id[named] if f.rel not in banned]
        wanted = {table for table, _ in needs(m.ops)}
        makers = [f for f in members if wanted & {table for table, _ in creates(f.ops)}]
        if len(makers) == 1:
            return f"dup:{named}", makers[0], "", False
        landing = order.facts[m.rel].landing
        together = [f for f in members if landing is not None and order.facts[f.rel].landing is not None
                    and order.facts[f.rel].landing.sha == landing.sha]
        if len(together) == 1:  # landed in the same commit: the same pull request
            return f"dup:{named}", together[0], "", False
        # The id meant the copy its author saw last: the one that had landed last when the child
        # landed, or (a pull request merged with a merge commit) when its branch forked (without
        # git: the last before it in the intended order).
        if landing is not None and all(order.facts[f.rel].landing is not None for f in members):
            seen = git.seen_before(landing) if git is not None else landing.seq - 1
            earlier = [f for f in members if order.facts[f.rel].landing.seq <= seen]
            if earlier:
                return f"dup:{named}", max(earlier, key=lambda f: (order.facts[f.rel].landing.seq, order.pos(f))), \
                    "", False
        earlier = [f for f in members if order.before(f, m)]
        chosen = max(earlier, key=order.pos) if earlier else (min(members, key=order.pos) if members else None)
        return f"dup:{named}", chosen, "", False
    key = {"dangling": f"relink:{m.rel}", "cut": f"cycle:{m.rel}", "root": f"root:{m.rel}"}[kind]
    removal = next((k for rel, k in t.removed.items() if graph.by_rel[rel].revision == named), None)
    if kind == "dangling" and removal is not None:
        key = removal
    chosen, why = None, ""
    copy = next((rel for rel in t.twin if graph.by_rel[rel].revision == named), None)
    if kind == "dangling" and copy is not None and t.twin[copy] not in banned:
        kept = graph.by_rel[t.twin[copy]]
        chosen, why = kept, f"the removed {graph.by_rel[copy].name} was a copy of {kept.name}"
    if kind == "dangling" and named and chosen is None:
        chosen, why = _named_by(t, named, banned, git)
    if kind in ("cut", "dangling") and chosen is None and m.header.revises:
        said = [by_id[r][0] for r in m.header.revises if len(by_id.get(r, ())) == 1]
        said = [f for f in said if f.rel not in banned and f.revision not in m.down_revision]
        if len(said) == 1:
            chosen, why = said[0], f"its own header says Revises: {Target.ref(said[0])}"
    creators = [c for c, _ in order.needs_from.get(m.rel, ()) if c not in t.removed]
    stuck = [(c, table) for c, table in t.needs.get(m.rel, ()) if c in below]
    if stuck:
        c, table = stuck[0]
        t.unsatisfiable[m.rel] = (f"{m.name} needs table {table!r}, which only {graph.by_rel[c].name} creates, "
                                  "and that runs after it in the history")
    if chosen is not None and creators and not set(creators) <= (ancestors(t, chosen.rel) | {chosen.rel}) \
            and all(order.before(graph.by_rel[c], m) for c in creators):
        chosen = None  # the explicit hint contradicts the schema: the order (which has it) decides
    explicit = chosen is not None
    if chosen is None:
        chosen = _predecessor(t, m, banned)
        if chosen is not None:
            why = order.explain(chosen, m)
    if chosen is None:
        return key, None, "", False
    what = {"dangling": f"named {named!r}, which no file declares" if named else "had down_revision = \"\"",
            "cut": f"closed a loop by naming {named} ({t.cut_reason.get(m.rel, '')})",
            "root": "was a second root"}[kind]
    return key, chosen, f"{Target.ref(m)} {what}; it now follows {Target.ref(chosen)}: {why}", explicit


def _predecessor(t: Target, m: Migration, banned: set[str]) -> Migration | None:
    """The file right before `m` in the intended order whose history creates the tables `m`
    needs (so the relink keeps the schema order); without such needs, simply the one before."""
    creators = {creator for creator, _ in t.order.needs_from.get(m.rel, ()) if creator not in banned}
    if creators:
        allowed = set.intersection(*(descendants(t.parents, c) | {c} for c in creators))
        for i in range(t.order.pos(m) - 1, -1, -1):
            candidate = t.order.files[i]
            if candidate.rel in allowed and candidate.rel not in banned:
                return candidate
    chosen = t.order.predecessor(m, banned)
    if chosen is None:  # first in the order although not a root: after the earliest root
        roots = [f for f in t.order.files if f.rel not in banned and f.is_base]
        chosen = roots[0] if roots else None
    return chosen


def _named_by(t: Target, named: str, banned: set[str], git):
    """The file a dangling id names explicitly, if exactly one does."""
    graph = t.graph
    alive = [m for m in graph.revisions if m.rel not in banned]
    if git is not None:
        paths = git.renamed_from([named]).get(named, set())
        renamed = [m for m in alive if git.rel(m.path) in paths]
        if len(renamed) == 1:
            return renamed[0], f"git history shows its file declared {named!r} before it was renamed"
    lowered = named.lower()
    exact = [m for m in alive if m.path.stem.lower() == lowered
             or (lowered.startswith(m.revision.lower()) and lowered[len(m.revision):len(m.revision) + 1] in "_-."
                 and len(m.revision) < len(lowered))
             or (len(lowered) >= 4 and m.revision.lower().startswith(lowered))]
    if len(exact) == 1:
        return exact[0], f"{named!r} is its name"
    return None, ""

