"""The problems of `check --against REF` (stable codes) and how they are found in a comparison:
heads the merge adds, ids and numbers REF already uses, edited landed migrations, and anything
else the merge breaks that REF does not already have."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from chaintui.diagnosis import CODES as PLAIN_CODES
from chaintui.diagnosis import diagnose
from chaintui.graph import RevisionGraph
from chaintui.model import ERROR, WARNING, Migration, Problem
from chaintui.naming import detect_style, number_of

if TYPE_CHECKING:
    from chaintui.against import SetComparison
    from chaintui.against_git import Points

#: The branch's migration revises a revision that is no longer REF's head: merging leaves two heads.
STALE_PARENT = "against-stale-parent"
#: The branch's migration declares a revision id that REF already has (another file).
DUPLICATE_REVISION = "against-duplicate-revision"
#: The branch's migration carries a number (`093_`) that one of REF's migrations carries.
DUPLICATE_NUMBER = "against-duplicate-number"
#: More than one of REF's heads descends from the branch's original parent: which one to follow?
AMBIGUOUS_HEAD = "against-ambiguous-head"
#: The branch's own migrations are not one chain from one parent: `fix --against` cannot move them.
NOT_ONE_CHAIN = "against-not-one-chain"
#: The branch changes (or deletes) a migration that REF already has.
EDITS_LANDED = "against-edits-landed"

CODES = (STALE_PARENT, DUPLICATE_REVISION, DUPLICATE_NUMBER, AMBIGUOUS_HEAD, NOT_ONE_CHAIN, EDITS_LANDED)
SEVERITY = {STALE_PARENT: ERROR, DUPLICATE_REVISION: ERROR, DUPLICATE_NUMBER: WARNING,
            AMBIGUOUS_HEAD: WARNING, NOT_ONE_CHAIN: WARNING, EDITS_LANDED: WARNING}


def _problem(code: str, message: str, files: list[Migration] | list[str], revisions=(), line=None) -> Problem:
    rels = tuple(f.rel if isinstance(f, Migration) else f for f in files)
    return Problem(code, SEVERITY[code], message, tuple(dict.fromkeys(r for r in revisions if r)), rels, line)


def _key(problem: Problem) -> tuple:
    return problem.code, frozenset(problem.revisions), frozenset(problem.files)


def number_key(graph: RevisionGraph, id_style: str | None = None):
    """(source, function giving a migration's sequence number, (93, '') for `093_x`): source
    "id" when the ids are numbered (`093`, `093_add_x`), "file" when only the file names are
    (`093_<hex>_x.py`), None (and a function giving None) when the set is not numbered."""
    ids = list(graph.by_id)
    style = id_style or detect_style(ids)[0]
    if style == "numbered" and any(number_of(r) is not None for r in ids):
        return "id", lambda m: number_of(m.revision) if m.revision else None
    stems = [m.path.stem for m in graph.revisions]
    known = [n for n in (number_of(s) for s in stems) if n is not None]
    # File names that start with a number, nearly all distinct: a numbered style, not dates.
    if stems and len(known) * 2 > len(stems) and len(set(known)) * 10 >= len(known) * 9:
        return "file", lambda m: number_of(m.path.stem)
    return None, lambda m: None


def find_problems(sc: SetComparison, points: Points, branch_rels: set[str],
                  id_style: str | None = None) -> list[Problem]:
    """What merging the branch into REF breaks in one set, each problem naming the branch's file
    (`branch_rels`: every file the branch added, changed or deleted since the fork point)."""
    ref_name = points.ref
    problems: list[Problem] = []
    own_ids = sc.own_ids
    own_by_id = {m.revision: m for m in sc.own if m.revision}

    # 1. heads the merge adds (the branch's migrations revise what is no longer REF's head)
    ref_heads = set(sc.ref.heads)
    # REF's own problems can only reach the branch's files through the landed files it edits:
    # without such edits REF's diagnosis cannot matter (and costs as much as the merged one).
    ref_keys = {_key(p) for p in diagnose(sc.ref)} if sc.edited else set()
    merged_problems = [p for p in diagnose(sc.merged) if _key(p) not in ref_keys]
    for p in merged_problems:
        if p.code != "multiple-heads":
            continue
        group = list(p.revisions)
        below = {g: (sc.merged.ancestors(g) | {g}) & ref_heads for g in group}
        covered = set().union(*below.values()) if below else set()
        if len(group) <= len(covered):
            continue  # as many heads as REF already has: not this branch's doing
        # The branch's heads that build on no head of REF, from a revision REF has (a new root
        # of the branch's own is a multiple-bases problem, reported below as such).
        roots = {g: _chain_root(sc, own_by_id, g) for g in group if g in own_ids and not below[g]}
        stale = [g for g, root in roots.items() if any(p in sc.ref for p in root.down_revision)]
        for head in stale:
            problems.append(_stale_problem(sc, roots[head], head, ref_name))
        if not stale:
            mine = [m for g in group for m in sc.merged.by_id.get(g, []) if m.rel in branch_rels]
            problems.append(Problem(p.code, p.severity, p.message, p.revisions,
                                    tuple(m.rel for m in mine) or p.files, p.line))

    # 2. ids and numbers REF already uses
    landed = {m.rel for m in sc.landed}
    clash_ids = set()
    for m in sc.own:
        others = [r for r in sc.ref.by_id.get(m.revision, []) if r.rel != m.rel] if m.revision else []
        if others:
            clash_ids.add(m.revision)
            problems.append(_problem(
                DUPLICATE_REVISION,
                f"{m.name} declares revision {m.revision!r}, which {_where(others, landed, ref_name)} "
                f"also declares: after the merge alembic loads only one of them",
                [m], [m.revision], m.line_of("revision")))
    _, numbered = number_key(sc.ref, id_style)
    by_number: dict[tuple, list[Migration]] = {}
    for r in sc.ref.revisions:
        n = numbered(r)
        if n is not None:
            by_number.setdefault(n, []).append(r)
    for m in sc.own:
        n = numbered(m) if m.revision else None
        others = [r for r in by_number.get(n, []) if r.rel != m.rel and r.revision != m.revision] if n else []
        if others and m.revision not in clash_ids:
            problems.append(_problem(
                DUPLICATE_NUMBER,
                f"{m.name} has number {_fmt(n)}, which {_where(others, landed, ref_name)} also has",
                [m], [m.revision]))

    # Ids REF shares hide the second head (alembic keeps one file per id): still say where the
    # branch's chain would go once its ids are its own.
    if clash_ids and sc.chain and sc.ref_head and sc.ref_head != sc.parent \
            and not any(p.code == STALE_PARENT for p in problems):
        problems.append(_stale_problem(sc, sc.chain[0], sc.chain[-1].revision, ref_name))

    # 3. why `fix --against` could not move the branch's migrations
    if any(p.code in (STALE_PARENT, DUPLICATE_REVISION, DUPLICATE_NUMBER) for p in problems):
        if sc.chain_issue:
            problems.append(_problem(NOT_ONE_CHAIN, f"{sc.chain_issue}: `chaintui fix --against {ref_name}` "
                                     "cannot move them; relink them by hand", sc.own, sorted(own_ids)))
        elif sc.head_issue:
            problems.append(_problem(AMBIGUOUS_HEAD, f"{sc.head_issue}: `chaintui fix --against {ref_name}` "
                                     "cannot tell which to move after", [sc.chain[0]], [sc.chain[0].revision]))

    # 4. landed migrations the branch edits
    for rel, what in sc.edited:
        m = sc.work.by_rel.get(rel) or sc.ref.by_rel.get(rel)
        name = Path(rel).name
        if what == "adds":
            message = f"this branch and {ref_name} both add {name}, with different content (git will conflict)"
        elif what == "deletes":
            message = f"this branch deletes {name}, a migration {ref_name} has: databases that ran it keep its changes"
        elif rel in sc.ref_files:
            message = (f"this branch changes {name}, a migration {ref_name} already has: databases that ran it "
                       "will not run the change")
        else:
            message = f"this branch changes {name}, which {ref_name} deleted since the fork"
        problems.append(_problem(EDITS_LANDED, message, [rel], [m.revision if m else None]))

    # 5. anything else the merge would break that REF does not already have
    for p in merged_problems:
        if p.code == "multiple-heads":
            continue
        mine = tuple(f for f in p.files if f in branch_rels)
        if p.code in ("duplicate-revision", "duplicate-number") and len(mine) < len(p.files):
            continue  # reported above, naming the branch's file
        if not mine:
            continue
        problems.append(Problem(p.code, p.severity, p.message, p.revisions,
                                mine + tuple(f for f in p.files if f not in mine), p.line))
    order = {code: i for i, code in enumerate(CODES + PLAIN_CODES)}
    return sorted(problems, key=lambda p: (order.get(p.code, len(order)), p.files))


def _chain_root(sc: SetComparison, own_by_id: dict[str, Migration], head: str) -> Migration:
    """The first of the branch's migrations below `head` (the one whose parent is REF's)."""
    if sc.chain and head == sc.chain[-1].revision:
        return sc.chain[0]
    current = own_by_id[head]
    seen = {head}
    while True:
        below = [p for p in current.down_revision if p in own_by_id and p not in seen]
        if not below:
            return current
        seen.add(below[0])
        current = own_by_id[below[0]]


def _stale_problem(sc: SetComparison, root: Migration, head: str, ref: str) -> Problem:
    parents = [p for p in root.down_revision if p not in sc.own_ids]
    parent = parents[0] if parents else None
    after = []
    if parent is not None and parent in sc.ref:
        heads = set(sc.ref.heads)
        after = sorted(({parent} | sc.ref.descendants(parent)) & heads, key=sc.ref.order_key)
    landed_ids = {m.revision for m in sc.landed}
    since = [r for r in sc.ref.child_ids(parent)] if parent in sc.ref else []
    landed_on = [r for r in since if r in landed_ids]
    what = (f"no longer {ref}'s head ({ref} has since added {', '.join(landed_on)} on it)" if landed_on
            else f"not {ref}'s head ({', '.join(after) or 'no head'} {'is' if len(after) < 2 else 'are'})")
    fix = (f"; `chaintui fix --against {ref}` moves this branch's migrations after {after[0]}"
           if len(after) == 1 and sc.chain and sc.chain[0] is root else "")
    return _problem(
        STALE_PARENT,
        f"{root.name} revises {parent}, which is {what}: merging leaves two heads "
        f"({', '.join(after) or '?'} and this branch's {head}){fix}",
        [root], [root.revision, head], root.line_of("down_revision"))


def _where(others: list[Migration], landed: set[str], ref: str) -> str:
    names = ", ".join(m.name for m in others)
    since = " (landed since the fork)" if any(m.rel in landed for m in others) else ""
    return f"{ref}'s {names}{since}"


def _fmt(number: tuple[int, str]) -> str:
    return f"{number[0]}{number[1]}"
