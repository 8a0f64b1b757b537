"""The repaired graph the planner aims for, derived from the intended order (chaintui.order).

The planner does not fix problem after problem; it computes where every file should end up
and then emits the difference as fixes. The derivation, for one migration set:

1. **Removals.** Stale copies (chaintui.copies) and extra roots that only re-create the main
   line's tables are removed.
2. **Slots.** Every `down_revision` entry of every file is either a valid edge (it names one
   file), or a slot to decide: *dangling* (names nothing), *ambiguous* (names an id several
   files declare), *cut* (the edge of a loop edited last, git blame; without git, the one
   pointing forward in the order) or *root* (an extra root that nothing joins to the main one).
3. **Order.** The intended order of all files under the valid edges.
4. **Decide slots.** A dangling slot takes what names it explicitly (git shows the id was
   renamed to that file; the id is that file's name), else the file right before it in the
   intended order. A cut slot takes its own `Revises:` header when that names a revision
   outside the loop, else the file before it. An ambiguous slot takes the copy it meant: the
   one whose tables it needs, else the newest one before it in the order. An extra root
   follows the file before it.
5. **Duplicates.** Files sharing an id (or a number, when they fork) stay at their position:
   siblings are chained in the intended order, later work follows the last of them, and every
   file but the one later migrations build on gets an id in the project's style (`017a`).
6. **Heads.** Several heads left on one branch are merged (a merge revision) or linearized
   (the files that are not common to all heads are re-chained in the intended order, cutting
   as few edges as possible: a later-landed branch goes after the other) as the team does
   (chaintui.policy).

Each change is owned by one decision; chaintui.planner turns decisions into fix objects, one
commit each.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from chaintui import policy as heads_policy
from chaintui.copies import stale_copies
from chaintui.graph import RevisionGraph
from chaintui.history import GitHistory
from chaintui.model import Migration, Problem
from chaintui.naming import derived_hex_id, detect_style, suffixed_id
from chaintui.order import IntendedOrder, facts_of, intended_order, schema_constraints
from chaintui.schema import creates, needs
from chaintui.settings import DEFAULT, Settings


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
    for m, main in _redundant_roots([m for m in nodes if m.rel not in removed], prelim):
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
    _cut_loops(alive, valid, slots, frozen, git, prelim, cut_reasons)
    # A file with a slot is no root: whatever the signals say, it comes after the main root.
    roots = [m for m in alive if m.is_base and not slots.get(m.rel)]
    main = min(roots, key=lambda r: _first_landed(prelim, r), default=None)
    constraints = {rel: ps + ([main.rel] if slots.get(rel) and main is not None and rel != main.rel else [])
                   for rel, ps in valid.items()}
    depends = {m.rel: [by_id[d][0].rel for d in m.depends_on if len(by_id.get(d, ())) == 1] for m in alive}
    for rel, extra in depends.items():  # depends_on: "run after these", whichever branch they are on
        constraints[rel] += extra
    order = intended_order(alive, constraints, git, facts=facts)
    t = Target(graph, order, {m.rel: list(valid[m.rel]) for m in alive})
    t.valid_edges = {(child, parent) for child, parents in valid.items() for parent in parents}
    for child, creator, table in schema_constraints(alive):
        t.needs.setdefault(child, []).append((creator, table))
    t.cut_reason = cut_reasons
    t.twin = twins
    for rel, (key, why, codes) in removed.items():
        t.removed[rel] = key
        m = graph.by_rel[rel]
        t.decisions[key] = Decision(key, "remove", m.revision, rel, [why], codes)
    _extra_roots(t, alive, frozen, slots)

    # --- decide slots, in the intended order ---------------------------------------------
    for m in order.files:
        for index, kind, named in sorted(slots.get(m.rel, ())):
            key, chosen, why, explicit = _decide(t, m, kind, named, by_id, git)
            if chosen is None:
                t.unplaced.append(m.rel)
                continue
            parents = list(t.parents[m.rel])
            parents.insert(min(index, len(parents)), chosen.rel)
            _own(t, m.rel, key, kind, m, why)
            t.set_parents(m.rel, parents, key)
            if explicit:
                t.evidence.add(m.rel)
            t.why[m.rel] = why
            t.chosen[m.rel] = (chosen.rel, why)
    t.order = intended_order(alive, {rel: ps + depends.get(rel, []) for rel, ps in t.parents.items()},
                             git, facts=facts)
    t.groups = {rev: files for rev, files in by_id.items() if len(files) > 1}
    t.policy, t.policy_reason = heads_policy.decide(t, settings, applied)
    _resolve_heads(t, frozen, _applied_rels(graph, applied))
    t.order = intended_order(alive, {rel: ps + depends.get(rel, []) for rel, ps in t.parents.items()},
                             git, facts=facts)
    _rename_duplicates(t, settings)
    return t


def _applied_rels(graph: RevisionGraph, applied: frozenset[str]) -> set[str]:
    if not applied:
        return set()
    from chaintui.db import applied_closure

    done = applied_closure(graph, applied)
    return {m.rel for m in graph.revisions if m.revision in done}


def _redundant_roots(alive: list[Migration], prelim: IntendedOrder):
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
    component = _components(loose)
    made: dict[int, set[str]] = defaultdict(set)
    used: dict[int, set[str]] = defaultdict(set)
    unreadable: set[int] = set()
    for m in alive:
        made[component[m.rel]].update(table for table, _ in creates(m.ops))
        used[component[m.rel]].update(table for table, _ in needs(m.ops))
        if m.error:
            unreadable.add(component[m.rel])
    result = []
    for m in sorted(roots, key=lambda r: _first_landed(prelim, r), reverse=True):
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
            result.append((m, min(others, key=lambda r: _first_landed(prelim, r))))
    return result


def _first_landed(order: IntendedOrder, m: Migration) -> tuple:
    f = order.facts[m.rel]
    return (f.landing.seq if f.landing is not None else float("inf"), order.pos(m))


# -------------------------------------------------------------------------------- slots


def _own(t: Target, rel: str, key: str, kind: str, m: Migration, why: str) -> None:
    decision = t.decisions.get(key)
    if decision is None:
        codes = {"dangling": ("missing-parent",), "cut": ("cycle",), "root": ("multiple-bases",),
                 "ambiguous": ("duplicate-revision",)}.get(kind, ())
        kinds = {"dangling": "relink", "cut": "break-cycle", "root": "relink"}
        decision = t.decisions[key] = Decision(key, kinds.get(kind, "relink"), m.revision, rel, [], codes)
    if why:
        decision.reasons.append(why)


def _cut_loops(alive, valid, slots, frozen, git, prelim: IntendedOrder, reasons: dict[str, str]) -> None:
    """Turn the edge of each loop that was edited last into a cut slot.

    A loop may run through an id two files declare (an ambiguous slot): such a slot counts as an
    edge to each of them, and is the edge cut when it is the one to cut.
    """
    by_rel = {m.rel: m for m in alive}
    by_id: dict[str, list[str]] = defaultdict(list)
    for m in alive:
        by_id[m.revision].append(m.rel)
    edited: dict[str, int | None] = {}
    for _ in range(len(alive)):
        loose = {rel: list(ps) for rel, ps in valid.items()}
        for rel, entries in slots.items():
            loose[rel] += [p for _, kind, named in entries if kind == "ambiguous" for p in by_id[named]]
        components = _loops(loose)
        if not components:
            return
        for component in components:
            members = set(component)
            edges = [(c, p) for c in component for p in loose[c] if p in members and c not in frozen]
            if not edges:
                continue
            if git is not None:
                for child, _ in edges:
                    if child not in edited:
                        m = by_rel[child]
                        edited[child] = git.edited_after_landing(m, m.line_of("down_revision"))
            blamed = {c: edited[c] for c, _ in edges if edited.get(c) is not None}
            # Its own header naming another parent (outside the loop) shows an edited line too.
            said = [(c, p) for c, p in edges if by_rel[c].header.revises
                    and by_rel[p].revision not in by_rel[c].header.revises
                    and set(by_rel[c].header.revises) - {by_rel[x].revision for x in members}]
            if blamed:
                child = max(blamed, key=blamed.get)
                parent = next(p for c, p in edges if c == child)
                reasons[child] = "edited after it landed (git blame)"
            elif said:
                child, parent = min(said, key=lambda e: prelim.pos(e[0]))
                reasons[child] = "its own header still names another parent"
            else:  # the line written last: that of the file that landed last
                child, parent = max(edges, key=lambda e: (_first_landed(prelim, by_rel[e[0]]), prelim.pos(e[0])))
                reasons[child] = "it landed last, so its down_revision was written last"
            m, named = by_rel[child], by_rel[parent].revision
            index = next(i for i, p in enumerate(m.down_revision) if p == named)
            if parent in valid[child]:
                valid[child].remove(parent)
            slots[child] = [entry for entry in slots[child] if entry[2] != named] + [(index, "cut", named)]


def _loops(valid: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components with more than one file, or a self-loop (iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    result = []
    counter = 0
    for start in valid:
        if start in index:
            continue
        work = [(start, iter(valid[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            node, edges = work[-1]
            advanced = False
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(valid[nxt])))
                    advanced = True
                    break
                if nxt in on:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in valid[node]:
                    result.append(component)
    return result


def _extra_roots(t: Target, alive: list[Migration], frozen: set[str], slots) -> None:
    """Roots that nothing joins to the main one (and no branch label sets apart) get a root slot."""
    roots = [m for m in alive if m.is_base and not slots.get(m.rel) and m.rel not in frozen]
    if len(roots) < 2:
        return
    component = _components(t.parents)
    main = min(roots, key=lambda r: _first_landed(t.order, r))
    seen = {component[main.rel]}
    for m in sorted(roots, key=t.order.pos):
        if component[m.rel] in seen or m.branch_labels or not m.known("branch_labels"):
            continue
        seen.add(component[m.rel])
        slots[m.rel].append((0, "root", ""))


def _components(parents: dict[str, list[str]]) -> dict[str, int]:
    """Weakly connected components (roots a merge revision joins share one)."""
    owner = {rel: rel for rel in parents}

    def find(x: str) -> str:
        while owner[x] != x:
            owner[x] = owner[owner[x]]
            x = owner[x]
        return x

    for rel, ps in parents.items():
        for p in ps:
            if p in owner:
                a, b = find(rel), find(p)
                if a != b:
                    owner[a] = b
    names: dict[str, int] = {}
    return {rel: names.setdefault(find(rel), len(names)) for rel in parents}


def _decide(t: Target, m: Migration, kind: str, named: str, by_id, git):
    """(decision key, chosen file, why, chosen by explicit evidence over the order) for one slot."""
    order, graph = t.order, t.graph
    below = _descendants(t.parents, m.rel)
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
        # The id meant the copy that had landed last when the child landed (without git: the
        # last before it in the intended order).
        if landing is not None and all(order.facts[f.rel].landing is not None for f in members):
            earlier = [f for f in members if order.facts[f.rel].landing.seq < landing.seq]
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
    if kind == "cut" and m.header.revises:
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
    if chosen is not None and creators and not set(creators) <= (_ancestors(t, chosen.rel) | {chosen.rel}) \
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
        allowed = set.intersection(*(_descendants(t.parents, c) | {c} for c in creators))
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


def _descendants(parents: dict[str, list[str]], rel: str) -> set[str]:
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


# -------------------------------------------------------------------------------- duplicates


def _rename_duplicates(t: Target, settings: Settings) -> None:
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


# -------------------------------------------------------------------------------- heads


def heads_of(t: Target) -> list[list[str]]:
    """Heads (rels) of the target, grouped by branch label."""
    has_child = {p for ps in t.parents.values() for p in ps}
    heads = [rel for rel in t.parents if rel not in has_child]
    labels: dict[str, frozenset] = {}

    def label(rel: str) -> frozenset:
        if rel not in labels:
            stack, seen, found = [rel], set(), set()
            while stack:
                x = stack.pop()
                if x in seen:
                    continue
                seen.add(x)
                found.update(t.graph.by_rel[x].branch_labels)
                stack.extend(t.parents.get(x, ()))
            labels[rel] = frozenset(found)
        return labels[rel]

    groups: dict[frozenset, list[str]] = defaultdict(list)
    for h in sorted(heads, key=t.order.pos):
        groups[label(h)].append(h)
    return [g for g in groups.values()]


def _ancestors(t: Target, rel: str) -> set[str]:
    seen: set[str] = {rel}
    stack = [rel]
    while stack:
        for p in t.parents.get(stack.pop(), ()):
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


def _resolve_heads(t: Target, frozen: set[str], applied: set[str] = frozenset()) -> None:
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
        lines = [_ancestors(t, h) for h in group]
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


def _landing_key(t: Target, rel: str) -> tuple:
    f = t.order.facts[rel]
    return (f.landing.seq if f.landing is not None else float("inf"), t.order.pos(rel))


def _kept_parents(t: Target, rel: str, block: set[str]) -> list[str]:
    return [p for p in t.parents[rel] if p in block and (rel, p) in t.valid_edges]


def _blocks(t: Target, region: set[str], applied: set[str]) -> list[set[str]]:
    """`region` cut into blocks joined by the history's own edges (one kept child per fork, the
    one that landed first; a merge revision keeps all its edges), in the order they landed."""
    children: dict[str, list[str]] = defaultdict(list)
    for rel in region:
        for p in t.parents[rel]:
            if p in region and (rel, p) in t.valid_edges:
                children[p].append(rel)
    owner = {rel: rel for rel in region}

    def find(x: str) -> str:
        while owner[x] != x:
            owner[x] = owner[owner[x]]
            x = owner[x]
        return x

    for parent, kids in children.items():
        first = min(kids, key=lambda rel: _landing_key(t, rel))
        for kid in kids:
            if kid == first or len(_kept_parents(t, kid, region)) > 1:
                a, b = find(kid), find(parent)
                if a != b:
                    owner[a] = b
    groups: dict[str, set[str]] = defaultdict(set)
    for rel in region:
        groups[find(rel)].add(rel)
    return sorted(groups.values(), key=lambda block: (not block & applied,
                                                       min(_landing_key(t, rel) for rel in block)))


def _tail(t: Target, block: set[str]) -> str:
    """The block's last file: the one no file of the block builds on (the latest landed)."""
    used = {p for rel in block for p in t.parents[rel] if p in block}
    return max((rel for rel in block if rel not in used), key=lambda rel: _landing_key(t, rel))


def _why_after(t: Target, before: Migration, m: Migration, applied: set[str]) -> str:
    if before.rel in applied and m.rel not in applied:
        return f"{before.name} is applied on the database (--db), {m.name} is not"
    anchor_copy = m.rel in {x.rel for files in t.groups.values() for x in files}
    if anchor_copy and t.order.numbered and m.revision == before.revision:
        return f"{m.name} shares {before.name}'s number and stays at that position"
    return t.order.explain(before, m)
