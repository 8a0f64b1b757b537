"""Ranked suggestions: which parent a revision meant, which duplicate to keep, which child meant what.

Every suggestion is an Option with a score (higher is better) and the reasons behind it, shown
to the user in the plan and in the TUI's choice dialogs.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from chaintui.graph import RevisionGraph
from chaintui.model import Migration
from chaintui.naming import natural_key, number_of


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


def rank_parents(graph: RevisionGraph, migration: Migration, *, dangling: str | None = None,
                 exclude: set[str] | None = None, limit: int | None = None) -> list[Option]:
    """Candidate parents for `migration`, best first.

    `dangling` is the id it named that no file declares (its text is a strong hint); ids in
    `exclude` (and the migration's own descendants, which would make a loop) are never offered.
    """
    banned = set(exclude or ()) | {migration.revision} | graph.descendants(migration.revision)
    own_number = number_of(migration.revision)
    own_date = migration.header.create_date
    options = []
    ordered = sorted(graph.by_id, key=natural_key)
    for rev in ordered:
        if rev in banned:
            continue
        candidate = graph.by_id[rev][0]
        score = 0.0
        reasons: list[str] = []
        if dangling:
            similarity = max(_similar(dangling, rev), _similar(dangling, candidate.path.stem))
            if similarity >= 0.6:
                score += 4 * similarity
                reasons.append(f"its name is like {dangling!r} ({similarity:.0%})")
        number = number_of(rev)
        if own_number and number and number < own_number:
            previous = _previous_number(graph, own_number, banned)
            if previous == rev:
                score += 3
                reasons.append("the previous number in the project's numbering")
        if own_date and candidate.header.create_date and candidate.header.create_date < own_date:
            latest = _latest_before(graph, own_date, banned)
            if latest == rev:
                score += 2
                reasons.append("the newest revision created before it")
        if rev in graph.heads and rev not in banned:
            score += 0.5
            reasons.append("a head")
        options.append(Option(rev, score, tuple(reasons), label=f"{rev}  {candidate.message}"))
    options.sort(key=lambda o: (-o.score, natural_key(o.value)))
    return options[:limit] if limit else options


def rank_keep(graph: RevisionGraph, rev: str) -> list[Option]:
    """Which of the files sharing `rev` to keep (the others get new ids), best first."""
    files = graph.by_id.get(rev, [])
    options = []
    for m in files:
        score = 0.0
        reasons: list[str] = []
        dates = [f.header.create_date for f in files if f.header.create_date]
        if m.header.create_date and dates and m.header.create_date == min(dates):
            score += 2
            reasons.append("created first")
        if m.is_base and len(graph.bases) > 1:
            score -= 3
            reasons.append("an extra root")
        options.append(Option(m.rel, score, tuple(reasons), label=m.name))
    options.sort(key=lambda o: (-o.score, o.value))
    return options


def rank_meant(graph: RevisionGraph, child: Migration, rev: str) -> list[Option]:
    """For a child that names the shared id `rev`, which of the files it meant, best first."""
    options = []
    for m in graph.by_id.get(rev, []):
        score = 0.0
        reasons: list[str] = []
        if m.header.create_date and child.header.create_date and m.header.create_date < child.header.create_date:
            score += 1
            reasons.append("created before it")
        options.append(Option(m.rel, score, tuple(reasons), label=m.name))
    options.sort(key=lambda o: (-o.score, o.value))
    return options


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a.lower(), b.lower()).ratio()


def _previous_number(graph: RevisionGraph, own: tuple[int, str], banned: set[str]) -> str | None:
    best = None
    for rev in graph.by_id:
        number = number_of(rev)
        if rev in banned or number is None or number >= own:
            continue
        if best is None or number > number_of(best):
            best = rev
    return best


def _latest_before(graph: RevisionGraph, date: str, banned: set[str]) -> str | None:
    best = None
    best_date = ""
    for rev, files in graph.by_id.items():
        created = files[0].header.create_date
        if rev in banned or not created or created >= date:
            continue
        if created > best_date:
            best, best_date = rev, created
    return best
