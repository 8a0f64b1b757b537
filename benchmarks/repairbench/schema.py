"""DDL whose order matters on SQLite: the operations a generated migration performs.

A `Schema` is the database as it stands after the migrations so far, in the intended order.
`next_ops` picks one migration's operations from it (creating a table, adding a column or an
index to a table an earlier migration created, dropping or renaming what an earlier one made),
applies them, and returns each with its upgrade and downgrade code, so that running the chain in
any other order is likely to fail on SQLite (`add_column` on a table that does not exist yet,
`create_table` of a table that exists). Names are never reused (a `Names` registry is shared by
every copy of a schema), so two parallel branches never collide by accident.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass, field

WORDS = ("users", "orders", "invoices", "teams", "tags", "posts", "audit_log", "media", "billing",
         "events", "sessions", "api_keys", "webhooks", "drafts", "plans", "notes", "alerts",
         "reports", "groups", "roles", "projects", "comments", "payments", "coupons", "devices")
COLUMNS = ("email", "status", "created_at", "title", "amount", "locale", "public_uuid", "score",
           "archived", "priority", "slug", "owner_id", "engagement", "retries", "color", "kind")
TYPES = ("sa.Integer()", "sa.String(64)", "sa.Boolean()", "sa.DateTime()")


class Names:
    """Every table, column and index name ever used in one project (never reused)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def fresh(self, base: str) -> str:
        name, k = base, 2
        while name in self.used:
            name, k = f"{base}_{k}", k + 1
        self.used.add(name)
        return name


@dataclass
class Table:
    name: str
    columns: dict[str, str] = field(default_factory=dict)
    """Column name -> type expression (besides `id`, the primary key)."""
    fk: str | None = None
    """The table this one's `<fk>_id` column references."""
    added: set[str] = field(default_factory=set)
    """Columns that an add_column made (the ones a later migration may drop)."""
    indexes: dict[str, str] = field(default_factory=dict)
    """Index name -> column."""


@dataclass
class Op:
    up: list[str]
    down: list[str]
    slug: str
    creates: list[str] = field(default_factory=list)
    replay: Callable[[Schema], None] | None = None
    """For additive operations: make the same change in another schema (a branch's work
    generated on a copy of the fork point's schema is applied to main's in landing order)."""


class Schema:
    def __init__(self, names: Names) -> None:
        self.names = names
        self.tables: dict[str, Table] = {}
        self.recent: list[str] = []

    def copy(self) -> Schema:
        other = Schema(self.names)
        other.tables = copy.deepcopy(self.tables)
        other.recent = list(self.recent)
        return other

    def referenced(self, name: str) -> bool:
        return any(t.fk == name for t in self.tables.values())

    def _touch(self, name: str) -> None:
        if name in self.recent:
            self.recent.remove(name)
        self.recent.append(name)
        del self.recent[:-6]

    def _pick(self, rng: random.Random, names: list[str]) -> str:
        recent = [n for n in self.recent if n in names]
        return rng.choice(recent) if recent and rng.random() < 0.7 else rng.choice(sorted(names))

    def _add_table(self, table: Table) -> None:
        self.tables[table.name] = table
        self._touch(table.name)

    def _add_column(self, name: str, column: str, kind: str) -> None:
        self.tables[name].columns[column] = kind
        self.tables[name].added.add(column)
        self._touch(name)

    # -- operations -------------------------------------------------------------------------
    def create_table(self, rng: random.Random) -> Op:
        name = self.names.fresh(rng.choice(WORDS))
        table = Table(name, {"name": "sa.String(64)"})
        if self.tables and rng.random() < 0.5:
            table.fk = self._pick(rng, list(self.tables))
        self.tables[name] = table
        self._touch(name)
        snapshot = copy.deepcopy(table)
        return Op([_create(table)], [f'op.drop_table("{name}")'], f"create_{name}", [name],
                  lambda s: s._add_table(copy.deepcopy(snapshot)))

    def add_column(self, rng: random.Random) -> Op:
        name = self._pick(rng, list(self.tables))
        column = self.names.fresh(f"{rng.choice(COLUMNS)}")
        kind = rng.choice(TYPES)
        table = self.tables[name]
        table.columns[column] = kind
        table.added.add(column)
        self._touch(name)
        return Op([f'op.add_column("{name}", sa.Column("{column}", {kind}, nullable=True))'],
                  [_batch_drop(name, column)], f"add_{column}_to_{name}",
                  replay=lambda s: s._add_column(name, column, kind))

    def create_index(self, rng: random.Random) -> Op | None:
        options = [(t.name, c) for t in self.tables.values() for c in t.columns if c not in t.indexes.values()]
        if not options:
            return None
        recent = [o for o in options if o[0] in self.recent[-3:]]
        name, column = rng.choice(recent if recent and rng.random() < 0.7 else options)
        index = self.names.fresh(f"ix_{name}_{column}")
        self.tables[name].indexes[index] = column
        self._touch(name)
        return Op([f'op.create_index("{index}", "{name}", ["{column}"])'],
                  [f'op.drop_index("{index}", table_name="{name}")'], f"add_{index}",
                  replay=lambda s: s.tables[name].indexes.__setitem__(index, column))

    def drop_column(self, rng: random.Random) -> Op | None:
        options = [(t.name, c) for t in self.tables.values() for c in sorted(t.added) if c not in t.indexes.values()]
        if not options:
            return None
        name, column = rng.choice(options)
        table = self.tables[name]
        kind = table.columns.pop(column)
        table.added.discard(column)
        self._touch(name)
        return Op([_batch_drop(name, column)],
                  [f'op.add_column("{name}", sa.Column("{column}", {kind}, nullable=True))'],
                  f"drop_{column}_from_{name}")

    def rename_table(self, rng: random.Random) -> Op | None:
        options = [t.name for t in self.tables.values() if t.fk is None and not self.referenced(t.name)]
        if not options:
            return None
        old = rng.choice(sorted(options))
        new = self.names.fresh(f"{old.split('_')[0]}_archive" if rng.random() < 0.5 else f"legacy_{old}")
        table = self.tables.pop(old)
        table.name = new
        self.tables[new] = table
        self.recent = [new if n == old else n for n in self.recent]
        self._touch(new)
        return Op([f'op.rename_table("{old}", "{new}")'], [f'op.rename_table("{new}", "{old}")'],
                  f"rename_{old}_to_{new}", [new])

    def drop_table(self, rng: random.Random) -> Op | None:
        options = [t.name for t in self.tables.values() if not self.referenced(t.name)]
        if len(self.tables) < 4 or not options:
            return None
        name = rng.choice(sorted(options))
        table = self.tables.pop(name)
        if name in self.recent:
            self.recent.remove(name)
        down = [_create(table)] + [f'op.create_index("{ix}", "{name}", ["{c}"])' for ix, c in table.indexes.items()]
        return Op([f'op.drop_table("{name}")'], down, f"drop_{name}")

    def next_ops(self, rng: random.Random, additive: bool = False) -> list[Op]:
        """One migration's operations (applied to this schema). `additive`: only create/add,
        so that the migration commutes with a parallel branch's."""
        ops: list[Op] = []
        for _ in range(1 if rng.random() < 0.7 else 2):
            op = None
            while op is None:
                if not self.tables:
                    op = self.create_table(rng)
                    break
                roll = rng.random()
                if roll < 0.35:
                    op = self.create_table(rng)
                elif roll < 0.62:
                    op = self.add_column(rng)
                elif roll < 0.78:
                    op = self.create_index(rng)
                elif additive:
                    continue
                elif roll < 0.87:
                    op = self.drop_column(rng)
                elif roll < 0.94:
                    op = self.rename_table(rng)
                else:
                    op = self.drop_table(rng)
            ops.append(op)
        return ops

    def baseline(self, rng: random.Random) -> Op:
        """A second baseline: re-creates (without applying) 2-4 tables that exist now."""
        chosen = rng.sample(sorted(self.tables), min(len(self.tables), rng.randint(2, 4)))
        tables = [self.tables[n] for n in chosen]
        return Op([_create(t) for t in tables], [f'op.drop_table("{t.name}")' for t in reversed(tables)],
                  "initial_schema")


def _create(table: Table) -> str:
    cols = ['sa.Column("id", sa.Integer(), primary_key=True)']
    cols += [f'sa.Column("{c}", {kind}, nullable=True)' for c, kind in table.columns.items()]
    if table.fk:
        cols.append(f'sa.Column("{table.fk}_id", sa.Integer(), sa.ForeignKey("{table.fk}.id"))')
    inner = ",\n        ".join(cols)
    return f'op.create_table(\n        "{table.name}",\n        {inner},\n    )'


def _batch_drop(table: str, column: str) -> str:
    return f'with op.batch_alter_table("{table}") as batch_op:\n        batch_op.drop_column("{column}")'
