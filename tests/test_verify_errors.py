"""A failing `verify`: the failing migration, the statement and the database's own message,
never only SQLAlchemy's "(Background on this error at: …)" link."""

from __future__ import annotations

from chaintui.verify import _last_error, verify
from tests.builders import write_project
from tests.conftest import run_chaintui


def _broken(tmp_path):
    return write_project(tmp_path / "p", [
        ("a1", None),
        ("b2", "a1", {"message": "add x to nope",
                      "upgrade": ["op.add_column('nope', sa.Column('x', sa.Integer()))"]}),
        ("c3", "b2"),
    ])


def test_cli_names_the_migration_the_statement_and_the_database_message(tmp_path):
    root = _broken(tmp_path)
    proc = run_chaintui("verify", str(root), "--sqlite", timeout=120)
    assert proc.returncode == 1
    out = proc.stdout
    assert "FAIL upgrade head (scratch SQLite): upgrade() of b2 (migrations/versions/b2_add_x_to_nope.py" in out
    assert "no such table: nope" in out
    assert "statement: ALTER TABLE nope ADD COLUMN x INTEGER" in out
    assert "Background on this error" not in out and "Traceback" not in out


def test_the_result_keeps_the_failure_on_its_step(tmp_path):
    result = verify(_broken(tmp_path), sqlite=True)
    failed = [s for s in result.steps if not s.ok]
    assert not result.ok and len(failed) == 1
    first, statement = failed[0].output.splitlines()
    assert first.startswith("upgrade() of b2") and first.endswith("sqlite3.OperationalError: no such table: nope")
    assert statement == "statement: ALTER TABLE nope ADD COLUMN x INTEGER"


def test_a_traceback_without_a_report_gives_its_exception_line_not_the_link():
    stderr = ("Traceback (most recent call last):\n  File \"x.py\", line 1, in <module>\n"
              "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) table users already exists\n"
              "[SQL: CREATE TABLE users (id INTEGER NOT NULL)]\n"
              "(Background on this error at: https://sqlalche.me/e/20/e3q8)\n")
    assert _last_error(stderr) == ("sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) "
                                   "table users already exists")
