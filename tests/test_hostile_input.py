"""Input that cannot hurt: every odd file becomes a clear problem, in bounded time and memory.

Each case runs the real command line on a real directory: exit 1 with a problem, never a
crash (a segfault is exit -11), a traceback or a hang (the subprocess has a timeout).
"""

from __future__ import annotations

import json
import os
import sys
import tracemalloc

import pytest

from chaintui.analysis import FileTooLarge, analyze, read_file
from chaintui.scanner import MAX_SCAN_BYTES, scan_bytes
from tests.builders import write_project
from tests.conftest import run_chaintui

V = "migrations/versions/"


def check_json(root, *extra):
    proc = run_chaintui("check", str(root), "--format", "json", *extra, timeout=60)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def codes(data, file=None):
    return [p["code"] for p in data["problems"] if file is None or p["files"][:1] == [V + file]]


@pytest.mark.parametrize("name, source", [
    ("brackets_1300", "x = " + "(" * 1300 + ")" * 1300),
    ("lists_1000", "x = " + "[" * 1000 + "]" * 1000),
    ("brackets_500_in_upgrade", "def upgrade():\n    op.execute(" + "(" * 500 + "'x'" + ")" * 500 + ")"),
    ("unary_1300_in_upgrade", "def upgrade():\n    x = " + "-" * 1300 + "1"),
    ("unary_20000", "x = " + "-" * 20000 + "1"),
    ("attributes_5000_in_upgrade", "def upgrade():\n    x = a" + ".b" * 5000),
    ("sums_100000", "x = 1" + " + 1" * 100000),
], ids=lambda value: value if len(value) < 40 else "")
def test_deep_nesting_is_a_parse_error_not_a_crash(tmp_path, name, source):
    root = write_project(tmp_path, [("a0", None), {"rev": "d1", "filename": f"{name}.py",
                         "source": f"revision = 'd1'\ndown_revision = 'a0'\n{source}\n"}])
    code, data = check_json(root)
    assert code == 1
    assert codes(data) == ["parse-error"]
    message = data["problems"][0]["message"]
    assert "nested" in message or "syntax error" in message
    # Its ids are still read from the plain lines: no dangling child, no extra head.
    assert "d1" in [r["id"] for r in data["revisions"]]


def test_python2_file_keeps_its_place_in_the_chain(tmp_path):
    root = write_project(tmp_path, [
        ("a0", None),
        {"rev": "p2", "filename": "p2_legacy.py",
         "source": '"""old\n\nRevision ID: p2\nRevises: a0\n"""\nrevision = \'p2\'\ndown_revision = \'a0\'\n\n'
                   "def upgrade():\n    print 'python 2'\n"},
        ("c3", "p2"),
    ])
    code, data = check_json(root)
    assert code == 1
    assert codes(data) == ["parse-error"]  # not missing-parent for c3, not multiple-heads
    problem = data["problems"][0]
    assert problem["files"] == [V + "p2_legacy.py"] and problem["line"] == 10
    assert data["heads"] == ["c3"] and data["bases"] == ["a0"]


def test_unparsable_file_ids_from_its_header_when_assignments_cannot_be_read(tmp_path):
    source = ('"""x\n\nRevision ID: p2\nRevises: a0\n"""\nrevision = "p" \\\n    "2"\ndown_revision = (\n'
              "    'a0',\n)\nprint 'py2'\n")
    record = scan_bytes(source.encode())
    assert record["error"].startswith("syntax error")
    assert (record["revision"], record["down_revision"]) == ("p2", ("a0",))


def test_unparsable_file_without_readable_ids_declares_nothing():
    record = scan_bytes(b"revision = 'a1'\ndown_revision = (\n")
    assert record.get("revision") is None and record["error"].startswith("syntax error")


def test_oversized_file_is_read_only_up_to_the_limit(tmp_path):
    root = write_project(tmp_path, [("a0", None), ("c2", "b1")])
    big = root / V / "b1_big.py"
    body = "    op.execute('INSERT INTO t VALUES (1)')\n"
    big.write_text("revision = 'b1'\ndown_revision = 'a0'\n\ndef upgrade():\n"
                   + body * (3 * MAX_SCAN_BYTES // len(body)))
    with pytest.raises(FileTooLarge) as info:
        read_file(str(big))
    assert len(info.value.prefix) == MAX_SCAN_BYTES and info.value.size == big.stat().st_size
    analyze(root, use_cache=False)  # imports: not what is measured
    tracemalloc.start()
    try:
        result = analyze(root, use_cache=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * MAX_SCAN_BYTES, peak  # parsing it whole took ~120 bytes per byte
    problems = [(p.code, p.files) for p in result.problems]
    assert problems == [("parse-error", (V + "b1_big.py",))]
    assert "too large to scan" in result.problems[0].message
    assert result.sets[0].graph.heads == ["c2"]
    code, data = check_json(root)  # the command line too, with its cache
    assert code == 1 and codes(data) == ["parse-error"]
    code, again = check_json(root)
    assert again == data


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_fifo_in_versions_is_skipped_with_a_problem(tmp_path):
    root = write_project(tmp_path, [("a0", None), ("b1", "a0")])
    os.mkfifo(root / V / "pipe.py")
    (root / V / "folder.py").mkdir()
    code, data = check_json(root)  # would block forever reading the FIFO
    assert code == 1
    found = {p["files"][0]: p["message"] for p in data["problems"]}
    assert found == {V + "folder.py": "folder.py: not a regular file (a directory): skipped",
                     V + "pipe.py": "pipe.py: not a regular file (a FIFO): skipped"}


@pytest.mark.parametrize("rev, shown", [
    ("a@b", "'@'"), ("a-b", "'-'"), ("a+b", "'+'"), ("a:b", "':'"), ("a b", "whitespace"),
    ("x@y-z", "'-' '@'"),
])
def test_ids_alembic_rejects_are_errors(tmp_path, rev, shown):
    root = write_project(tmp_path, [("a0", None), {"rev": rev, "down": "a0", "filename": "b1_x.py"}])
    code, data = check_json(root)
    assert code == 1
    problem = next(p for p in data["problems"] if p["code"] == "invalid-revision-id")
    assert problem["severity"] == "error" and problem["revisions"] == [rev]
    assert problem["files"] == [V + "b1_x.py"] and problem["message"] == (
        f"revision id {rev!r} contains {shown}, which alembic refuses in an id")


def test_ids_alembic_accepts_are_not_flagged(tmp_path):
    root = write_project(tmp_path, [("a0", None), ("b_1.x", "a0"), ("C2", "b_1.x")])
    code, data = check_json(root)
    assert code == 0, data["problems"]


@pytest.mark.skipif(sys.platform == "win32", reason="file names with control characters")
@pytest.mark.parametrize("fmt", ["text", "github"])
def test_control_characters_in_file_names_are_printed_escaped(tmp_path, fmt):
    name = "b1_\x1b[31mred\x1b[0m_\u202etxt.py"
    root = write_project(tmp_path, [("a0", None), {"rev": "b1", "down": "a0", "filename": name},
                                    {"rev": "c2", "down": "a0", "filename": "c2_\x07bell\n.py"}])
    proc = run_chaintui("check", str(root), "--format", fmt)
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert "b1_\\x1b[31mred\\x1b[0m_\\u202etxt.py" in out and "c2_\\x07bell\\n.py" in out


def test_flask_migrate_folder_without_script_location(tmp_path):
    """Flask-Migrate (as in redash): migrations/alembic.ini has no script_location; Flask-Migrate
    points alembic at that folder, which holds env.py and versions/."""
    root = write_project(tmp_path, [("a0", None), ("b1", "a0")], config="none")
    (root / "migrations" / "alembic.ini").write_text(
        "# A generic, single database configuration.\n\n[alembic]\n# template used to generate migration files\n"
        "# file_template = %%(rev)s_%%(slug)s\n\n[loggers]\nkeys = root\n\n[handlers]\nkeys = console\n\n"
        "[formatters]\nkeys = generic\n\n[logger_root]\nlevel = WARN\nhandlers = console\n\n"
        "[handler_console]\nclass = StreamHandler\nargs = (sys.stderr,)\nlevel = NOTSET\nformatter = generic\n\n"
        "[formatter_generic]\nformat = %(levelname)-5.5s [%(name)s] %(message)s\n")
    for target in (root, root / "migrations", root / "migrations" / "alembic.ini"):
        code, data = check_json(target)
        assert code == 0, data["problems"]
        assert [r["id"] for r in data["revisions"]] == ["a0", "b1"]
        assert data["revisions"][0]["file"].endswith("versions/a0_step.py")


def test_ini_without_script_location_and_no_env_py_is_still_refused(tmp_path):
    (tmp_path / "alembic.ini").write_text("[alembic]\nsqlalchemy.url = sqlite://\n")
    proc = run_chaintui("check", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith("no script_location in any section")
