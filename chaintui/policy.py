"""Merge or linearize: how several heads are resolved, as the team does it.

In order, the first rule that applies decides (and the plan names it):

1. `--db URL` shows revisions of two or more of the branches applied: **merge**. Moving an
   applied branch would rewrite history that database has run; a merge revision changes nothing
   it has seen. (When only one branch is applied, linearizing puts it first and the others after
   it, which that database can still upgrade through.)
2. `[tool.chaintui] heads = "merge" | "linearize"` in pyproject.toml.
3. The history itself: the most recent head resolution it shows, in the intended order. A merge
   revision (a file with several parents) is one; so is a relink, which leaves a trace when its
   author edited `down_revision` and not the `Revises:` header (the header still names the old
   parent). A team whose latest resolution was a merge revision merges.
4. Otherwise **linearize**: what most teams want after parallel pull requests, one line.
"""

from __future__ import annotations

from chaintui.settings import Settings


def decide(t, settings: Settings, applied: frozenset[str] | set[str]) -> tuple[str, str]:
    """(policy, the sentence saying which rule decided) for the target `t` (chaintui.target)."""
    from chaintui.target import ancestors, heads_of

    groups = [g for g in heads_of(t) if len(g) > 1]
    if not groups:
        return "linearize", ""
    if applied:
        from chaintui.db import applied_closure

        done = applied_closure(t.graph, applied)
        for group in groups:
            lines = [ancestors(t, h) for h in group]
            common = set.intersection(*lines)
            hit = [h for h, line in zip(group, lines)
                   if any(t.graph.by_rel[r].revision in done for r in line - common)]
            if len(hit) >= 2:
                names = ", ".join(t.graph.by_rel[h].revision for h in hit)
                return "merge", (f"the database (--db) has applied revisions of {len(hit)} of the branches "
                                 f"(heads {names}): moving one would rewrite history it has run, so a merge "
                                 "revision joins them")
    if settings.heads:
        return settings.heads, f"[tool.chaintui] heads = \"{settings.heads}\" in pyproject.toml"
    merges = [m for m in t.graph.revisions if len(m.down_revision) > 1 and m.rel in t.order.index]
    relinks = [m for m in t.graph.revisions if len(m.down_revision) == 1 and m.rel in t.order.index
               and m.header.revises and set(m.header.revises) != set(m.down_revision)]
    latest_merge = max(merges, key=t.order.pos, default=None)
    latest_relink = max(relinks, key=t.order.pos, default=None)
    if latest_merge is not None and (latest_relink is None or t.order.before(latest_relink, latest_merge)):
        return "merge", (f"the history resolves heads with merge revisions (the latest: {latest_merge.name}), "
                         "so a merge revision joins them")
    if latest_relink is not None and latest_merge is not None:
        return "linearize", (f"the latest head resolution in the history was a relink ({latest_relink.name}'s "
                             f"header still names {', '.join(latest_relink.header.revises)}), after the merge "
                             f"revision {latest_merge.name}: the later-landed branch goes after the other")
    return "linearize", ("no merge revision in the history: the later-landed branch goes after the other, "
                         "one line (set [tool.chaintui] heads = \"merge\" to merge instead)")
