"""Loops: which edge of each loop is cut (the one edited last), and finding the loops."""

from __future__ import annotations

from collections import defaultdict

from chaintui.order import IntendedOrder
from chaintui.target.model import first_landed


def cut_loops(alive, valid, slots, frozen, git, prelim: IntendedOrder, reasons: dict[str, str]) -> None:
    """Turn the edge of each loop that was edited last into a cut slot.

    A loop may run through an id two files declare (an ambiguous slot): such a slot counts as an
    edge to each of them, and is the edge cut when it is the one to cut.
    """
    by_rel = {m.rel: m for m in alive}
    by_id: dict[str, list[str]] = defaultdict(list)
    for m in alive:
        by_id[m.revision].append(m.rel)
    edited: dict[str, int | None] = {}
    for _ in range(len(alive)):
        loose = {rel: list(ps) for rel, ps in valid.items()}
        for rel, entries in slots.items():
            loose[rel] += [p for _, kind, named in entries if kind == "ambiguous" for p in by_id[named]]
        components = _loops(loose)
        if not components:
            return
        for component in components:
            members = set(component)
            edges = [(c, p) for c in component for p in loose[c] if p in members and c not in frozen]
            if not edges:
                continue
            if git is not None:
                for child, _ in edges:
                    if child not in edited:
                        m = by_rel[child]
                        edited[child] = git.edited_after_landing(m, m.line_of("down_revision"))
            blamed = {c: edited[c] for c, _ in edges if edited.get(c) is not None}
            # Its own header naming another parent (outside the loop) shows an edited line too.
            said = [(c, p) for c, p in edges if by_rel[c].header.revises
                    and by_rel[p].revision not in by_rel[c].header.revises
                    and set(by_rel[c].header.revises) - {by_rel[x].revision for x in members}]
            if blamed:
                child = max(blamed, key=blamed.get)
                parent = next(p for c, p in edges if c == child)
                reasons[child] = "edited after it landed (git blame)"
            elif said:
                child, parent = min(said, key=lambda e: prelim.pos(e[0]))
                reasons[child] = "its own header still names another parent"
            else:  # the line written last: that of the file that landed last
                child, parent = max(edges, key=lambda e: (first_landed(prelim, by_rel[e[0]]), prelim.pos(e[0])))
                reasons[child] = "it landed last, so its down_revision was written last"
            m, named = by_rel[child], by_rel[parent].revision
            index = next(i for i, p in enumerate(m.down_revision) if p == named)
            if parent in valid[child]:
                valid[child].remove(parent)
            slots[child] = [entry for entry in slots[child] if entry[2] != named] + [(index, "cut", named)]


def _loops(valid: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components with more than one file, or a self-loop (iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    result = []
    counter = 0
    for start in valid:
        if start in index:
            continue
        work = [(start, iter(valid[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            node, edges = work[-1]
            advanced = False
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(valid[nxt])))
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
                component = []
                while True:
                    member = stack.pop()
                    on.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in valid[node]:
                    result.append(component)
    return result

