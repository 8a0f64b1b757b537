"""Parallel pull requests as real git history: feature branches fork from main, add migrations on
the head they saw, and are merged into main (merge commits, `--no-ff`) in some order.

Main has a linear history of its own (direct commits). 2-4 feature branches fork from main at
various points near its end, each adds 1-3 migrations, one commit each, numbered from the
highest number its author saw (so numbers clash in numbered projects, and number-only ids such
as `017` are declared twice); main may go on with its own migrations meanwhile. Then the
branches are merged in a random order, which leaves several heads.

Variants: `earlier` — the history already resolved heads twice or once with `alembic merge`
revisions (two branches merged, then a merge revision rendered from the template; in
number-only projects the second branch's ids carry an `a` suffix, as the team resolved the
clash then); `policy` — `[tool.chaintui] heads = "merge"` or `"linearize"` in pyproject.toml.

Intended: the setting if there is one, else merge when the history already has merge revisions,
else linearize. Linearize: main's head, then each branch in merge order (each branch's first
migration after the previous branch's last). Merge: every edge as written plus one merge
revision whose parents are exactly the heads.
"""

from __future__ import annotations

import random

from .history import Builder, Case, Expect
from .project import AUTHORS, Mig, Style, clock_after, file_name, number_id

VARIANTS = tuple((earlier, policy) for earlier in (False, True) for policy in (None, "merge", "linearize"))


def intended_rule(earlier: bool, policy: str | None) -> tuple[str, str]:
    if policy:
        return policy, f"setting heads = \"{policy}\""
    return ("merge", "the history merges heads") if earlier else ("linearize", "landing order")


class Parallel:
    def __init__(self, rng: random.Random, style: Style, policy: str | None) -> None:
        self.rng, self.style = rng, style
        self.b = Builder(rng, style, settings=policy)
        self.written: dict[str, tuple[str, ...]] = {}
        """marker -> markers of the parents its author meant (its branch's parent)."""

    def direct(self, additive: bool) -> Mig:
        b = self.b
        m = b.write(additive=additive)
        self.written[m.marker] = (b.tip.marker,) if b.tip else ()
        b.land([m], when=b.tick(5, 240))
        return m

    def branch(self, fork: Mig, fork_commit: int, schema, size: int, suffix: str = "") -> dict:
        """A feature branch's commits, written on `fork` (not merged yet)."""
        b, rng = self.b, self.rng
        number = b.next_number()
        name = f"feature/{rng.choice(('api', 'billing', 'search', 'auth', 'ui', 'ops'))}-{rng.randint(100, 999)}"
        author, when, parent, migs, last = rng.choice(AUTHORS), b.clock, fork, [], fork_commit
        for k in range(size):
            when = clock_after(when, rng, 30, 36 * 60)
            m = b.write(additive=True, schema=schema, down=parent, created=when,
                        number=None if number is None else number + k)
            if suffix:
                m.suffix = suffix
                m.rev = number_id(self.style, m.number, suffix, m.slug)
                m.path = file_name(self.style, m)
            m.down = parent.rev
            self.written[m.marker] = (parent.marker,)
            last = b.commit({b.path(m): m.text().encode()}, f"Add {m.slug.replace('_', ' ')}", branch=name,
                            when=clock_after(when, rng, 5, 120), author=author,
                            parent=fork_commit if k == 0 else None)
            migs.append(m)
            parent = m
        return {"name": name, "migs": migs, "last": last, "fork": fork}

    def merge(self, br: dict) -> None:
        b = self.b
        b.pr += 1
        files = {b.path(m): m.text().encode() for m in br["migs"]}
        b.commit(files, f"Merge pull request #{b.pr} from {br['name']}", merge=br["last"],
                 when=b.tick(20, 12 * 60))
        b.landed(br["migs"])

    def episode(self) -> None:
        """Two branches merged, then the team wrote an `alembic merge` revision over both heads."""
        b, rng = self.b, self.rng
        fork, fork_commit, snapshot = b.tip, len(b.commits) - 1, b.schema.copy()
        first = self.branch(fork, fork_commit, b.schema, rng.randint(1, 2))
        second = self.branch(fork, fork_commit, snapshot, rng.randint(1, 2),
                             suffix="a" if self.style.ids == "number" else "")
        for m in second["migs"]:
            for op in m.ops:
                op.replay(b.schema)
        b.clock = max(b.clock, *(c.when for c in b.commits))
        self.merge(first)
        self.merge(second)
        heads = (first["migs"][-1], second["migs"][-1])
        m = b.make(tuple(h.rev for h in heads), [], b.tick(30, 600), number=b.next_number(), slug="merge_heads")
        m.message = "merge heads"
        self.written[m.marker] = tuple(h.marker for h in heads)
        b.land([m], message="Merge migration heads", when=b.tick(5, 60))


def generate(case_id: str, rng: random.Random, style: Style, earlier: bool, policy: str | None,
             length: int) -> Case:
    p = Parallel(rng, style, policy)
    b = p.b
    sizes = [rng.randint(1, 3) for _ in range(rng.randint(2, 4))]
    episodes = rng.randint(1, 2) if earlier else 0
    main_len = max(12 + 6 * episodes, length - sum(sizes) - 4 * episodes)
    spots = sorted(rng.sample(range(2, main_len - 8 - 5 * episodes), episodes)) if episodes else []
    episode_at = [s + 5 * i for i, s in enumerate(spots)]
    fork_at = sorted(rng.randint(main_len - 6, main_len) for _ in sizes)
    branches, forked = [], 0
    while len(b.order) < main_len or forked < len(sizes):
        while forked < len(sizes) and fork_at[forked] <= len(b.order):
            fork_commit = len(b.commits) - 1
            branches.append(p.branch(b.tip, fork_commit, b.schema.copy(), sizes[forked]))
            forked += 1
        if len(b.order) >= main_len:
            continue
        if episode_at and episode_at[0] <= len(b.order):
            episode_at.pop(0)
            p.episode()
        else:
            p.direct(additive=forked > 0)
    main_head = b.tip
    b.clock = max(c.when for c in b.commits)
    landing = list(range(len(branches)))
    rng.shuffle(landing)
    for i in landing:
        p.merge(branches[i])

    mode, rule = intended_rule(earlier, policy)
    parents = dict(p.written)
    has_child = {q for ps in parents.values() for q in ps}
    heads = tuple(sorted(m for m in parents if m not in has_child))
    notes = {"revisions": len(b.order), "branches": len(branches), "sizes": sizes,
             "earlier_merges": episodes, "policy": policy}
    merge_over: tuple[str, ...] = ()
    if mode == "linearize":
        prev = main_head
        for i in landing:
            first = branches[i]["migs"][0]
            if first.marker in parents and parents[first.marker] != (prev.marker,) and \
                    branches[i]["fork"] is main_head:
                notes["relinks_branch_on_main_head"] = True
            parents[first.marker] = (prev.marker,)
            prev = branches[i]["migs"][-1]
    else:
        merge_over = heads
    parents = {m: tuple(sorted(ps)) for m, ps in parents.items()}
    expect = Expect("graph" if mode == "linearize" else "merge", parents, list(b.order), merge_over, rule=rule)
    variant = f"{mode} ({rule})" + (f", {episodes} earlier merge(s)" if episodes else "")
    labels = {k: m.path for k, m in b.migs.items()}
    written = {m: tuple(sorted(ps)) for m, ps in p.written.items()}
    return Case(case_id, "parallel", style, [f"parallel-{mode}"], variant, b.commits, expect, labels, {}, notes, written)
