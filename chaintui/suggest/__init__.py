"""Ranked suggestions: which parent a revision meant (`parents`), which duplicate to keep and
which copy a child meant (`keep`).

Every suggestion is an Option with a score (higher is better) and the reasons behind it, shown
to the user in the plan and in the TUI's choice dialogs. The signals are the ones a careful
engineer would look at, each worth a few points:

- the text of a dangling id: equal to or starting like another file's name or id
  (`003_essential_tables` -> `003_enhanced_content_metadata`, `0003_add_x` -> `0003`), or the
  id a file declared before `git log` shows it was renamed away;
- the migration's own header (`Revises:` naming an existing revision);
- the project's numbering (the previous number: `008a` between `008` and `009`);
- the `Create Date:` order (the newest revision created before it);
- git history (the newest migration when this file was first committed) - optional and cheap:
  one `git log --name-status` walk per project, plus one `git log -G` for dangling ids;
- the schema: a parent whose ancestry creates the tables this migration (and everything below
  it) needs ranks higher; one that would run it before those tables exist, or make it create a
  table again, ranks lower.
"""

from chaintui.suggest.keep import is_redundant_root, rank_keep, rank_meant
from chaintui.suggest.parents import Option, rank_parents

__all__ = ["Option", "is_redundant_root", "rank_keep", "rank_meant", "rank_parents"]
