"""`fix --against REF`: move this branch's own migrations after REF's head, in one commit.

The branch's first migration is relinked onto REF's head (the head that descends from the
revision it revised), and, in a numbered project, every one of the branch's numbers moves past
REF's last one, in the chain's order and in the project's style (width, `_` prefixes, the rest
of the name kept); `Revision ID:` / `Revises:` headers follow. Only files the branch added are
touched, never one that REF has. It is always a relink: a merge revision naming REF's head would
point at a revision this branch does not have until REF is merged in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from chaintui import rewrite
from chaintui.against import SetComparison, number_key
from chaintui.changes import ChangeSet, FileChange
from chaintui.errors import ChaintuiError
from chaintui.fixes import Fix, _migration
from chaintui.naming import is_valid_id, number_of

_NUMBER_PREFIX = re.compile(r"^(\d+)([a-zA-Z]?)(?=$|_)")
_SEPARATORS = "_-."


class Refused(ChaintuiError):
    """The branch's migrations cannot be moved automatically (exit 2, nothing written)."""

    exit_code = 2


@dataclass(frozen=True)
class MoveAfterRef(Fix):
    """Relink the branch's first migration onto REF's head; renumber the branch's migrations."""

    kind: ClassVar[str] = "move-after-ref"
    ref: str = ""
    """REF as the user named it (`origin/main`)."""
    onto: str = ""
    """REF's head: the first migration's new down_revision."""
    moves: tuple[tuple[str, str, str], ...] = ()
    """(file, new id, new file) for each of the branch's migrations, first to last."""

    @property
    def summary(self) -> str:
        renamed = [f"{Path(f).name} -> {Path(n).name}" for f, _, n in self.moves if n != f]
        what = f"move {len(self.moves)} migration{'s' if len(self.moves) != 1 else ''} after " \
               f"{self.ref}'s head {self.onto}"
        return what + (f" (renumber {', '.join(renamed)})" if renamed else "")

    def extra_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "onto": self.onto, "parents": [self.onto],
                "moves": [{"file": f, "new_revision": i, "new_file": n} for f, i, n in self.moves]}

    def _build(self, graph, cs, read):
        migrations = [_migration(graph, f) for f, _, _ in self.moves]
        new_ids = {m.revision: new for m, (_, new, _) in zip(migrations, self.moves)}
        for new in new_ids.values():
            if not is_valid_id(new):
                raise ChaintuiError(f"{new!r} is not a valid alembic revision id")
        untouched = {rev for rev in graph.by_id if rev not in new_ids}
        if set(new_ids.values()) & untouched:
            raise ChaintuiError("a new id is already declared in this branch")
        changes = []
        previous = self.onto
        for m, (file, new_id, new_file) in zip(migrations, self.moves):
            parents = (previous,)
            original = read(graph.mset.root / file)
            src = original
            if new_id != m.revision:
                src = rewrite.set_revision(src, new_id)
            if parents != m.down_revision or (m.header.revises is not None and m.header.revises != parents):
                src = rewrite.set_parents(src, parents)
            depends = tuple(new_ids.get(d, d) for d in m.depends_on)
            if depends != m.depends_on:
                raw = m.fields["depends_on"].raw.lstrip()
                value = depends[0] if len(depends) == 1 and not raw.startswith(("(", "[")) else depends
                src = rewrite.set_value(src, "depends_on", value)
            changes.append(FileChange(file, original, src, new_file if new_file != file else None))
            previous = new_id
        # The last file moves first: a chain shifted by one frees each name before it is taken.
        for change in reversed(changes):
            cs.add(change)


def plan_move(sc: SetComparison, ref: str, id_style: str | None = None) -> MoveAfterRef | None:
    """The fix that moves the branch's migrations of one set after REF's head; None when there
    is nothing to move. Raises Refused when it cannot be done automatically."""
    if not (sc.stale or sc.collides):
        return None
    if sc.chain is None:
        raise Refused(f"{sc.mset.name}: {sc.chain_issue or 'no migrations of this branch'}: "
                      "cannot move them automatically; relink them by hand")
    if sc.ref_head is None:
        raise Refused(f"{sc.mset.name}: {sc.head_issue}: cannot tell which head to move after")
    chain = sc.chain
    onto = sc.ref_head
    source, number = number_key(sc.ref, id_style)
    ref_numbers = [n for n in (number(r) for r in sc.ref.revisions) if n is not None]
    own_numbers = [number(m) for m in chain]
    last = max((n[0] for n in ref_numbers), default=None)
    renumber = source is not None and last is not None and any(n is not None for n in own_numbers) \
        and (sc.collides or any(n is not None and n[0] <= last for n in own_numbers))
    taken_ids = set(sc.ref.by_id) | (set(sc.work.by_id) - sc.own_ids)
    taken_files = set(sc.ref_files) | (set(sc.work.by_rel) - {m.rel for m in chain})
    moves = []
    counter = last + 1 if renumber else 0
    for m in chain:
        new_id, new_file = m.revision, m.rel
        if renumber and number(m) is not None:
            for _ in range(10_000):
                new_id, new_file = _renumbered(m, counter, source)
                counter += 1
                # an id that does not change (only the file's number does) is checked below
                if (new_id == m.revision or new_id not in taken_ids) and new_file not in taken_files:
                    break
            else:
                raise Refused(f"{sc.mset.name}: no free number for {m.name} after {ref}'s {last}")
        taken_ids.add(new_id)
        taken_files.add(new_file)
        moves.append((m.rel, new_id, new_file))
    clashes = [new for _, new, _ in moves if new in sc.ref.by_id]
    if clashes:
        raise Refused(f"{sc.mset.name}: this branch declares ids {ref} already has ({', '.join(clashes)}) "
                      "and chaintui does not renumber them (not numbered, or id-style = \"hex\"): "
                      "give them new ids by hand")
    head = chain[-1].revision
    old_new = [(m.revision, i) for m, (_, i, _) in zip(chain, moves) if i != m.revision]
    reason = (f"{ref} moved on since this branch forked: {sc.parent}, which this branch's first "
              f"migration revised, is no longer {ref}'s head ({onto} is), so merging would leave two "
              f"heads ({onto} and this branch's {head})." if sc.stale else
              f"This branch's migrations reuse numbers {ref} already has.")
    if renumber:
        reason += (f" {ref}'s last number is {last}: this branch's {len(chain)} migration(s) move past "
                   "it, in order.")
    notes = [f"This is a relink, not a merge revision: on this branch a merge revision naming {onto} "
             f"would point at nothing until {ref} is merged in."]
    if onto not in sc.work:
        notes.append(f"Until {ref} is merged in (or this branch rebased onto it), the branch alone "
                     f"names {onto}, which it does not have yet.")
    if old_new:
        olds = ", ".join(f"{a} -> {b}" for a, b in old_new)
        notes.append(f"Ids change ({olds}): developer databases that applied the old ids need "
                     f"`alembic stamp`: `alembic downgrade {sc.parent}` there before taking this commit, "
                     f"or `alembic stamp --purge {sc.parent}` after it (and undo this branch's schema "
                     "changes by hand), then `alembic upgrade head` once merged.")
    return MoveAfterRef(
        revision=chain[0].revision, file=chain[0].rel, set_name=sc.mset.name, ref=ref, onto=onto,
        moves=tuple(moves), reason=reason, notes=tuple(notes))


def move_changes(fix: MoveAfterRef, sc: SetComparison) -> ChangeSet:
    """The fix's edits, checked never to touch a file that REF has."""
    changes = fix.changes(sc.work)
    touched = [f for f in changes.files if f in sc.ref_files]
    if touched:
        raise Refused(f"{touched[0]} exists on {fix.ref}: chaintui never changes REF's files")
    return changes


def _renumbered(m, number: int, source: str) -> tuple[str, str]:
    """(new id, new file) of `m` with sequence number `number`, in the file's own style."""
    path = Path(m.rel)
    stem, suffix = path.stem, path.suffix
    if source == "id" and number_of(m.revision) is not None:
        digits = _NUMBER_PREFIX.match(m.revision).group(1)
        new_id = _NUMBER_PREFIX.sub(str(number).zfill(len(digits)), m.revision, count=1)
        new_stem = _replace_token(stem, m.revision, new_id)
        if new_stem is None:
            new_stem = _replace_prefix(stem, number)
        return new_id, (path.with_name(new_stem + suffix)).as_posix()
    return m.revision, path.with_name(_replace_prefix(stem, number) + suffix).as_posix()


def _replace_prefix(stem: str, number: int) -> str:
    match = _NUMBER_PREFIX.match(stem)
    if not match:
        return stem
    return str(number).zfill(len(match.group(1))) + stem[match.end():]


def _replace_token(stem: str, old: str, new: str) -> str | None:
    """`stem` with its first occurrence of `old` bounded by the ends or `_ - .` replaced (a date
    such as `20240101` is never mistaken for the id `0101`); None when there is none."""
    start = stem.find(old)
    while start != -1:
        end = start + len(old)
        if (start == 0 or stem[start - 1] in _SEPARATORS) and (end == len(stem) or stem[end] in _SEPARATORS):
            return stem[:start] + new + stem[end:]
        start = stem.find(old, start + 1)
    return None
