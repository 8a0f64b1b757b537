"""The intended order: where the team meant each revision to be.

Every fix chaintui proposes is decided from one order of all the files of a migration set,
computed here from the signals a project carries. The signals disagree in real projects, so
which one wins is a rule, written down here and measured by `benchmarks/repair.py` and the
real-history judge:

1. **Valid `down_revision` edges** are constraints: a parent always comes before its child.
   Edges that are themselves the problem (dangling, ambiguous because the id is duplicated, the
   edited edge of a loop) are not constraints; the planner decides them from this order.
2. **Schema dependencies** are constraints too: a migration that alters, drops or references a
   table comes after the one migration that creates it. A table created by several files (a
   duplicate, a drop and re-create) gives no constraint. Where schema and edges contradict each
   other the edges win, and the schema-order check reports it.
3. Among the revisions the constraints leave free, the **position** decides:
   - in a **numbered** project (most ids or file names start with a sequence number: `017`,
     `0008b`, `093_x`), the number: the team wrote the order down. Files that share a number
     (`017_x`, `017_y`, or one id declared twice) are ordered among themselves by landing;
     a file without a number takes the number of the newest numbered file landed before it;
   - otherwise (hex ids, date-prefixed names), **when each file landed on the current branch**
     (the first-parent commit that added it: a pull request lands when it is merged, whatever
     its commits' dates), because what the branch history ran in is what the team deployed;
   - then the `Create Date` header (or the date a file name starts with), then the file name.
   Landing beats `Create Date` because a migration written first but merged second still runs
   after what was merged before it: of two-head repairs in public projects, the maintainers
   moved the later-*merged* branch in most cases, and its migration was often created earlier.
   Numbers beat landing because a renumbered or suffixed file (`008a`) says where it belongs.
4. Without git (no repository, nothing committed) landing is unknown and `Create Date`, then
   the name, decide.

`IntendedOrder.explain` turns the comparison of two revisions into the evidence a fix's reason
shows ("landed 3 days after 0042_add_tags", "creates table users that 018 alters").
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

from chaintui.history import GitHistory, Landing
from chaintui.model import Migration
from chaintui.naming import date_prefix, natural_key, number_of
from chaintui.schema import creates, needs

_NEVER = datetime.max
_INF = float("inf")


def parse_date(text: str | None) -> datetime | None:
    """A `Create Date` header (alembic writes `2024-01-08 09:12:44.120931`) as naive UTC."""
    import re

    if not text:
        return None
    text = text.strip()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        match = re.match(r"(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?", text)
        if not match:
            return None
        try:
            value = datetime.fromisoformat(f"{match.group(1)} {match.group(2) or '00:00'}")
        except ValueError:
            return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


@dataclass(frozen=True)
class Facts:
    """What the project says about one file's place."""

    number: tuple[int, str] | None
    date: datetime | None
    landing: Landing | None
    name_key: tuple = ()
    """natural_key of the file name, the last tie-breaker (computed once, not once per sort)."""


def file_number(m: Migration) -> tuple[int, str] | None:
    """The number a migration carries: its id's (`017`, `008a`), else its file name's."""
    return (number_of(m.revision) if m.revision else None) or number_of(m.path.stem)


def facts_of(m: Migration, git: GitHistory | None) -> Facts:
    number = file_number(m)
    date = parse_date(m.header.create_date) or parse_date(date_prefix(m.path.stem))
    return Facts(number, date, git.landing(m) if git is not None else None, natural_key(m.name))


def is_numbered(facts: Iterable[Facts]) -> bool:
    facts = list(facts)
    return bool(facts) and sum(f.number is not None for f in facts) * 2 > len(facts)


@dataclass
class IntendedOrder:
    """One order of the given files (see the module docstring for the rules)."""

    files: list[Migration]
    """Files in the intended order."""
    facts: dict[str, Facts]
    numbered: bool
    index: dict[str, int] = field(default_factory=dict)
    needs_from: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """rel -> (creator rel, table) schema constraints that placed it."""

    def __post_init__(self) -> None:
        self.index = {m.rel: i for i, m in enumerate(self.files)}

    def pos(self, m: Migration | str) -> int:
        return self.index[m if isinstance(m, str) else m.rel]

    def before(self, a: Migration, b: Migration) -> bool:
        return self.pos(a) < self.pos(b)

    def predecessor(self, m: Migration, exclude: set[str] = frozenset()) -> Migration | None:
        """The file right before `m` in the order, skipping the rels in `exclude`."""
        for i in range(self.pos(m) - 1, -1, -1):
            if self.files[i].rel not in exclude:
                return self.files[i]
        return None

    # -------------------------------------------------------------------------- evidence

    def explain(self, earlier: Migration, later: Migration) -> str:
        """Why `later` comes after `earlier`, in the words of the deciding signal."""
        for creator, table in self.needs_from.get(later.rel, ()):
            if creator == earlier.rel:
                return f"{earlier.name} creates table {table!r}, which {later.name} needs"
        a, b = self.facts[earlier.rel], self.facts[later.rel]
        if self.numbered and a.number and b.number and a.number != b.number:
            return f"{later.name} comes after {earlier.name} in the project's numbering"
        if a.landing is not None and b.landing is not None:
            if a.landing.seq == b.landing.seq:
                return f"{later.name} landed in the same commit as {earlier.name} ({b.landing.short})"
            if a.landing.seq < b.landing.seq:
                return (f"{later.name} landed {_ago(b.landing.time - a.landing.time)} after {earlier.name} "
                        f"(commit {b.landing.short}, {_day(b.landing.time)})")
        if b.landing is None and a.landing is not None:
            return f"{later.name} is not committed yet, {earlier.name} is"
        if a.date and b.date and a.date < b.date:
            return (f"{later.name} was created {_ago((b.date - a.date).total_seconds())} after "
                    f"{earlier.name} (Create Date {b.date:%Y-%m-%d})")
        if self.numbered and a.number and b.number:
            return f"{later.name} shares {earlier.name}'s number and sorts after it"
        return f"{later.name} sorts after {earlier.name}"

    def describe(self, m: Migration) -> str:
        """Where `m` sits, for the detail pane and plan output."""
        f = self.facts[m.rel]
        parts = []
        if self.numbered and f.number:
            parts.append(f"number {f.number[0]}{f.number[1]}")
        if f.landing is not None:
            parts.append(f"landed {_day(f.landing.time)} in {f.landing.short}")
        elif self.facts and any(x.landing for x in self.facts.values()):
            parts.append("not committed yet")
        if f.date:
            parts.append(f"created {f.date:%Y-%m-%d %H:%M}")
        return ", ".join(parts) or "no signal but its name"


def intended_order(files: Iterable[Migration], edges: Mapping[str, Iterable[str]],
                   git: GitHistory | None = None, *, schema: bool = True,
                   facts: dict[str, Facts] | None = None,
                   needs: list[tuple[str, str, str]] | None = None) -> IntendedOrder:
    """Order `files` (the rules are in the module docstring).

    `edges` maps a file's rel to the rels of its parents that are constraints (valid edges).
    `needs`: schema_constraints(files), when the caller already has them.
    """
    files = list(files)
    facts = facts if facts is not None else {m.rel: facts_of(m, git) for m in files}
    numbered = is_numbered(facts[m.rel] for m in files)
    keys = _keys(files, facts, numbered)
    by_rel = {m.rel: m for m in files}
    parents: dict[str, set[str]] = {m.rel: {p for p in edges.get(m.rel, ()) if p in by_rel and p != m.rel}
                                    for m in files}
    needs_from: dict[str, list[tuple[str, str]]] = defaultdict(list)
    soft: dict[str, set[str]] = defaultdict(set)
    if schema:
        for child, creator, table in (needs if needs is not None else schema_constraints(files)):
            if creator not in parents[child]:
                soft[child].add(creator)
                needs_from[child].append((creator, table))
    children: dict[str, list[str]] = defaultdict(list)
    waiting: dict[str, int] = {}
    for rel in by_rel:
        for p in parents[rel] | soft[rel]:
            children[p].append(rel)
        waiting[rel] = len(parents[rel] | soft[rel])
    ready = [(keys[rel], rel) for rel, count in waiting.items() if count == 0]
    if len(ready) == len(files):  # nothing constrains anything: the order is the keys' order
        return IntendedOrder([by_rel[rel] for _, rel in sorted(ready)], facts, numbered,
                             needs_from=dict(needs_from))
    heapq.heapify(ready)
    done: set[str] = set()
    order: list[Migration] = []
    while len(order) < len(files):
        if not ready:
            # A schema constraint against the edges (or two tables each needing the other):
            # release the earliest file whose parents are placed, ignoring schema for it.
            stuck = min((rel for rel in by_rel if rel not in done and parents[rel] <= done),
                        key=keys.__getitem__, default=None)
            if stuck is None:  # edges alone loop: the caller passed a loop; break it by key
                stuck = min((rel for rel in by_rel if rel not in done), key=keys.__getitem__)
            needs_from.pop(stuck, None)
            heapq.heappush(ready, (keys[stuck], stuck))
            waiting[stuck] = 0
        _, rel = heapq.heappop(ready)
        if rel in done:
            continue
        done.add(rel)
        order.append(by_rel[rel])
        for child in children[rel]:
            if child in done:
                continue
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, (keys[child], child))
    return IntendedOrder(order, facts, numbered, needs_from=dict(needs_from))


def _keys(files: list[Migration], facts: dict[str, Facts], numbered: bool) -> dict[str, tuple]:
    def tail(m: Migration) -> tuple:
        f = facts[m.rel]
        seq = f.landing.seq if f.landing is not None else _INF
        return (seq, f.date or _NEVER, f.name_key)

    if not numbered:
        return {m.rel: tail(m) for m in files}
    # Unnumbered files in a numbered project take the newest number landed (or dated) before them.
    timeline = sorted(((tail(m), facts[m.rel].number) for m in files if facts[m.rel].number),
                      key=lambda item: item[0])
    keys = {}
    for m in files:
        number = facts[m.rel].number
        if number is not None:
            keys[m.rel] = (number[0], number[1], tail(m))
            continue
        own = tail(m)
        earlier = [n for t, n in timeline if t[:2] <= own[:2]]
        base = max(earlier) if earlier else (-1, "")
        keys[m.rel] = (base[0], base[1] + "~", own)
    return keys


def schema_constraints(files: list[Migration]) -> list[tuple[str, str, str]]:
    """(child, creator, table): `child` needs `table`, which only `creator` creates."""
    made: dict[str, list[str]] = defaultdict(list)
    for m in files:
        for table, _ in creates(m.ops):
            if m.rel not in made[table]:
                made[table].append(m.rel)
    result = []
    for m in files:
        for table, _ in needs(m.ops):
            owners = made.get(table)
            if owners and len(owners) == 1 and owners[0] != m.rel:
                result.append((m.rel, owners[0], table))
    return result


def _ago(seconds: float) -> str:
    seconds = abs(seconds)
    if seconds < 120:
        return f"{int(seconds)} seconds"
    if seconds < 7200:
        return f"{int(seconds // 60)} minutes"
    if seconds < 2 * 86400:
        return f"{int(seconds // 3600)} hours"
    return f"{int(seconds // 86400)} days"


def _day(stamp: int) -> str:
    return datetime.fromtimestamp(stamp, timezone.utc).strftime("%Y-%m-%d")
