"""Which of several files declaring one id to keep, which copy a child meant, and which extra
root only repeats the baseline (the signals are those of chaintui.suggest.parents)."""

from __future__ import annotations

from chaintui.graph import RevisionGraph
from chaintui.model import Migration
from chaintui.naming import file_declares_other, natural_key
from chaintui.schema import TableStates, creates
from chaintui.suggest.parents import (W_AFTER_DATE, W_AFTER_GIT, W_NEWEST_DATE, W_NEWEST_GIT, W_SCHEMA_BREAK,
                                      W_SCHEMA_BREAK_CAP, Option, context, own_schema, tables_text)

# --------------------------------------------------------------------------------------------
# Duplicates: which file to keep, which file each child meant


class _Tally:
    """Points and reasons for each file of one id; `ranked()` gives them best first."""

    def __init__(self, files: list[Migration]) -> None:
        self.files = files
        self.scores = {m.rel: 0.0 for m in files}
        self.reasons: dict[str, list[str]] = {m.rel: [] for m in files}

    def add(self, m: Migration, points: float, why: str) -> None:
        self.scores[m.rel] += points
        self.reasons[m.rel].append(why)

    def ranked(self) -> list[Option]:
        options = [Option(m.rel, round(self.scores[m.rel], 3), tuple(self.reasons[m.rel]), label=m.name)
                   for m in self.files]
        options.sort(key=lambda o: (-o.score, natural_key(o.value)))
        return options


def rank_keep(graph: RevisionGraph, rev: str, *, use_git: bool = True) -> list[Option]:
    """Which of the files sharing `rev` to keep (the others get new ids), best first."""
    ctx = context(graph, use_git)
    files = graph.by_id.get(rev, [])
    tally = _Tally(files)
    add = tally.add

    dates = {m.rel: ctx.dates.get(id(m)) for m in files}
    known = [d for d in dates.values() if d is not None]
    if len(known) > 1 and len(set(known)) > 1:
        for m in files:
            if dates[m.rel] == min(known):
                add(m, 2.0, "created first (Create Date)")
    if ctx.git is not None:
        firsts = {m.rel: ctx.git.first_commit(m) for m in files}
        if len(set(firsts.values())) > 1:
            for m in files:
                if firsts[m.rel] == min(firsts.values()):
                    add(m, 2.0, "committed first (git)")
    several_bases = len(graph.bases) > 1
    for m in files:
        if is_redundant_root(graph, m):
            add(m, -5.0, "a root that re-creates tables another root already creates")
        elif m.is_base and several_bases:
            add(m, -2.0, "an extra root")
        if not file_declares_other(m.path.stem, rev) and any(file_declares_other(o.path.stem, rev) for o in files):
            add(m, 1.5, "its file name matches the id")
    meant: dict[str, int] = {}
    for child in graph.children_of(rev):
        ranked = rank_meant(graph, child, rev, use_git=use_git)
        if len(ranked) > 1 and ranked[0].score > ranked[1].score:
            meant[ranked[0].value] = meant.get(ranked[0].value, 0) + 1
    for m in files:
        count = meant.get(m.rel, 0)
        if count:
            add(m, min(0.5 * count, 1.5), f"{count} child{'ren' if count > 1 else ''} meant it "
                                          "(keeping it leaves them as they are)")
    return tally.ranked()


def rank_meant(graph: RevisionGraph, child: Migration, rev: str, *, use_git: bool = True) -> list[Option]:
    """For a child that names the shared id `rev`, which of the files it meant, best first."""
    ctx = context(graph, use_git)
    files = graph.by_id.get(rev, [])
    tally = _Tally(files)
    add = tally.add

    # Time: the newest of them created / committed before the child; one after it is unlikely.
    for label, time_of, own, w_newest, w_after in (
        ("created", lambda f: ctx.dates.get(id(f)), ctx.dates.get(id(child)), W_NEWEST_DATE, W_AFTER_DATE),
        ("committed", ctx.git.first_commit if ctx.git else None,
         ctx.git.first_commit(child) if ctx.git else None, W_NEWEST_GIT, W_AFTER_GIT),
    ):
        if own is None or time_of is None:
            continue
        times = {m.rel: time_of(m) for m in files}
        before = {k: t for k, t in times.items() if t is not None and t < own}
        if before and len(set(before.values())) == len(before):
            newest = max(before, key=before.get)
            add(next(m for m in files if m.rel == newest), w_newest,
                f"the newest of them {label} before {child.name}")
        if own != float("inf"):
            for m in files:
                if times[m.rel] is not None and times[m.rel] > own:
                    add(m, w_after, f"{label} after {child.name}")

    # Schema: which one creates what the child needs: itself (decisive, the
    # files share an id and usually a parent) or through its own ancestry.
    needed, made = own_schema(ctx, child)
    if needed or made:
        for m in files:
            own = {t for t, _ in creates(m.ops)}
            direct = [t for t in needed if t in own]
            states = TableStates(graph, parents_of=lambda r, m=m: m.down_revision if r == rev else graph.parent_ids(r),
                                 ops_of=lambda r, m=m: m.ops if r == rev else graph.by_id[r][0].ops)
            state = states.after(rev)
            inherited = [t for t in needed if t in state and t not in own]
            complete = all(p in ctx.complete for p in m.down_revision)
            # Missing is certain when its ancestry is complete, or when another file of the id
            # creates the table itself (what the two files differ in is their own operations).
            siblings = {t for o in files if o is not m for t, _ in creates(o.ops)}
            broken = [t for t in needed if t not in state and (complete or t in siblings)] + \
                [t for t in made if t in state]
            if direct:
                add(m, min(5.0 * len(direct), 10.0), f"it creates {tables_text(direct)}, which {child.name} needs")
            if inherited:
                add(m, min(1.0 * len(inherited), 2.0),
                    f"its ancestry creates {tables_text(inherited)}, which {child.name} needs")
            if broken:
                add(m, max(W_SCHEMA_BREAK * len(broken), W_SCHEMA_BREAK_CAP),
                    f"{child.name} would break the schema order after it ({tables_text(broken)})")
    for m in files:
        if is_redundant_root(graph, m):
            add(m, -2.0, "a root that re-creates tables another root already creates")
    return tally.ranked()


# --------------------------------------------------------------------------------------------
# Redundant roots


def is_redundant_root(graph: RevisionGraph, migration: Migration) -> bool:
    """A root that only re-creates tables another root already creates (duplicate functionality).

    When two roots create the same tables, the one with fewer revisions below it (then the later
    in the project's order) is the redundant one, so exactly one of them is ever reported.
    """
    if not migration.is_base:
        return False
    mine = {t for t, _ in creates(migration.ops)}
    if not mine:
        return False
    for other in graph.revisions:
        if other is migration or not other.is_base:
            continue
        theirs = {t for t, _ in creates(other.ops)}
        if not mine <= theirs:
            continue
        if mine < theirs:
            return True
        # Same tables: keep the root more of the history hangs off, then the earlier one.
        if _root_weight(graph, other) > _root_weight(graph, migration):
            return True
        if _root_weight(graph, other) == _root_weight(graph, migration) and \
                natural_key(other.rel) < natural_key(migration.rel):
            return True
    return False


def _root_weight(graph: RevisionGraph, m: Migration) -> int:
    """How many revisions hang off this file alone (its id shared with others counts less)."""
    below = len(graph.descendants(m.revision)) if m.revision else 0
    return below if len(graph.by_id.get(m.revision, ())) == 1 else below // 2
