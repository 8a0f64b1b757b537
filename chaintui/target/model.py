"""What the derivation produces: decisions, merge specs and the target graph, with the small
graph helpers every step shares."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from chaintui.graph import RevisionGraph
from chaintui.model import Migration
from chaintui.order import IntendedOrder


@dataclass
class Decision:
    """One decision, one commit: which files it sets and why."""

    key: str
    kind: str
    """remove, keep-duplicate, relink, break-cycle, linearize, merge-heads."""
    revision: str
    file: str
    reasons: list[str] = field(default_factory=list)
    codes: tuple[str, ...] = ()
    """The problem codes it resolves."""
    members: list[str] = field(default_factory=list)
    """keep-duplicate: the files sharing the id (kept first)."""
    children: dict[str, str] = field(default_factory=dict)
    """keep-duplicate: child rel -> the file it meant."""
    extra: dict = field(default_factory=dict)


@dataclass
class MergeSpec:
    parents: list[str]
    """Rels of the heads, in the intended order."""
    reason: str


@dataclass
class Target:
    graph: RevisionGraph
    order: IntendedOrder
    parents: dict[str, list[str]]
    """Every kept file -> its parents (rels), final."""
    removed: dict[str, str] = field(default_factory=dict)
    """rel -> decision key."""
    new_ids: dict[str, str] = field(default_factory=dict)
    renamed_by: dict[str, str] = field(default_factory=dict)
    """rel -> key of the decision that gives it its new id."""
    owner: dict[str, str] = field(default_factory=dict)
    """rel -> key of the last decision that sets its parents/id."""
    writes: dict[str, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(dict))
    """decision key -> {rel: parents} it writes, in decision order: a file may be written by
    several decisions (a child of a duplicated id first follows the renamed copy it meant, then
    the chain of its own duplicated number), so every intermediate commit is a sound state and
    re-planning after any commit gives the rest of the same plan."""
    decisions: dict[str, Decision] = field(default_factory=dict)
    merges: list[MergeSpec] = field(default_factory=list)
    policy: str = "linearize"
    policy_reason: str = ""
    why: dict[str, str] = field(default_factory=dict)
    """rel -> the evidence for its new place (with ref() placeholders)."""
    cut_reason: dict[str, str] = field(default_factory=dict)
    """rel -> why its edge was the one of its loop to cut."""
    twin: dict[str, str] = field(default_factory=dict)
    """rel of a removed stale copy -> rel of the copy kept."""
    chosen: dict[str, tuple[str, str]] = field(default_factory=dict)
    """rel -> (parent rel, evidence) decided for its slot: the planned relink of that file
    (heads may later move it further: that is a separate fix)."""
    valid_edges: set[tuple[str, str]] = field(default_factory=set)
    """(child, parent) edges the history itself has (not the plan's decisions): kept by heads."""
    needs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """rel -> (creator rel, table) for each table it needs that one file creates."""
    unsatisfiable: dict[str, str] = field(default_factory=dict)
    """rel -> why no placement satisfies its schema needs (a creator of a table it needs runs
    after it whatever is done): the plan stops before deciding it."""
    evidence: set[str] = field(default_factory=set)
    """Files placed by explicit evidence (their name, their header, git) over the intended order:
    the placements a schema check of the result can blame."""
    groups: dict[str, list[Migration]] = field(default_factory=dict)
    """Ids several kept files declare -> those files."""
    unplaced: list[str] = field(default_factory=list)
    """Files the target could not place (nothing before them): left for a person."""

    def set_parents(self, rel: str, parents: list[str], key: str) -> None:
        self.parents[rel] = list(dict.fromkeys(parents))
        self.owner[rel] = key
        self.writes[key][rel] = list(self.parents[rel])

    def id_of(self, rel: str) -> str:
        return self.new_ids.get(rel) or self.graph.by_rel[rel].revision

    @staticmethod
    def ref(m: Migration) -> str:
        """A placeholder for `m`'s final id in a reason (ids are decided after reasons)."""
        return f"\0{m.rel}\0"

    def render(self, text: str) -> str:
        """`text` with every ref() replaced by the final id."""
        if "\0" not in text:
            return text
        parts = text.split("\0")
        return "".join(self.id_of(part) if i % 2 and part in self.graph.by_rel else part
                       for i, part in enumerate(parts))

    def parent_ids(self, rel: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.id_of(p) for p in self.parents[rel]))


def descendants(parents: dict[str, list[str]], rel: str) -> set[str]:
    children: dict[str, list[str]] = defaultdict(list)
    for child, ps in parents.items():
        for p in ps:
            children[p].append(child)
    seen: set[str] = set()
    stack = [rel]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def ancestors(t: Target, rel: str) -> set[str]:
    seen: set[str] = {rel}
    stack = [rel]
    while stack:
        for p in t.parents.get(stack.pop(), ()):
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


def first_landed(order: IntendedOrder, m: Migration | str) -> tuple:
    """Sort key: landing position (uncommitted files last), then place in `order`."""
    f = order.facts[m if isinstance(m, str) else m.rel]
    return (f.landing.seq if f.landing is not None else float("inf"), order.pos(m))


class Joined:
    """Union-find over rels: which files the edges joined so far tie together."""

    def __init__(self, rels) -> None:
        self.owner = {rel: rel for rel in rels}

    def find(self, x: str) -> str:
        owner = self.owner
        while owner[x] != x:
            owner[x] = owner[owner[x]]
            x = owner[x]
        return x

    def join(self, a: str, b: str) -> None:
        a, b = self.find(a), self.find(b)
        if a != b:
            self.owner[a] = b


def components(parents: dict[str, list[str]]) -> dict[str, int]:
    """Weakly connected components (roots a merge revision joins share one)."""
    joined = Joined(parents)
    for rel, ps in parents.items():
        for p in ps:
            if p in joined.owner:
                joined.join(rel, p)
    names: dict[str, int] = {}
    return {rel: names.setdefault(joined.find(rel), len(names)) for rel in parents}
