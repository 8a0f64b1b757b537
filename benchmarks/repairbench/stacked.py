"""Main-line histories with 1-3 stacked defects, each made the way it happens in real projects.

Every migration lands on main as its own commit (a direct push or a squashed pull request), so
the first-parent history carries the evidence a careful engineer would use. The intended result
is the landing order (with second baselines and stale copies removed):

- `heads`: two pull requests forked from the same head, each adding 1-2 migrations, land one
  after the other; later work builds on the newest. Intended: the later-landed after the other.
- `duplicate-number` (numbered ids like `0012_add_x`): the same, one migration each, so two
  files carry the next number with distinct ids.
- `duplicate-id`: a migration made by copying the newest file, keeping its `revision`,
  `down_revision` and docstring; or (number-only ids) two pull requests both took the next
  number, `017` twice. Intended: both kept, in landing order.
- `dangling`: a parent's id is renamed (and its file renamed) in a later commit; its child
  still names the old id.
- `extra-root`: a later commit sets a migration's `down_revision` to None.
- `second-baseline`: a file with `down_revision = None` that re-creates tables the history
  already created. Intended: removed.
- `loop`: a later commit points a migration's `down_revision` at a revision after it.
- `stale-copy`: a byte-identical copy of a migration under another name (a backup copy, or a
  renamed file restored by a bad merge). Intended: the copy deleted.
- `syntax-error`: a later commit breaks a migration's body (a conflict marker, a Python 2
  print); it still declares its revision, and its children stay on it.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from .history import Builder, Case, Expect, chain
from .project import VERSIONS, Style, clock_after, file_name, hex_id, number_id

KINDS = ("heads", "duplicate-number", "duplicate-id", "dangling", "extra-root", "second-baseline",
         "loop", "stale-copy", "syntax-error")


def applicable(style: Style, kind: str) -> bool:
    return kind != "duplicate-number" or style.ids == "stem"


class Stacked:
    def __init__(self, rng: random.Random, style: Style) -> None:
        self.rng, self.style = rng, style
        self.b = Builder(rng, style)
        self.pending: list[tuple[int, Callable[[], None]]] = []
        self.removed: set[str] = set()
        self.gone: set[str] = set()
        self.syntax: dict[str, tuple[str, str]] = {}
        self.variants: list[str] = []

    def later(self, fn: Callable[[], None], low: int = 1, high: int = 6) -> None:
        """`fn` happens in a commit after `low`..`high` more landings (or at the end)."""
        self.pending.append((len(self.b.order) + self.rng.randint(low, high), fn))

    def run_due(self, everything: bool = False) -> None:
        due = [p for p in self.pending if everything or p[0] <= len(self.b.order)]
        for p in due:
            self.pending.remove(p)
            p[1]()

    # -- the defects ------------------------------------------------------------------------
    def heads(self, one_each: bool = False) -> None:
        b, rng = self.b, self.rng
        fork, number, snapshot = b.tip, b.next_number(), b.schema.copy()
        start = b.clock
        sizes = [1, 1] if one_each else [rng.randint(1, 2), rng.randint(1, 2)]
        if not one_each and self.style.ids == "stem":
            sizes[rng.randrange(2)] = 2
        branches = []
        for size, schema in zip(sizes, (b.schema, snapshot)):
            created = sorted(clock_after(start, rng, 30, 3 * 24 * 60) for _ in range(size))
            parent, migs = fork, []
            for k in range(size):
                m = b.write(additive=True, schema=schema, down=parent, created=created[k],
                            number=None if number is None else number + k)
                migs.append(m)
                parent = m
            branches.append(migs)
        for m in branches[1]:   # the second branch's work, generated on the fork's schema
            for op in m.ops:
                op.replay(b.schema)
        b.clock = max(m.created for ms in branches for m in ms)
        for migs in branches:
            b.land(migs, when=b.tick(30, 24 * 60))
        self.variants.append(f"heads {sizes[0]}+{sizes[1]}")

    def duplicate_number(self) -> None:
        self.heads(one_each=True)

    def duplicate_id(self) -> None:
        b, rng = self.b, self.rng
        if self.style.ids == "number" and rng.random() < 0.5:
            self.heads(one_each=True)   # both took the next number: `017` twice
            self.variants.append("duplicate-id same-number")
            return
        first = b.normal()
        copy = b.write()
        copy.rev, copy.down, copy.copied_date = first.rev, first.down, first.created
        if self.style.ids == "hex":
            copy.path = file_name(self.style, copy)
        b.land([copy], when=b.tick(30, 24 * 60))
        self.variants.append("duplicate-id template-copy")

    def dangling(self) -> None:
        b, rng = self.b, self.rng
        parent = b.normal()
        b.normal()

        def rename() -> None:
            old, path = parent.rev, parent.path
            if self.style.ids == "stem":
                parent.slug = f"{parent.slug[:32]}{rng.choice(('_table', '_columns', '_fields'))}"
                parent.rev = number_id(self.style, parent.number, parent.suffix, parent.slug)
            elif self.style.ids == "number":
                parent.rev = f"{old}_{parent.slug}"[:40].rstrip("_")
            else:
                parent.rev = hex_id(rng)
            if self.style.ids != "number" and self.style.files != "date-dash":
                path = file_name(self.style, parent)   # the id is part of the file name
            assert parent.rev != old and path not in b.paths - {parent.path}, f"generator bug: renaming {old}"
            b.paths.add(path)
            text = b.current(parent).replace(f"revision: str = {old!r}", f"revision: str = {parent.rev!r}")
            text = text.replace(f"Revision ID: {old}\n", f"Revision ID: {parent.rev}\n")
            b.edit(parent, text, f"Rename migration {old} to {parent.rev}", rename_to=path)
        self.later(rename)

    def extra_root(self) -> None:
        b, rng = self.b, self.rng
        m = b.normal()
        b.normal()

        def unlink() -> None:
            text = b.current(m).replace(f"= {m.down!r}\n", "= None\n", 1)
            if rng.random() < 0.7:
                text = text.replace(f"Revises: {m.down}\n", "Revises: \n", 1)
            b.edit(m, text, f"Make {m.path} a base (squash old migrations)")
        self.later(unlink)

    def second_baseline(self) -> None:
        b, rng = self.b, self.rng
        while len(b.schema.tables) < 2:
            b.normal()
        op = b.schema.baseline(rng)
        number = None
        if self.style.ids == "stem":
            number = b.first_number + 1
        elif self.style.ids == "number":
            number = b.first_number - 1
        m = b.make(None, [op], b.tick(10, 600), number=number, slug="initial_schema")
        m.message = "initial schema"
        b.commit({b.path(m): m.text().encode()}, "Add initial schema migration for new installs")
        self.removed.add(m.marker)

    def loop(self) -> None:
        b, rng = self.b, self.rng
        m = b.normal()
        after = [b.normal() for _ in range(rng.randint(1, 3))]

        def point_forward() -> None:
            target = rng.choice(after)
            text = b.current(m).replace(f"= {m.down!r}\n", f"= {target.rev!r}\n", 1)
            if rng.random() < 0.5:
                text = text.replace(f"Revises: {m.down}\n", f"Revises: {target.rev}\n", 1)
            b.edit(m, text, f"Run {m.path} after {target.path}")
        self.later(point_forward)

    def stale_copy(self) -> None:
        b, rng = self.b, self.rng
        m = b.normal()
        if self.style.ids == "stem" or rng.random() < 0.5:
            def copy() -> None:
                name = m.path[:-3] + rng.choice(("_copy", "_backup", "_old")) + ".py"
                b.commit({f"{VERSIONS}/{name}": b.tree[b.path(m)]}, f"Keep a copy of {m.path}")
                self.gone.add(name)
            self.later(copy)
            self.variants.append("stale-copy backup")
            return

        def rename() -> None:
            old = m.path
            m.slug = f"{m.slug[:34]}{rng.choice(('_table', '_v2', '_fix'))}"
            new = file_name(self.style, m)
            assert new != old and new not in b.paths, f"generator bug: renaming {old} to {new}"
            b.paths.add(new)
            b.edit(m, b.current(m), f"Rename {old}", rename_to=new)

            def restore() -> None:
                b.commit({f"{VERSIONS}/{old}": b.tree[b.path(m)]}, "Merge branch 'release' into main")
                self.gone.add(old)
            self.later(restore)
        self.later(rename)
        self.variants.append("stale-copy rename-leftover")

    def syntax_error(self) -> None:
        b, rng = self.b, self.rng
        m = b.normal()
        b.normal()

        def breaks() -> None:
            good = '    """Upgrade schema."""\n'
            if rng.random() < 0.5:
                bad = good + '    print "upgrading %s" % revision\n'
                message = "Log progress while upgrading"
            else:
                bad = good + "<<<<<<< HEAD\n    # backfill later\n=======\n>>>>>>> origin/backfill\n"
                message = "Merge branch 'backfill'"
            b.edit(m, b.current(m).replace(good, bad, 1), message)
            self.syntax[m.marker] = (bad, good)
        self.later(breaks)


def generate(case_id: str, rng: random.Random, style: Style, kinds: list[str], length: int) -> Case:
    s = Stacked(rng, style)
    b = s.b
    if "second-baseline" in kinds and style.ids == "number":
        b.first_number, b.max_number = 1, 0   # the baseline takes 000
    gap = 8   # a block spans at most 5 landings: defects never touch each other
    length = max(length, gap * len(kinds) + 6)
    picks = sorted(rng.sample(range(3, length - 3 - (len(kinds) - 1) * (gap - 1)), len(kinds)))
    starts = [p + i * (gap - 1) for i, p in enumerate(picks)]
    placed = list(kinds)
    rng.shuffle(placed)
    blocks = list(zip(starts, placed))
    suffix_at = None
    if style.ids == "number" and starts[0] > 2 and rng.random() < 0.5:
        suffix_at = rng.randint(2, starts[0] - 1)
    while len(b.order) < length or blocks:
        position = len(b.order)
        if blocks and blocks[0][0] <= position:
            kind = blocks.pop(0)[1]
            getattr(s, kind.replace("-", "_"))()
        elif suffix_at is not None and position >= suffix_at and b.tip and b.tip.number is not None:
            m = b.write(number=b.tip.number)   # an earlier clash resolved as `008a`
            m.suffix = "a"
            m.rev = number_id(style, m.number, "a", m.slug)
            m.path = file_name(style, m)
            b.land([m])
            suffix_at = None
        else:
            b.normal()
        s.run_due()
    s.run_due(everything=True)
    order = b.order
    labels = {k: m.path for k, m in b.migs.items()}
    expect = Expect("graph", chain(order), order, removed=s.removed, gone_paths=s.gone, rule="landing order")
    return Case(case_id, "stacked", style, kinds, "; ".join(s.variants) or kinds[0], b.commits, expect,
                labels, s.syntax, {"revisions": len(order) + len(s.removed)})
