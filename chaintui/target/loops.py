"""Loops: which edge of each loop is cut (the one edited last)."""

from __future__ import annotations

from collections import defaultdict

from chaintui.graph import strongly_connected
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
        components = strongly_connected(loose, loose.__getitem__)
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
                child, parent = max(edges, key=lambda e: first_landed(prelim, e[0]))
                reasons[child] = "it landed last, so its down_revision was written last"
            m, named = by_rel[child], by_rel[parent].revision
            index = next(i for i, p in enumerate(m.down_revision) if p == named)
            if parent in valid[child]:
                valid[child].remove(parent)
            slots[child] = [entry for entry in slots[child] if entry[2] != named] + [(index, "cut", named)]
