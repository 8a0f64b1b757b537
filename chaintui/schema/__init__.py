"""Schema operations of migrations, and the order they need (tables created before use).

- `extract`: read the `op.*` calls of `upgrade()` from a migration's `ast` (the scanner's job);
- `ops`: what each operation does to the set of existing tables;
- `states`: the tables that exist after each revision, as persistent sets (linear memory);
- `checks`: the `schema-order` warnings and what a relink would break.

Everything other modules import from `chaintui.schema` is re-exported here.
"""

from chaintui.schema.checks import _check, _describe, order_warnings, schema_problems
from chaintui.schema.extract import extract_ops
from chaintui.schema.ops import (ALTER, CREATE, DROP, REFERENCE, RENAME, apply_ops, changes, creates,
                                 needs)
from chaintui.schema.states import (EMPTY, Tables, TableStates, clean_revisions, creators,
                                    table_presence, whole_ancestry)

__all__ = [
    "ALTER", "CREATE", "DROP", "EMPTY", "REFERENCE", "RENAME", "TableStates", "Tables", "apply_ops",
    "changes", "clean_revisions", "creates", "creators", "extract_ops", "needs", "order_warnings",
    "schema_problems", "table_presence", "whole_ancestry", "_check", "_describe",
]
