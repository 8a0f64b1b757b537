"""The static scanner on the messy files real histories contain (DESIGN.md)."""

from __future__ import annotations

import sys

import pytest

from chaintui.analysis import analyze
from chaintui.scanner import scan_bytes
from tests.builders import render_migration, write_project


def scan(text: str | bytes) -> dict:
    return scan_bytes(text.encode() if isinstance(text, str) else text)


def test_alembic_template_is_read_with_positions():
    source = render_migration("ae1027a6acf", "1975ea83b712", message="add account")
    record = scan(source)
    assert record["error"] is None
    assert record["revision"] == "ae1027a6acf"
    assert record["down_revision"] == ("1975ea83b712",)
    assert record["branch_labels"] == () and record["depends_on"] == ()
    lines = source.splitlines()
    for key in ("revision", "down_revision", "branch_labels", "depends_on"):
        line = record["fields"][key].line
        assert lines[line - 1].startswith(f"{key}:"), (key, line)
    header = record["header"]
    assert header.revision_id == "ae1027a6acf" and header.revises == ("1975ea83b712",)
    assert header.message == "add account"
    assert lines[header.revision_line - 1] == "Revision ID: ae1027a6acf"
    assert lines[header.revises_line - 1] == "Revises: 1975ea83b712"


def test_u_prefix_and_encoding_line():
    source = ("# -*- coding: latin-1 -*-\n"
              '"""caf\xe9 table\n\nRevision ID: 3f2a\nRevises: 1b0c\n"""\n'
              "revision = u'3f2a'\ndown_revision = u'1b0c'\n").encode("latin-1")
    record = scan(source)
    assert record["error"] is None
    assert (record["revision"], record["down_revision"]) == ("3f2a", ("1b0c",))
    assert record["header"].message == "caf\xe9 table"
    assert record["fields"]["revision"].raw == "u'3f2a'"


def test_key_assigned_twice_last_wins_with_its_line_and_count():
    record = scan("revision = 'old'\ndown_revision = None\n\nrevision = 'new'\n")
    assert record["revision"] == "new"
    assert record["fields"]["revision"].line == 4
    assert record["fields"]["revision"].count == 2


def test_docstring_after_imports_is_the_header():
    record = scan('from alembic import op\nimport sqlalchemy as sa\n\n'
                  '"""add things\n\nRevision ID: a1\nRevises: a0\n"""\n'
                  "revision = 'a1'\ndown_revision = 'a0'\n")
    assert record["header"].revision_id == "a1"
    assert record["header"].revises == ("a0",)
    assert record["header"].message == "add things"
    assert record["header"].revision_line == 6


def test_comment_header():
    record = scan("# Revision ID: a1\n# Revises: a0\n# Create Date: 2014-03-01\n\n"
                  "revision = 'a1'\ndown_revision = 'a0'\n")
    header = record["header"]
    assert header.in_comments
    assert (header.revision_id, header.revises, header.create_date) == ("a1", ("a0",), "2014-03-01")
    assert (header.revision_line, header.revises_line) == (1, 2)
    assert record["fields"]["revision"].line == 5


def test_header_that_disagrees_is_kept_but_variables_win():
    record = scan('"""x\n\nRevision ID: zz\nRevises: yy\n"""\nrevision = "a1"\ndown_revision = "a0"\n')
    assert record["revision"] == "a1" and record["down_revision"] == ("a0",)
    assert record["header"].revision_id == "zz" and record["header"].revises == ("yy",)


def test_crlf_header_values_have_no_carriage_return():
    # A Windows checkout: without stripping \r every file would get a bogus header-mismatch.
    record = scan(b'"""m\r\n\r\nRevision ID: a1\r\nRevises: a0\r\n"""\r\nrevision = "a1"\r\ndown_revision = "a0"\r\n')
    assert record["header"].revision_id == "a1"
    assert record["header"].revises == ("a0",)
    assert record["fields"]["down_revision"].line == 7


@pytest.mark.parametrize("expr", ["(cli.CONTRACT_BRANCH,)", "cli.EXPAND_BRANCH", "labels()", "('a', X)"])
def test_computed_values_are_unknown_not_guessed(expr):
    record = scan(f"from app import cli\nrevision = 'a1'\ndown_revision = 'a0'\nbranch_labels = {expr}\n")
    info = record["fields"]["branch_labels"]
    assert info.known is False
    assert info.raw == expr
    assert record["branch_labels"] == ()  # nothing invented
    assert record["error"] is None


def test_computed_revision_is_a_parse_error_with_its_line():
    record = scan("import uuid\nrevision = str(uuid.uuid4())\ndown_revision = None\n")
    assert record["revision"] is None
    assert "not a literal" in record["error"]
    assert record["error_line"] == 2


@pytest.mark.parametrize("rev", ["kilo", "059", "main_0000b", "008a", "27c6a30d7c24"])
def test_short_and_non_hex_ids(rev):
    record = scan(f"revision = {rev!r}\ndown_revision = None\n")
    assert record["revision"] == rev and record["error"] is None


@pytest.mark.parametrize("value", ["('a', 'b')", "['a', 'b']", "('a', 'b',)"])
def test_tuple_and_list_parents(value):
    record = scan(f"revision = 'm'\ndown_revision = {value}\n")
    assert record["down_revision"] == ("a", "b")


def test_annotated_assignments_and_string_labels():
    record = scan('from typing import Sequence, Union\nrevision: str = "a1"\n'
                  'down_revision: Union[str, Sequence[str], None] = "a0"\n'
                  'branch_labels: Union[str, Sequence[str], None] = "feature"\n'
                  'depends_on: Union[str, Sequence[str], None] = ["x1", "y2"]\n')
    assert record["revision"] == "a1"
    assert record["branch_labels"] == ("feature",)
    assert record["depends_on"] == ("x1", "y2")
    assert record["fields"]["depends_on"].line == 5


def test_empty_down_revision_is_kept_as_an_empty_id_not_a_base(tmp_path):
    record = scan("revision = 'a1'\ndown_revision = ''\n")
    assert record["down_revision"] == ("",)
    root = write_project(tmp_path, [("a0", None), ("a1", "")])
    graph = analyze(root).sets[0].graph
    assert graph.bases == ["a0"]
    assert not graph.get("a1").is_base


def test_string_holding_an_assignment_does_not_move_positions():
    record = scan("NOTE = '''\nrevision = 'zz'\n'''\nrevision = 'a1'\ndown_revision = None\n")
    assert record["revision"] == "a1"
    assert record["fields"]["revision"].line == 4
    assert record["fields"]["down_revision"].line == 5


def test_assignments_inside_blocks_are_not_module_level():
    record = scan("if False:\n    revision = 'x'\nrevision = 'a1'\ndown_revision = None\n")
    assert record["revision"] == "a1" and record["fields"]["revision"].line == 3


def test_two_statements_on_one_line():
    record = scan("revision = 'a1'; down_revision = 'a0'\n")
    assert record["down_revision"] == ("a0",)
    assert record["fields"]["revision"].line == record["fields"]["down_revision"].line == 1


@pytest.mark.parametrize("data, reason", [
    (b"revision = 'a1'\ndown_revision = (\n", "syntax error"),
    (b"print 'py2'\nrevision = 'a1'\n", "syntax error"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
    (b"revision = 'caf\xe9'\ndown_revision = None\n", "decode"),
    (b"down_revision = None\n", "no module-level `revision"),
    (b"revision = 'a1'\n", "no module-level `down_revision"),
])
def test_unreadable_files_are_errors_not_exceptions(data, reason):
    record = scan(data)
    assert record.get("revision") is None
    assert reason in record["error"]


def test_bad_files_become_parse_errors_and_the_scan_goes_on(tmp_path):
    root = write_project(tmp_path, [("a0", None), ("a1", "a0"), ("a2", "a1")])
    versions = root / "migrations" / "versions"
    (versions / "broken_syntax.py").write_text("revision = 'zz'\ndown_revision = (\n")
    (versions / "blob.py").write_bytes(b"\x00\x01binary")
    (versions / "latin.py").write_bytes(b"revision = 'caf\xe9'\n")
    (versions / "__init__.py").write_text("")
    (versions / "README.md").write_text("revision = 'not python'\n")
    (versions / "notes.txt").write_text("down_revision = None\n")
    (versions / "__pycache__").mkdir()
    (versions / "__pycache__" / "x.py").write_text("revision = 'cached'\ndown_revision = None\n")
    result = analyze(root)
    graph = result.sets[0].graph
    assert graph.ids == ["a0", "a1", "a2"]
    errors = [p for p in result.problems if p.code == "parse-error"]
    assert sorted(f for p in errors for f in p.files) == [
        "migrations/versions/blob.py", "migrations/versions/broken_syntax.py", "migrations/versions/latin.py",
    ]
    syntax = next(p for p in errors if p.files == ("migrations/versions/broken_syntax.py",))
    assert syntax.line is not None and syntax.severity == "error"
    assert {p.code for p in result.problems} == {"parse-error"}


@pytest.mark.skipif(sys.platform == "win32", reason="chmod")
def test_unreadable_file_is_a_parse_error(tmp_path):
    import os

    if os.geteuid() == 0:
        pytest.skip("root reads everything")
    root = write_project(tmp_path, [("a0", None)])
    locked = root / "migrations" / "versions" / "locked.py"
    locked.write_text("revision = 'x'\ndown_revision = None\n")
    locked.chmod(0)
    problems = analyze(root).problems
    assert [(p.code, p.files) for p in problems] == [("parse-error", ("migrations/versions/locked.py",))]


def test_scanning_never_imports_or_runs_a_migration(tmp_path):
    marker = tmp_path / "executed"
    source = (f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n"
              "import module_that_does_not_exist\nrevision = 'a0'\ndown_revision = None\n")
    root = write_project(tmp_path / "p", [{"rev": "a0", "source": source}])
    result = analyze(root)
    assert result.sets[0].graph.ids == ["a0"]
    assert not marker.exists()
    assert "module_that_does_not_exist" not in sys.modules
