"""Static view of one state of an Alembic versions folder, for `mine_real.py`.

Reads each migration file's `revision`, `down_revision`, `branch_labels` and `depends_on` without
importing it (the same reading as the judge, `eval.py`'s `revision_stmts`: top-level assignments,
with a line-based fallback for files that do not parse, e.g. Python 2), and finds the problems
alembic would refuse — in chaintui's problem codes, so a mined case's `kinds` can be compared
with what `chaintui check` reports:

- `parse-error`: no literal string `revision`;
- `duplicate-revision`: one id declared by two or more files;
- `missing-parent` / `missing-dependency`: a `down_revision` / `depends_on` nobody declares;
- `cycle`: a loop of `down_revision` edges;
- `multiple-bases`: roots that no merge revision joins and that carry no branch label of their own;
- `multiple-heads`: more than one head on one branch (heads grouped by the branch labels they
  descend from, so separately labelled branches are not counted);
- `duplicate-branch-label`, `invalid-revision-id`;
- `duplicate-number` (a warning, as in chaintui): two files whose names start with the same
  number (`017_x.py`, `017_y.py`) but which declare distinct ids.

Heads and bases are computed as alembic's RevisionMap does: a head is a revision no other
revision names in `down_revision`; a base is one whose `down_revision` is empty.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass

ERRORS = ("parse-error", "duplicate-revision", "missing-parent", "missing-dependency", "cycle",
          "multiple-bases", "multiple-heads", "duplicate-branch-label", "invalid-revision-id")
NUMBER = re.compile(r"^(\d{1,7})_")          # 017_x.py; 8+ digits are dates or hex, not numbers
BAD_ID = re.compile(r"[@\-+: ]")


def revision_stmts(src: str) -> list[str]:
    """source segments of the top-level revision variables (and docstring); tolerant of Python 2
    files. Kept identical in behaviour to the judge's (eval.py) so both read the same graph."""
    try:
        out = []
        for n in ast.parse(src).body:
            t = [x.id for x in getattr(n, "targets", [getattr(n, "target", None)]) if isinstance(x, ast.Name)]
            if set(t) & {"revision", "down_revision", "branch_labels", "depends_on"} or (
                    isinstance(n, ast.Expr) and isinstance(getattr(n, "value", None), ast.Constant)):
                out.append(ast.get_source_segment(src, n))
        return out
    except SyntaxError:
        out, lines, i = [], src.splitlines(), 0
        while i < len(lines):
            if re.match(r"(revision|down_revision|branch_labels|depends_on)\b\s*(:[^=]*)?=", lines[i]):
                seg = lines[i]
                while seg.count("(") + seg.count("[") > seg.count(")") + seg.count("]") and i + 1 < len(lines):
                    i += 1
                    seg += "\n" + lines[i]
                out.append(seg)
            i += 1
        return out


@dataclass(frozen=True)
class Mig:
    revision: str | None            # None: no literal string id (a parse error)
    down: tuple[str, ...]
    labels: tuple[str, ...]
    depends: tuple[str, ...]


def _as_tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (tuple, list)):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def parse_migration(data: bytes) -> Mig:
    src = data.decode("utf-8", errors="replace")
    vals = {}
    for seg in revision_stmts(src):
        m = re.match(r"(\w+)\s*(:[^=]*)?=\s*(.*)", seg or "", re.S)
        if m and m.group(1) in ("revision", "down_revision", "branch_labels", "depends_on"):
            try:
                vals[m.group(1)] = ast.literal_eval(m.group(3).strip())
            except Exception:
                pass
    rev = vals.get("revision")
    return Mig(rev if isinstance(rev, str) and rev else None, _as_tuple(vals.get("down_revision")),
               _as_tuple(vals.get("branch_labels")), _as_tuple(vals.get("depends_on")))


def _cycles(parents: dict[str, list[str]]) -> list[list[str]]:
    """strongly connected components with a loop (iterative Tarjan)"""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for root in sorted(parents):
        if root in index:
            continue
        work = [(root, iter(parents[root]))]
        index[root] = low[root] = counter[0]; counter[0] += 1; stack.append(root); on.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in parents:
                    continue
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]; counter[0] += 1; stack.append(nxt); on.add(nxt)
                    work.append((nxt, iter(parents[nxt])))
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
                comp = []
                while True:
                    w = stack.pop(); on.discard(w); comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1 or node in parents[node]:
                    out.append(sorted(comp))
    return out


@dataclass
class State:
    """the graph of one folder state and its problems"""
    files: dict[str, Mig]
    parents: dict[str, list[str]]
    heads: list[str]
    bases: list[str]
    problems: list[list]             # [code, detail], in ERRORS order, then duplicate-number
    derived: set[str]                # codes that are only a consequence of another problem

    @property
    def errors(self) -> set[str]:
        return {code for code, _ in self.problems if code in ERRORS}

    @property
    def kinds(self) -> list[str]:
        return [c for c in dict.fromkeys(code for code, _ in self.problems) if c not in self.derived]


def analyse(files: dict[str, Mig]) -> State:
    found: dict[str, list] = defaultdict(list)
    by_id: dict[str, list[str]] = defaultdict(list)
    for name, mig in sorted(files.items()):
        if mig.revision is None:
            found["parse-error"].append(name)
        else:
            by_id[mig.revision].append(name)
    dup = {rev for rev, names in by_id.items() if len(names) > 1}
    for rev in sorted(dup):
        found["duplicate-revision"].append(rev)
    for rev in sorted(by_id):
        if BAD_ID.search(rev):
            found["invalid-revision-id"].append(rev)
    parents: dict[str, list[str]] = {}
    labels: dict[str, set[str]] = defaultdict(set)
    owners: dict[str, set[str]] = defaultdict(set)
    for rev, names in by_id.items():
        parents[rev] = list(dict.fromkeys(d for n in names for d in files[n].down))
        for n in names:
            for lab in files[n].labels:
                labels[rev].add(lab); owners[lab].add(rev)
    for lab in sorted(owners):
        if len(owners[lab]) > 1:
            found["duplicate-branch-label"].append([lab, sorted(owners[lab])])
    for rev in sorted(parents):
        for d in parents[rev]:
            if d not in parents:
                found["missing-parent"].append([rev, d])
        for n in by_id[rev]:
            for d in files[n].depends:
                if d not in parents and d not in owners:
                    found["missing-dependency"].append([rev, d])
    loops = _cycles(parents)
    if loops:                        # one detail: every revision on a loop
        found["cycle"].extend(sorted({r for loop in loops for r in loop}))
    referenced = {d for ps in parents.values() for d in ps}
    heads = sorted(r for r in parents if r not in referenced)
    bases = sorted(r for r in parents if not parents[r])
    # heads per branch: the labels a head descends from (itself included)
    memo: dict[str, frozenset] = {}
    def branch(rev: str) -> frozenset:
        seen, todo, out = set(), [rev], set()
        while todo:
            r = todo.pop()
            if r in seen or r not in parents:
                continue
            seen.add(r); out |= labels.get(r, set()); todo.extend(parents[r])
        return frozenset(out)
    groups: dict[frozenset, list[str]] = defaultdict(list)
    for h in heads:
        groups[memo.setdefault(h, branch(h))].append(h)
    for key in sorted(groups, key=sorted):
        if len(groups[key]) > 1:
            found["multiple-heads"].append(sorted(groups[key]))
    # roots: joined when a merge revision connects them (one undirected component)
    comp = {r: r for r in parents}
    def find(r):
        while comp[r] != r:
            comp[r] = comp[comp[r]]; r = comp[r]
        return r
    for rev, ps in parents.items():
        for p in ps:
            if p in comp:
                comp[find(rev)] = find(p)
    unlabeled = [b for b in bases if not labels.get(b)]
    if len({find(b) for b in unlabeled}) > 1:
        found["multiple-bases"].append(unlabeled)
    numbers: dict[str, list[str]] = defaultdict(list)
    for name, mig in sorted(files.items()):
        m = NUMBER.match(name)
        if m and mig.revision:
            numbers[m.group(1)].append(name)
    for num in sorted(numbers):
        if len({files[n].revision for n in numbers[num]}) > 1:
            found["duplicate-number"].append([num, numbers[num]])
    problems = [[code, found[code]] for code in (*ERRORS, "duplicate-number") if found.get(code)]
    derived = set()
    if loops and all(set(loop) & dup for loop in loops):
        derived.add("cycle")         # a loop only through a duplicated id: the duplicate's doing
    return State(files, parents, heads, bases, problems, derived)
