"""The fast path (chaintui.fastscan) gives the very record of the full `ast` path, or declines.

Over every fixture of the scanner's equivalence tests, files the builders render, the demo
project, the benchmark's files, and generated files: files of the simple shape (which the fast
path must accept) and the same files with one character inserted, deleted or replaced (which it
must decline whenever `ast.parse` rejects them, and otherwise read identically).
"""

from __future__ import annotations

import ast
import importlib.util
import textwrap
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chaintui.demo import build_demo
from chaintui.fastscan import fast_record
from chaintui.scanner import _record, scan_bytes
from tests.builders import render_migration
from tests.test_scanner_equivalence import ODD, REPO, SUITE


def same(text: str) -> bool:
    """Assert the fast path agrees with the full path; True when it read the file itself."""
    fast = fast_record(text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences the edits make
            module = ast.parse(text)
    except (SyntaxError, RecursionError, MemoryError):
        assert fast is None, text
        return False
    if fast is None:
        return False
    assert fast == _record(module, text), text
    assert scan_bytes(text.encode()) == fast
    return True


def _bench():
    spec = importlib.util.spec_from_file_location("bench_scan", REPO / "benchmarks" / "scan.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_benchmark_files_take_the_fast_path():
    bench = _bench()
    for i in range(1, 30):
        text = bench.TEMPLATE.format(message=f"step {i}", rev=bench.rev_id(i), revises=bench.rev_id(i - 1),
                                     down=bench.rev_id(i - 1), table=f"t{i}", month=1 + i % 12,
                                     day=1 + i % 28, minute=i % 60)
        assert same(text)


@pytest.mark.parametrize("options", [
    {}, {"annotated": False}, {"header": False}, {"branch_labels": ("x",), "depends_on": "d"},
    {"header": {"Revision ID": "other", "Revises": "zz"}},
])
@pytest.mark.parametrize("down", [None, "a0", ("a0", "b0"), ["a0"]])
def test_builder_files_take_the_fast_path(options, down):
    assert same(render_migration("c1", down, **options))


def test_builder_files_the_fast_path_declines():
    assert not same(render_migration("c1", "a0", message="üñí ço∂e"))
    assert not same(render_migration("c1", "a0", upgrade=["if True:", "    op.drop_table('t')"]))


def test_demo_project(tmp_path):
    root = build_demo(tmp_path / "demo")
    taken = [same(file.read_text(encoding="utf-8")) for file in sorted(root.rglob("versions/*.py"))]
    assert sum(taken) > len(taken) // 2


@pytest.mark.parametrize("index", range(len(SUITE)))
def test_test_suite_sources(index):
    text = SUITE[index]
    same(text)
    body = textwrap.indent(textwrap.dedent(text), "    ")
    same('"""doc"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "a"\n'
         'down_revision = None\n\n\ndef upgrade():\n' + body + "\n")


@pytest.mark.parametrize("text", ODD)
def test_odd_files(text):
    same(text)


_STRINGS = ["'t1'", '"t2"', "''", '"it\'s"', "'s.t3'", '"""t4"""', "'#'", "'a(b'"]
_HEADERS = [
    '"""msg\n\nRevision ID: a1\nRevises: a0\nCreate Date: 2024\n\n"""\n',
    "'''Revision ID: a1\nRevises: (a0, b0)'''\n", '"one line"\n', "'x'  # c\n", "",
    "# Revision ID: a1\n# Revises: a0\n", '"""Revises: a0"""\n"""Revision ID: a2"""\n',
]
_IMPORTS = ["from alembic import op\n", "import sqlalchemy as sa\n", "import a.b as c, d\n",
            "from typing import Sequence, Union\n", "from . import x\n", "from .m import (a, b as c,)\n",
            "from __future__ import annotations\n", "\n", "# comment\n", "   # indented comment\n"]
_KEYS = ["revision", "down_revision", "branch_labels", "depends_on", "other"]
_ANNOTATIONS = ["", ": str", ": Union[str, Sequence[str], None]", ": str | None", ": Optional[str]",
                ": Tuple[str, ...]", ": 'Fwd'", ":str"]
_VALUES = ["'a1'", '"a0"', "None", "('a0', 'b0')", "('a0',)", "()", "['a0']", "[]", "[ 'a' , \"b\" , ]",
           "True", "0", "12", "''", "('x' ,'y',)"]
_CALLEES = ["op.create_table", "op.drop_table", "op.rename_table", "op.add_column", "op.create_index",
            "op.drop_index", "op.execute", "op.create_foreign_key", "op.alter_column", "op.f",
            "op.batch_alter_table", "sa.Column", "ForeignKey", "sa.ForeignKey", "sa.schema.ForeignKey",
            "op.ForeignKey", "sa.text", "print", "downgrade", "op.drop_constraint", "sa.func.now"]
_KEYWORDS = ["schema", "table_name", "if_exists", "if_not_exists", "new_table_name", "referent_table",
             "referent_schema", "sqltext", "column", "nullable", "unique", "source_table"]
_SQL = ["'CREATE TABLE s1 (id int)'", '"DROP TABLE IF EXISTS t9; ALTER TABLE u RENAME TO v"',
        "'ALTER TABLE \"q\".w ADD x int'", "'select 1'"]


@st.composite
def _expression(draw, depth=0):
    kind = draw(st.integers(0, 9 if depth < 3 else 5))
    if kind <= 2:
        return draw(st.sampled_from(_STRINGS + _SQL))
    if kind == 3:
        return draw(st.sampled_from(["None", "True", "False", "0", "120", "sa.Integer", "x"]))
    if kind == 4:
        items = draw(st.lists(_expression(depth + 1), max_size=3))
        return "[" + ", ".join(items) + (draw(st.sampled_from(["", ","])) if items else "") + "]"
    if kind == 5:
        return draw(st.sampled_from(["sa.Integer()", "sa.String(length=120)", "op.f('ix')"]))
    return draw(_call(depth + 1))


@st.composite
def _call(draw, depth=0):
    callee = draw(st.sampled_from(_CALLEES))
    args = draw(st.lists(_expression(depth), max_size=4))
    keywords = draw(st.lists(st.tuples(st.sampled_from(_KEYWORDS), _expression(depth)), max_size=3))
    items = args + [f"{k}={v}" for k, v in keywords]
    separator = draw(st.sampled_from([", ", ",", ",\n        ", ",  # note\n    ", " ,\n\n"]))
    inside = separator.join(items)
    if draw(st.booleans()) and items:
        inside += ","
    if draw(st.booleans()):
        inside = "\n        " + inside + "\n    "
    return f"{callee}({inside})"


@st.composite
def simple_files(draw):
    parts = [draw(st.sampled_from(_HEADERS))]
    parts += draw(st.lists(st.sampled_from(_IMPORTS), max_size=4))
    for _ in range(draw(st.integers(0, 7))):
        key = draw(st.sampled_from(_KEYS))
        annotation = draw(st.sampled_from(_ANNOTATIONS))
        value = draw(st.sampled_from(_VALUES))
        if annotation and draw(st.integers(0, 5)) == 0:
            parts.append(f"{key}{annotation}\n")
        else:
            parts.append(f"{key}{annotation} = {value}" + draw(st.sampled_from(["", "  # c", " "])) + "\n")
        if draw(st.integers(0, 3)) == 0:
            parts.append(draw(st.sampled_from(_HEADERS)))
    names = draw(st.permutations(["upgrade", "downgrade"]))
    for name in names[:draw(st.integers(0, 2))]:
        body = []
        if draw(st.booleans()):
            body.append('"""Upgrade schema."""')
        for _ in range(draw(st.integers(0, 4))):
            body.append(draw(st.sampled_from(["pass", "# ### comment ###", "'doc'"])))
            body.append(draw(_call()))
        if not any(line and not line.startswith("#") for line in body):
            body.append("pass")
        arrow = draw(st.sampled_from(["", " -> None", "->None"]))
        parts.append(f"\n\ndef {name}(){arrow}:\n" + "".join(f"    {line}\n" for line in body))
    text = "".join(parts)
    if draw(st.booleans()):
        text = text.rstrip("\n")
    return text


@settings(max_examples=400, deadline=None)
@given(simple_files())
def test_generated_simple_files_take_the_fast_path(text):
    assert same(text)


@settings(max_examples=1000, deadline=None)
@given(simple_files(), st.data())
def test_generated_files_with_one_edit(text, data):
    position = data.draw(st.integers(0, len(text)))
    char = data.draw(st.sampled_from(list(" \n\t()[],.=:'\"#\\;@a_0{*-") + ["def ", "if ", "  ", "é"]))
    edit = data.draw(st.sampled_from(["insert", "delete", "replace"]))
    if edit == "insert":
        text = text[:position] + char + text[position:]
    elif edit == "delete":
        text = text[:position] + text[position + 1:]
    else:
        text = text[:position] + char + text[position + 1:]
    same(text)


_IDS = "revision = 'a1'\ndown_revision = None\n"


@pytest.mark.parametrize("text", [
    "revision: int; down_revision = 'a'\n", "revision: str = 'a'; down_revision = None\n",
    "x: a == 'b'\n" + _IDS, "x: a <= 'b'\n" + _IDS, "x: 'q#' = 'c'\n" + _IDS, "x: f(a='b') = 'c'\n" + _IDS,
    "revision: 'str' = 'a'\ndown_revision: Union[str, None] = None  # c\n", "revision: str\n" + _IDS,
    "revision = 01\ndown_revision = None\n", "revision = ('a')\ndown_revision = None\n",
    "revision = 'a'\ndown_revision = ()\nbranch_labels = []\ndepends_on = ['x', \"y\",]\n",
    "revision = True\ndown_revision = 0\n", "import if\n" + _IDS, "from a import (b\n" + _IDS,
    "from a import b,\n" + _IDS, "  x = 1\n" + _IDS, "# only a comment", "", "\n\n",
    _IDS + "def upgrade():\n    op.create_table('t')\n  op.drop_table('u')\n",
    _IDS + "def upgrade():\n    op.create_table('t')\n        op.drop_table('u')\n",
    _IDS + "def upgrade():\n    op.drop_table\n    ('x')\n",
    _IDS + "def upgrade():\n    op.drop_table('a' 'b')\n",
    _IDS + "def upgrade():\n    op.drop_table(table_name='a', table_name='b')\n",
    _IDS + "def upgrade():\n    op.drop_table(x=1, 'b')\n",
    _IDS + "def upgrade():\n    op . drop_table ( 'a' )\n    op.\n",
    _IDS + "def upgrade():\n    op . drop_table ( 'a' )\n",
    _IDS + "def upgrade():\n    op.create_table(\n'x'\n# c\n,\n)\n",
    _IDS + "def upgrade():\n    None.x('a')\n",
    _IDS + "def upgrade():\n    op.execute(sa.text(sqltext='DROP TABLE t'))\n    op.execute()\n",
    _IDS + "def upgrade():\n    op.execute(sa.text())\n    op.execute(sqltext=\"CREATE TABLE IF NOT EXISTS x (a int)\")\n",
    _IDS + "def upgrade():\n    op.create_foreign_key('fk', '', 'dst', ['a'], ['b'], referent_schema='')\n",
    _IDS + "def upgrade():\n    op.rename_table('a', 'b', schema='s')\n    op.rename_table('', '')\n",
    _IDS + "def upgrade():\n    op.create_table('s.t', schema='x')\n    op.create_table('', schema='x')\n",
    _IDS + "def upgrade():\n    sa.ForeignKey('.id')\n    ForeignKey(column='a.b.id')\n    x.y.ForeignKey('q.id')\n",
    _IDS + "def upgrade():\n    pass\ndef upgrade():\n    op.drop_table('x')\n",
    _IDS + "def upgrade() -> None: op.drop_table('x')\n",
    _IDS + "def upgrade():\n    op.drop_table('x');\n",
    _IDS + "def upgrade():\n    op.drop_table('x')\nrevision = 'a'\n",
    _IDS + "def upgrade():\n    # nothing\n",
    _IDS + "def upgrade():\n    op.create_index(op.f('ix'), 't', ['a'], unique=False)\n    op.f('x')\n"
           "    op.create_table('t2', if_not_exists=True)\n    op.drop_table('t3', if_exists=1)\n",
    _IDS + "def upgrade():\n    op.create_table('t')\n\ndef helper():\n    pass\n",
    _IDS + "def downgrade():\n    op.drop_table('x')\n\n\ndef upgrade():\n    downgrade()\n    op.add_column('y', 1)",
    _IDS + "def upgrade():\n    op.drop_table(x for x in y)\n", _IDS + "def upgrade():\n    op.drop_table(*a)\n",
    _IDS + "def upgrade():\n    op.drop_table(a=)\n", _IDS + "def upgrade():\n    op.drop_table(a==b)\n",
    _IDS + "def upgrade():\n    op.drop_table([,])\n", _IDS + "def upgrade():\n    op.drop_table(1.5, 0x1, 00)\n",
    _IDS + "def upgrade():\n    op.drop_table('''t''')\n    op.drop_table(\"\"\"u\n\"\"\")\n",
    _IDS + "def upgrade():\n    op.drop_table('''t'''')\n",
    _IDS + "def upgrade():\n    op.drop_table(if='t')\n", _IDS + "def upgrade():\n    op.if('t')\n",
    _IDS + "def upgrade(x):\n    op.drop_table('t')\n", _IDS + "async def upgrade():\n    op.drop_table('t')\n",
    _IDS + "@dec\ndef upgrade():\n    op.drop_table('t')\n",
])
def test_boundaries(text):
    same(text)
