"""Which parent a revision meant: the signals (described in chaintui.suggest) and their weights,
and the context they share with chaintui.suggest.keep."""

from __future__ import annotations

import heapq
import weakref
from dataclasses import dataclass
from functools import cached_property

from chaintui.graph import RevisionGraph
from chaintui.history import GitHistory
from chaintui.model import Migration
from chaintui.naming import natural_key, number_of
from chaintui.order import file_number, parse_date
from chaintui.schema import (
    clean_revisions,
    creates,
    creators,
    needs,
    table_presence,
)

# Weights of the signals (points added to an option's score).
W_NAME_EXACT = 6.0       # dangling id is the file's name, or starts with / is a prefix of its id
W_RENAMED = 8.0          # git shows the file declared the dangling id before it was renamed
W_HEADER = 5.0           # the migration's own `Revises:` header names it
W_NAME_NUMBER = 3.0      # dangling id carries the same number
W_NAME_FUZZY = 3.0       # dangling id looks like its name (scaled by similarity)
W_PREVIOUS_NUMBER = 3.0
W_AFTER_NUMBER = -1.5
W_NEWEST_DATE = 3.0
W_AFTER_DATE = -2.0
W_NEWEST_GIT = 3.0
W_AFTER_GIT = -1.5
W_HEAD = 1.0
W_PLANNED = 12.0         # where the intended order puts it (what the planner chooses)
W_SCHEMA_OK = 1.0        # its ancestry creates the tables the migration needs
W_SCHEMA_BREAK = -3.0    # per table that would be missing or created twice (capped)
W_SCHEMA_BREAK_CAP = -9.0


@dataclass(frozen=True)
class Option:
    """One ranked answer to a choice."""

    value: str
    """A revision id (parents) or a file path relative to the root (duplicates)."""
    score: float
    reasons: tuple[str, ...] = ()
    label: str = ""

    def describe(self) -> str:
        why = "; ".join(self.reasons) if self.reasons else "no particular reason"
        return f"{self.label or self.value} ({why})"


# --------------------------------------------------------------------------------------------
# Per-graph context: parsed dates, numbers, git history, table states (computed once)


class _Context:
    """What the signals read about the whole graph, each part computed on first use: a ranking
    that needs no dates (or numbers, or tables) never walks the history for them."""

    def __init__(self, graph: RevisionGraph, use_git: bool, git: GitHistory | None = None) -> None:
        self.graph = graph
        # Duplicated ids: their files' ops taken together (whichever is kept, its tables exist).
        self.ops_of = lambda r: tuple(op for f in graph.by_id[r] for op in f.ops)
        if not use_git:
            self.git = None
        elif git is not None:  # the caller's reader (the planner's): no second walk of the history
            self.git = git.with_aliases(getattr(graph, "path_aliases", {}))
        else:
            self.git = GitHistory.for_graph(graph)

    def holds(self, m: Migration) -> bool:
        """`m` is one of the graph's files (dates and numbers are only known for those)."""
        return self.graph.by_rel.get(m.rel) is m

    @cached_property
    def dates(self) -> dict[int, object]:
        return {id(m): _parse_date(m.header.create_date) for m in self.graph.revisions}

    @cached_property
    def numbers(self) -> dict[int, tuple[int, str] | None]:
        return {id(m): file_number(m) for m in self.graph.revisions}

    @cached_property
    def made_by(self) -> dict[str, list[str]]:
        return creators(self.graph)

    @cached_property
    def complete(self) -> set[str]:
        """Ids whose ancestry is complete: a table missing from their state is really missing."""
        return clean_revisions(self.graph, allow_duplicates=True)


_CONTEXTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def context(graph: RevisionGraph, use_git: bool = True, git: GitHistory | None = None) -> _Context:
    key = (use_git,)
    per_graph = _CONTEXTS.setdefault(graph, {})
    if key not in per_graph:
        per_graph[key] = _Context(graph, use_git, git)
    return per_graph[key]


_parse_date = parse_date


# --------------------------------------------------------------------------------------------
# Ranking parents


def rank_parents(graph: RevisionGraph, migration: Migration, *, dangling: str | None = None,
                 exclude: set[str] | None = None, limit: int | None = None,
                 use_git: bool = True, planned: tuple[str, str] | None = None,
                 git: GitHistory | None = None) -> list[Option]:
    """Candidate parents for `migration`, best first.

    `dangling` is the id it named that no file declares (its text is a strong hint); ids in
    `exclude` (and the migration's own descendants, which would make a loop) are never offered.
    `use_git=False` skips the git signals. `planned` is the planner's answer (parent id, its
    evidence) when the caller has it; else it is derived (chaintui.target). `git`: a reader of
    the history the caller already has (else one is made).
    """
    ctx = context(graph, use_git, git)
    rev = migration.revision
    banned = set(exclude or ()) | {rev} | graph.descendants(rev)
    candidates = [r for r in graph.by_id if r not in banned]
    if not candidates:
        return []
    scores: dict[str, float] = {r: 0.0 for r in candidates}
    reasons: dict[str, list[str]] = {r: [] for r in candidates}

    def add(r: str, points: float, why: str) -> None:
        scores[r] += points
        reasons[r].append(why)

    if dangling:
        _name_signals(ctx, migration, dangling, candidates, add)
    _header_signal(migration, candidates, add)
    _number_signals(ctx, migration, candidates, add)
    _date_signals(ctx, migration, candidates, add)
    if ctx.git is not None:
        _git_signals(ctx, migration, candidates, add)
    heads = set(graph.heads)
    for r in candidates:
        if r in heads:
            add(r, W_HEAD, "a head (nothing follows it)")
    _schema_signals(ctx, migration, candidates, add)
    _planned_signal(graph, migration, candidates, add, planned, git=ctx.git)

    topo = {r: i for i, r in enumerate(graph.topological())}

    def rank(r: str) -> tuple:
        # Ties: the later revision first (what `alembic revision` would have picked), then the
        # natural order of the ids. Places are unique but for 0 (the first revision, and ids on
        # a loop, which have none): only there does the natural key decide, so only there is it
        # computed.
        place = topo.get(r, 0)
        return (-round(scores[r], 3), -place, natural_key(r) if place == 0 else ())

    # Only the options asked for are built: nsmallest is sorted(...)[:limit], without the rest.
    best = heapq.nsmallest(limit, candidates, key=rank) if limit else sorted(candidates, key=rank)
    return [Option(r, round(scores[r], 3), tuple(reasons[r]), label=f"{r}  {graph.by_id[r][0].message}")
            for r in best]


def _planned_signal(graph: RevisionGraph, m: Migration, candidates: list[str], add,
                    known: tuple[str, str] | None = None, git: GitHistory | None = None) -> None:
    """The planner's own answer (chaintui.target), with its evidence: a dialog's default is the
    planned fix. `git`: the ranking's reader, reused when the target has to be derived."""
    if known is not None:
        planned, why = known
    else:
        from chaintui.builders import target_for

        try:
            t = target_for(graph, git=git)
        except Exception:  # ranking still works from the other signals
            return
        if m.rel not in t.chosen:
            return
        parent, why = t.chosen[m.rel]
        planned = graph.by_rel[parent].revision
        why = t.render(why)
    why = why.split(": ", 1)[-1] or "the intended order"
    for r in candidates:
        if r == planned and r not in m.down_revision:
            add(r, W_PLANNED, f"where the intended order puts it ({why})")


def _name_signals(ctx: _Context, m: Migration, dangling: str, candidates: list[str], add) -> None:
    graph = ctx.graph
    renamed: set[str] = set()
    if ctx.git is not None:
        renamed = ctx.git.renamed_from([dangling]).get(dangling, set())
    d = dangling.lower()
    d_number = number_of(dangling)
    stems_of = {r: [f.path.stem.lower() for f in graph.by_id[r]] for r in candidates}
    fuzzy = _most_similar(d, candidates, stems_of, cutoff=0.75)
    for r in candidates:
        files = graph.by_id[r]
        if renamed and any(ctx.git.rel(f.path) in renamed for f in files):
            add(r, W_RENAMED, f"git history shows its file declared {dangling!r} before it was renamed")
        rl = r.lower()
        stems = stems_of[r]
        if d in stems:
            add(r, W_NAME_EXACT, f"its file is named {dangling!r}")
        elif d.startswith(rl) and d[len(rl):len(rl) + 1] in ("_", "-", "."):
            add(r, W_NAME_EXACT, f"{dangling!r} starts with its id")
        elif len(d) >= 4 and rl.startswith(d):
            add(r, W_NAME_EXACT, f"its id starts with {dangling!r}")
        elif len(d) >= 4 and any(s.startswith(d) for s in stems):
            add(r, W_NAME_EXACT, f"its file name starts with {dangling!r}")
        else:
            if d_number is not None and ctx.numbers.get(id(files[0])) == d_number:
                add(r, W_NAME_NUMBER, f"same number as {dangling!r}")
            similarity = fuzzy.get(r)
            if similarity is not None:
                add(r, W_NAME_FUZZY * similarity, f"its name is like {dangling!r} ({similarity:.0%})")


def _most_similar(text: str, candidates: list[str], stems_of: dict[str, list[str]],
                  cutoff: float) -> dict[str, float]:
    """Candidate -> how like `text` its id or a file name is (0..1), for those at least `cutoff`
    alike: one pass of rapidfuzz over every name, not a Python call per name."""
    from rapidfuzz import fuzz, process

    names: list[str] = []
    owners: list[str] = []
    for r in candidates:
        for name in (r.lower(), *stems_of[r]):
            names.append(name)
            owners.append(r)
    best: dict[str, float] = {}
    for _, score, index in process.extract(text, names, scorer=fuzz.ratio, limit=None,
                                           score_cutoff=cutoff * 100):
        similarity = score / 100.0
        if similarity > best.get(owners[index], -1.0):
            best[owners[index]] = similarity
    return best


def _header_signal(m: Migration, candidates: list[str], add) -> None:
    said = m.header.revises
    if not said or set(said) == set(m.down_revision):
        return
    wanted = set(said) - set(m.down_revision)
    for r in candidates:
        if r in wanted:
            add(r, W_HEADER, f"its header says Revises: {r}")


def _number_signals(ctx: _Context, m: Migration, candidates: list[str], add) -> None:
    own = file_number(m) if ctx.holds(m) else None  # ctx.numbers[id(m)], without numbering every file
    if own is None:
        return
    graph = ctx.graph
    numbered = {r: ctx.numbers.get(id(graph.by_id[r][0])) for r in candidates}
    before = [n for n in numbered.values() if n is not None and n < own]
    previous = max(before) if before else None
    for r, n in numbered.items():
        if n is None:
            continue
        if n == previous:
            add(r, W_PREVIOUS_NUMBER, f"the previous number in the project's numbering ({_fmt(n)} before {_fmt(own)})")
        elif n > own:
            add(r, W_AFTER_NUMBER, f"numbered after it ({_fmt(n)})")


def _fmt(number: tuple[int, str]) -> str:
    return f"{number[0]}{number[1]}"


def _candidate_time(values: list, own) -> object:
    """The candidate's time relative to `own`: its newest one before, else its oldest."""
    before = [v for v in values if v < own]
    return max(before) if before else min(values)


def _date_signals(ctx: _Context, m: Migration, candidates: list[str], add) -> None:
    own = _parse_date(m.header.create_date) if ctx.holds(m) else None  # ctx.dates[id(m)], likewise
    if own is None:
        return
    _newest_before(
        ctx, candidates, own,
        lambda f: ctx.dates.get(id(f)), add, W_NEWEST_DATE, W_AFTER_DATE,
        "the newest revision created before it (Create Date)", "created after it (Create Date)",
    )


def _git_signals(ctx: _Context, m: Migration, candidates: list[str], add) -> None:
    git = ctx.git
    own = git.first_commit(m)
    _newest_before(
        ctx, candidates, own, git.first_commit, add, W_NEWEST_GIT, W_AFTER_GIT,
        f"the newest migration when {m.name} was first committed (git)", "committed after it (git)",
        ignore_after=own == float("inf"),
    )


def _newest_before(ctx: _Context, candidates: list[str], own, time_of, add, w_newest: float,
                   w_after: float, why_newest: str, why_after: str, ignore_after: bool = False) -> None:
    times = {}
    for r in candidates:
        values = [t for t in (time_of(f) for f in ctx.graph.by_id[r]) if t is not None]
        if values and values[0] != float("inf"):
            times[r] = _candidate_time(values, own)
    before = {r: t for r, t in times.items() if t < own}
    if before:
        newest = max(before.values())
        tied = [r for r, t in before.items() if t == newest]
        if len(tied) > 1:
            # Added in one commit / same timestamp: the one the others lead to is the newest.
            tied_set = set(tied)
            tied = [r for r in tied if not any(c in tied_set for c in ctx.graph.child_ids(r))] or tied
        if len(tied) <= 2:
            for r in tied:
                add(r, w_newest / len(tied), why_newest)
    if not ignore_after:
        for r, t in times.items():
            if t > own:
                add(r, w_after, why_after)


def _schema_signals(ctx: _Context, m: Migration, candidates: list[str], add) -> None:
    needed, made = own_schema(ctx, m)
    if not needed and not made:
        return
    # A missing table is only certain when the candidate's ancestry is whole: one base, no
    # missing parent or loop above it. Elsewhere the tables are unknown, not absent.
    whole = len(ctx.graph.bases) == 1
    # Only the few tables this migration touches matter: one linear pass per table instead of
    # every revision's whole table set (quadratic on a long history).
    present = table_presence(ctx.graph, set(needed) | set(made), ctx.ops_of)
    for r in candidates:
        ok = [t for t in needed if present[t].get(r)]
        missing = [t for t in needed if not present[t].get(r)] if needed and whole and r in ctx.complete else []
        again = [t for t in made if present[t].get(r)]
        if ok:
            add(r, W_SCHEMA_OK, f"its ancestry creates {tables_text(ok)}, which {m.revision} needs")
        broken = missing + again
        if broken:
            parts = []
            if missing:
                parts.append(f"{tables_text(missing)} would not exist yet")
            if again:
                parts.append(f"{tables_text(again)} would be created twice")
            add(r, max(W_SCHEMA_BREAK * len(broken), W_SCHEMA_BREAK_CAP),
                "would break the schema order: " + ", ".join(parts))


def own_schema(ctx: _Context, m: Migration) -> tuple[list[str], list[str]]:
    """Tables `m` needs (that something in the history creates) and tables it creates."""
    needed = [t for t, _ in needs(m.ops) if t in ctx.made_by]
    return needed, [t for t, _ in creates(m.ops)]


def tables_text(tables: list[str]) -> str:
    shown = ", ".join(repr(t) for t in tables[:3])
    return shown + (f" and {len(tables) - 3} more" if len(tables) > 3 else "")
