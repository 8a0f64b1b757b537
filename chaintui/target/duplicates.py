"""Files sharing an id: which keeps it, and the ids in the project's style the others get."""

from __future__ import annotations

from chaintui.model import Migration
from chaintui.naming import derived_hex_id, detect_style, suffixed_id
from chaintui.settings import Settings
from chaintui.target.model import Decision, Target


def rename_duplicates(t: Target, settings: Settings) -> None:
    """Every file but one of each shared id gets an id in the project's style.

    Which file each child meant was decided with the slots, and where each copy goes with the
    heads; here only the ids. In a numbered project the first in the final order keeps the
    number and the others get letters after it (`017`, `017a`), so numbers keep telling the
    order; in a hex project the id stays with the file later migrations build on (its children
    need no edit).
    """
    graph = t.graph
    style = settings.id_style or detect_style(graph.by_id)[0]
    taken = set(graph.by_id)
    for rev, members in sorted(t.groups.items(), key=lambda g: min(t.order.pos(m) for m in g[1])):
        members = sorted(members, key=t.order.pos)
        key = f"dup:{rev}"
        decision = t.decisions.get(key) or Decision(key, "keep-duplicate", rev, members[0].rel, [],
                                                    ("duplicate-revision",))
        t.decisions[key] = decision
        decision.kind, decision.revision = "keep-duplicate", rev
        kept = members[0] if style == "numbered" else _kept(t, members)
        decision.file = kept.rel
        decision.members = [kept.rel] + [m.rel for m in members if m is not kept]
        for child, parents in t.writes.get(key, {}).items():
            if child not in decision.members:
                decision.children[child] = next((p for p in parents if p in decision.members), "")
        for m in members:
            if m is kept:
                continue
            parent = t.parents[m.rel][0] if t.parents[m.rel] else None
            after = t.id_of(parent) if parent else None
            new = (suffixed_id(m.revision, taken, after) if style == "numbered" else None) or \
                derived_hex_id(f"{m.rel}\0{m.revision}", taken)
            t.new_ids[m.rel] = new
            t.renamed_by[m.rel] = key
            taken.add(new)
            t.owner.setdefault(m.rel, key)
            t.writes[key].setdefault(m.rel, list(t.parents[m.rel]))
        names = ", ".join(graph.by_rel[r].name for r in decision.members)
        decision.reasons.insert(0, f"{len(members)} files declare revision {rev!r} ({names}); "
                                   f"{kept.name} keeps it: {_why_kept(t, kept, members, style)}. The others "
                                   "get ids in the project's style and stay where the intended order puts them.")


def _kept(t: Target, members: list[Migration]) -> Migration:
    """The file later migrations build on (most children name it), else the first in order."""
    children = {m.rel: 0 for m in members}
    for rel, parents in t.parents.items():
        for p in parents:
            if p in children and rel not in children:
                children[p] += 1
    return max(members, key=lambda m: (children[m.rel], -t.order.pos(m)))


def _why_kept(t: Target, kept: Migration, members: list[Migration], style: str) -> str:
    others = [m for m in members if m is not kept]
    if style != "numbered":
        built = [rel for rel, ps in t.parents.items() if kept.rel in ps and rel not in {m.rel for m in members}]
        if built:
            return f"later migrations build on it ({', '.join(t.graph.by_rel[r].name for r in built[:2])})"
    if not others:
        return "the only one"
    return f"it comes first in the intended order ({t.order.explain(kept, others[0])})"

