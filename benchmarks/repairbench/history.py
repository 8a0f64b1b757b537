"""A team's history as it happened: who wrote which migration on which head, and when it landed.

`Builder` replays a project's life as git commits: each migration is written on the head its
author saw (`down_revision` = that head's id, the next number in numbered projects, a `Create
Date` of when it was written, DDL valid on the schema it was written against) and lands as a
commit on main (or on a feature branch that is merged later). The intended result is known by
construction — the order in which the work landed — and is recorded in an `Expect`, never
derived from the files.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .project import AUTHORS, VERSIONS, Commit, Mig, Style, clock_after, file_name, hex_id, number_id, scaffold
from .schema import Names, Op, Schema


@dataclass
class Expect:
    mode: str
    """`graph`: exactly the intended graph (linear unless the history has merge revisions);
    `merge`: that graph plus one new merge revision over `merge_over`."""
    parents: dict[str, tuple[str, ...]]
    """marker -> markers of its intended parents (sorted), for every migration meant to stay."""
    order: list[str]
    """The intended order base -> head (a topological order of `parents`)."""
    merge_over: tuple[str, ...] = ()
    removed: set[str] = field(default_factory=set)
    """Markers of migrations meant to be removed (a second baseline)."""
    gone_paths: set[str] = field(default_factory=set)
    """Files meant to be removed (stale copies; their marker stays with the original)."""
    rule: str = ""


@dataclass
class Case:
    id: str
    family: str
    """`stacked` (defects on a main line) or `parallel` (feature branches merged)."""
    style: Style
    kinds: list[str]
    variant: str
    commits: list[Commit]
    expect: Expect
    labels: dict[str, str]
    """marker -> the file's name in the broken history (for messages)."""
    syntax_fixes: dict[str, tuple[str, str]] = field(default_factory=dict)
    """marker -> (broken text, original text): what a person restores before alembic can load it."""
    notes: dict = field(default_factory=dict)
    written: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Parallel histories: marker -> the parents its author wrote (before any repair)."""

    @property
    def length(self) -> int:
        return len(self.labels)


class Builder:
    def __init__(self, rng: random.Random, style: Style, settings: str | None = None) -> None:
        self.rng, self.style = rng, style
        self.names = Names()
        self.schema = Schema(self.names)
        self.clock = datetime(2022, 1, 3, 9, 0) + timedelta(days=rng.randint(0, 600), minutes=rng.randint(0, 600))
        self.commits: list[Commit] = [Commit("main", self.clock, rng.choice(AUTHORS), "Project scaffold (alembic init)",
                                             {k: v for k, v in scaffold(style, settings).items()})]
        self.tree: dict[str, bytes] = {}
        """main's migration files now: path -> bytes."""
        self.migs: dict[str, Mig] = {}
        self.order: list[str] = []
        """Markers in the order they landed on main (the intended order of a linear history)."""
        self.parents: dict[str, tuple[str, ...]] = {}
        """Intended parents (markers), filled by the family's generator."""
        self.first_number = rng.choice((0, 1))
        self.max_number = self.first_number - 1
        self.tip: Mig | None = None
        self.markers: set[str] = set()
        self.paths: set[str] = set()
        self.pr = rng.randint(10, 400)

    # -- writing migrations -----------------------------------------------------------------
    def tick(self, low: int = 20, high: int = 3 * 24 * 60) -> datetime:
        self.clock = clock_after(self.clock, self.rng, low, high)
        return self.clock

    def marker(self) -> str:
        while True:
            m = f"{self.rng.getrandbits(32):08x}"
            if m not in self.markers:
                self.markers.add(m)
                return m

    def make(self, down: str | tuple[str, ...] | None, ops: list[Op], created: datetime,
             number: int | None = None, suffix: str = "", slug: str | None = None) -> Mig:
        slug = (slug or ops[0].slug)[:40].rstrip("_")
        if self.style.ids == "hex":
            rev = hex_id(self.rng)
        else:
            assert number is not None
            rev = number_id(self.style, number, suffix, slug)
        up = [line for op in ops for line in op.up]
        down_code = [line for op in reversed(ops) for line in op.down]
        m = Mig(self.marker(), rev, down, slug, created, up, down_code, number, suffix, ops=ops)
        m.path = file_name(self.style, m)
        k = 2
        while m.path in self.paths:   # two files of one name would be one file in git
            m.slug = f"{slug[:37]}_{k}"
            m.rev = m.rev if self.style.ids == "hex" else number_id(self.style, number, suffix, m.slug)
            m.path, k = file_name(self.style, m), k + 1
        self.paths.add(m.path)
        self.migs[m.marker] = m
        return m

    def next_number(self) -> int | None:
        return None if self.style.ids == "hex" else self.max_number + 1

    def path(self, m: Mig) -> str:
        return f"{VERSIONS}/{m.path}"

    # -- commits ----------------------------------------------------------------------------
    def commit(self, files: dict[str, bytes | None], message: str, *, branch: str = "main",
               when: datetime | None = None, author: str | None = None, parent: int | None = None,
               merge: int | None = None) -> int:
        when = when or self.tick()
        self.commits.append(Commit(branch, when, author or self.rng.choice(AUTHORS), message, files, parent, merge))
        if branch == "main":
            clash = [p for p in files if merge is not None and p in self.tree]
            assert not clash, f"generator bug: a merge would overwrite {clash}"
            for p, data in files.items():
                if data is None:
                    self.tree.pop(p, None)
                else:
                    self.tree[p] = data
        return len(self.commits) - 1

    def land(self, migs: list[Mig], message: str | None = None, when: datetime | None = None) -> int:
        """The migrations land on main in one commit (a direct push or a squashed pull request)."""
        self.pr += 1
        msg = message or f"{migs[0].message or migs[0].slug.replace('_', ' ').capitalize()} (#{self.pr})"
        index = self.commit({self.path(m): m.text().encode() for m in migs}, msg, when=when)
        self.landed(migs)
        return index

    def landed(self, migs: list[Mig]) -> None:
        for m in migs:
            self.order.append(m.marker)
            if m.number is not None:
                self.max_number = max(self.max_number, m.number)
        self.tip = migs[-1]

    def write(self, additive: bool = False, schema: Schema | None = None, down: Mig | None = None,
              number: int | None = None, created: datetime | None = None) -> Mig:
        """A migration written on `down` (default: main's newest), not landed yet."""
        parent = down if down is not None else self.tip
        ops = (schema or self.schema).next_ops(self.rng, additive=additive)
        return self.make(parent.rev if parent else None, ops, created or self.tick(10, 600),
                         number if number is not None else self.next_number())

    def normal(self) -> Mig:
        m = self.write()
        self.land([m], when=self.tick(5, 240))
        return m

    def edit(self, m: Mig, text: str, message: str, rename_to: str | None = None) -> None:
        """A later commit changes a landed file's text (and maybe its name)."""
        files: dict[str, bytes | None] = {}
        if rename_to and rename_to != m.path:
            files[self.path(m)] = None
            m.path = rename_to
        files[self.path(m)] = text.encode()
        self.commit(files, message)

    def current(self, m: Mig) -> str:
        return self.tree[self.path(m)].decode()

    def labels(self) -> dict[str, str]:
        found = {}
        for path in sorted(self.tree):
            for marker in _markers(self.tree[path]):
                found.setdefault(marker, path.rsplit("/", 1)[-1])
        return found


def _markers(data: bytes) -> list[str]:
    from .project import MARKER_RE

    return MARKER_RE.findall(data.decode("utf-8", "replace"))


def chain(order: list[str]) -> dict[str, tuple[str, ...]]:
    return {m: ((order[i - 1],) if i else ()) for i, m in enumerate(order)}
