"""Schema-aware checks: reading op.* calls statically, and schema-order warnings."""

from __future__ import annotations

import textwrap
from pathlib import Path

import ast
import pytest

from chaintui.analysis import analyze
from chaintui.demo import build_demo
from chaintui.graph import RevisionGraph
from chaintui.model import Migration, MigrationSet
from chaintui.scanner import scan_bytes
from chaintui.schema import extract_ops, order_warnings, schema_problems


def ops_of(body: str, extra: str = ""):
    source = ('"""doc"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
              'revision = "a"\ndown_revision = None\n' + extra + "\n\ndef upgrade():\n"
              + textwrap.indent(textwrap.dedent(body), "    ")
              + "\n\ndef downgrade():\n    op.drop_table('zzz')\n")
    module = ast.parse(source)
    return [(o.kind, o.table, o.line, o.op, o.guarded) for o in extract_ops(module, source)], source


def migration_source(rev: str, down, body: list[str], date: str | None = None) -> str:
    down_repr = repr(down) if not isinstance(down, list) else repr(tuple(down))
    lines = "\n    ".join(body or ["pass"])
    header = f"Revision ID: {rev}\nRevises: {down or ''}\n" + (f"Create Date: {date}\n" if date else "")
    return (f'"""step {rev}\n\n{header}\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
            f"revision = {rev!r}\ndown_revision = {down_repr}\nbranch_labels = None\ndepends_on = None\n\n\n"
            f"def upgrade():\n    {lines}\n\n\ndef downgrade():\n    pass\n")


def make_graph(specs, root: Path = Path("/p")) -> RevisionGraph:
    """specs: (rev, down, [upgrade lines]) or (rev, down, lines, filename)."""
    mset = MigrationSet(name="m", root=root, script_location=None, version_dirs=(root / "versions",))
    migrations = []
    for spec in specs:
        rev, down, body = spec[:3]
        name = spec[3] if len(spec) > 3 else f"{rev}_step.py"
        record = scan_bytes(migration_source(rev, down, body).encode())
        path = root / "versions" / name
        migrations.append(Migration(path=path, rel=f"versions/{name}", **record))
    return RevisionGraph(mset, migrations)


def create(t: str) -> str:
    return f'op.create_table("{t}", sa.Column("id", sa.Integer(), primary_key=True))'


def add(t: str, c: str = "x") -> str:
    return f'op.add_column("{t}", sa.Column("{c}", sa.Integer()))'


class TestExtract:
    def test_plain_ops_with_their_lines(self):
        ops, source = ops_of('''\
            op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True))
            op.add_column("users", sa.Column("x", sa.Integer()))
            op.create_index(op.f("ix_users_x"), "users", ["x"])
            op.drop_index("ix_old", table_name="legacy")
            op.create_foreign_key("fk", "posts", "users", ["user_id"], ["id"])
            op.rename_table("old", "new")
            op.drop_table("gone")
            op.drop_constraint("uq", "users")
        ''')
        lines = source.splitlines()
        assert [(k, t, o) for k, t, _, o, _ in ops] == [
            ("create_table", "users", "create_table"),
            ("alter_table", "users", "add_column"),
            ("alter_table", "users", "create_index"),
            ("alter_table", "legacy", "drop_index"),
            ("alter_table", "posts", "create_foreign_key"),
            ("reference", "users", "create_foreign_key"),
            ("rename_table", "old", "rename_table"),
            ("drop_table", "gone", "drop_table"),
            ("alter_table", "users", "drop_constraint"),
        ]
        for kind, table, line, op, _ in ops:
            assert f"op.{op}(" in lines[line - 1], (op, line)

    def test_batch_alter_table_block(self):
        ops, source = ops_of('''\
            with op.batch_alter_table("users", schema=None) as batch_op:
                batch_op.add_column(sa.Column("x", sa.Integer()))
                batch_op.drop_column("y")
            op.add_column("posts", sa.Column("z", sa.Integer()))
        ''')
        lines = source.splitlines()
        batch = [o for o in ops if o[3].startswith("batch_op.")]
        assert [(k, t, o) for k, t, _, o, _ in batch] == [
            ("alter_table", "users", "batch_op.add_column"), ("alter_table", "users", "batch_op.drop_column")]
        assert all(line > 0 and "batch_op." in lines[line - 1] for _, _, line, _, _ in batch)
        # the alias ends with its block: posts is an op.* call
        assert ops[-1][:2] == ("alter_table", "posts")

    def test_downgrade_and_nested_functions_are_ignored(self):
        ops, _ = ops_of('''\
            def later():
                op.drop_table("never")
            op.add_column("users", sa.Column("x", sa.Integer()))
        ''')
        assert [o[1] for o in ops] == ["users"]

    def test_helpers_called_from_upgrade_are_read_in_place(self):
        ops, source = ops_of('op.create_table("a")\n_more()\nop.add_column("b", sa.Column("x"))',
                             extra='\ndef _more():\n    op.drop_table("old")\n')
        assert [(k, t) for k, t, *_ in ops] == [("create_table", "a"), ("drop_table", "old"), ("alter_table", "b")]
        assert "op.drop_table" in source.splitlines()[ops[1][2] - 1]

    def test_conditional_and_if_not_exists_are_guarded(self):
        ops, _ = ops_of('''\
            if not inspector.has_table("t"):
                op.create_table("t")
            op.create_table("u", if_not_exists=True)
            op.create_table("v")
        ''')
        assert [(t, g) for _, t, _, _, g in ops] == [("t", True), ("u", True), ("v", False)]

    def test_foreign_keys_in_create_table_are_references(self):
        ops, _ = ops_of('op.create_table("posts", sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id")))')
        assert [(k, t) for k, t, *_ in ops] == [("create_table", "posts"), ("reference", "users")]

    def test_literal_sql(self):
        ops, _ = ops_of('op.execute("CREATE TABLE IF NOT EXISTS a (id int); ALTER TABLE b ADD COLUMN c int")\n'
                        'op.execute(sa.text(\'DROP TABLE "c"\'))')
        assert [(k, t, g) for k, t, _, _, g in ops] == [
            ("create_table", "a", True), ("alter_table", "b", False), ("drop_table", "c", False)]

    def test_schema_keyword_qualifies(self):
        ops, _ = ops_of('op.create_table("t", sa.Column("id"), schema="audit")')
        assert ops[0][1] == "audit.t"

    def test_scanner_fills_ops(self):
        record = scan_bytes(migration_source("a", None, [create("users"), add("users")]).encode())
        assert [(o.kind, o.table) for o in record["ops"]] == [("create_table", "users"), ("alter_table", "users")]
        assert all(o.line > 0 for o in record["ops"])


class TestSchemaProblems:
    def test_in_order_history_is_quiet(self):
        g = make_graph([("1", None, [create("users")]), ("2", "1", [add("users")]), ("3", "2", [create("posts")])])
        assert schema_problems(g) == []

    def test_alter_before_create_is_named(self):
        g = make_graph([("1", None, [create("users")]), ("2", "1", [add("posts")]), ("3", "2", [create("posts")])])
        [problem] = schema_problems(g)
        assert problem.code == "schema-order" and problem.severity == "warning"
        assert problem.revisions == ("2", "3")
        assert problem.files == ("versions/2_step.py", "versions/3_step.py")
        assert "'posts'" in problem.message and problem.line

    def test_create_twice_is_named(self):
        g = make_graph([("1", None, [create("users")]), ("2", "1", [create("users")])])
        [problem] = schema_problems(g)
        assert problem.revisions == ("2", "1") and "already created" in problem.message

    def test_pre_existing_tables_are_not_warned(self):
        # Nothing in the history creates `legacy`: a baseline may alter tables it never created.
        g = make_graph([("1", None, [add("legacy")]), ("2", "1", [add("legacy", "y")])])
        assert schema_problems(g) == []

    def test_drop_then_create_is_fine(self):
        g = make_graph([("1", None, [create("t")]), ("2", "1", ['op.drop_table("t")', create("t")])])
        assert schema_problems(g) == []

    def test_rename_carries_the_table(self):
        g = make_graph([("1", None, [create("a")]), ("2", "1", ['op.rename_table("a", "b")']),
                        ("3", "2", [add("b")]), ("4", "3", [create("a")])])
        assert schema_problems(g) == []

    def test_merge_point_sees_both_branches(self):
        g = make_graph([("1", None, []), ("2", "1", [create("a")]), ("3", "1", [create("b")]),
                        ("4", ["2", "3"], [add("a"), add("b")])])
        assert schema_problems(g) == []

    def test_broken_ancestry_stays_quiet(self):
        g = make_graph([("1", None, [create("users")]),
                        ("2", "nope", [add("posts")]),           # missing parent
                        ("3", "2", [create("posts")]),
                        ("4", "5", [add("posts")]), ("5", "4", []),  # loop
                        ("6", "1", []), ("6", "1", [], "6_other.py"),  # duplicate id
                        ("7", "6", [add("posts")])])
        assert schema_problems(g) == []

    def test_demo_is_quiet_but_a_wrong_order_is_not(self, tmp_path):
        root = build_demo(tmp_path / "demo")
        analysis = analyze(root, use_cache=False)
        assert [p for p in analysis.problems if p.code == "schema-order"] == []
        # 002 (alters users) made a base of its own: it and 003 (alters posts) lose their creators.
        path = root / "migrations/versions/002_add_user_settings.py"
        path.write_text(path.read_text().replace('down_revision = "001"', "down_revision = None")
                        .replace("down_revision: Union[str, Sequence[str], None] = \"001\"",
                                 "down_revision: Union[str, Sequence[str], None] = None"))
        problems = [p for p in analyze(root, use_cache=False).problems if p.code == "schema-order"]
        assert [p.revisions[0] for p in problems] == ["002", "003_enhanced_content_metadata"]
        assert problems[0].files[0] == "migrations/versions/002_add_user_settings.py"


class TestOrderWarnings:
    def test_relink_before_the_creator_is_named(self):
        g = make_graph([("1", None, [create("users")]), ("2", "1", [create("posts")]),
                        ("3", "2", [add("posts")])])
        m = g.by_id["3"][0]
        assert order_warnings(g, m, ["2"]) == []
        [warning] = order_warnings(g, m, ["1"])
        assert "3 would alter table 'posts'" in warning and "2_step.py" in warning

    def test_descendants_are_checked_too(self):
        g = make_graph([("1", None, [create("users")]), ("2", "1", [create("posts")]),
                        ("3", "2", []), ("4", "3", [add("posts")])])
        warnings = order_warnings(g, g.by_id["3"][0], ["1"])
        assert len(warnings) == 1 and warnings[0].startswith("4 would alter")

    def test_existing_problems_are_not_blamed_on_the_relink(self):
        g = make_graph([("1", None, []), ("2", "1", [add("posts")]), ("3", "2", [create("posts")]),
                        ("4", "3", [])])
        assert order_warnings(g, g.by_id["4"][0], ["2"]) == []

    def test_recreating_is_named(self):
        g = make_graph([("1", None, [create("users")]), ("2", None, [create("users")])])
        [warning] = order_warnings(g, g.by_id["2"][0], ["1"])
        assert "would create table 'users'" in warning
