"""The repaired graph the planner aims for, derived from the intended order (chaintui.order).

The planner does not fix problem after problem; it computes where every file should end up
and then emits the difference as fixes. The derivation, for one migration set:

1. **Removals.** Stale copies (chaintui.copies) and extra roots that only re-create the main
   line's tables are removed.
2. **Slots.** Every `down_revision` entry of every file is either a valid edge (it names one
   file), or a slot to decide: *dangling* (names nothing), *ambiguous* (names an id several
   files declare), *cut* (the edge of a loop edited last, git blame; without git, the one
   pointing forward in the order) or *root* (an extra root that nothing joins to the main one).
3. **Order.** The intended order of all files under the valid edges.
4. **Decide slots.** A dangling slot takes what names it explicitly (git shows the id was
   renamed to that file; the id is that file's name), else the file right before it in the
   intended order. A cut slot takes its own `Revises:` header when that names a revision
   outside the loop, else the file before it. An ambiguous slot takes the copy it meant: the
   one whose tables it needs, else the newest one before it in the order. An extra root
   follows the file before it.
5. **Duplicates.** Files sharing an id (or a number, when they fork) stay at their position:
   siblings are chained in the intended order, later work follows the last of them, and every
   file but the one later migrations build on gets an id in the project's style (`017a`).
6. **Heads.** Several heads left on one branch are merged (a merge revision) or linearized
   (the files that are not common to all heads are re-chained in the intended order, cutting
   as few edges as possible: a later-landed branch goes after the other) as the team does
   (chaintui.policy).

Each change is owned by one decision; chaintui.planner turns decisions into fix objects, one
commit each.
"""

from __future__ import annotations

from chaintui.target.derive import derive
from chaintui.target.heads import heads_of
from chaintui.target.model import Decision, MergeSpec, Target, ancestors

__all__ = ["Decision", "MergeSpec", "Target", "ancestors", "derive", "heads_of"]
