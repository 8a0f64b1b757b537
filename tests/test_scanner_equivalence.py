"""The ast scanner gives the very records the libcst scanner (tests/reference_scanner.py) gave.

Over every migration-like text in the test suite's own sources, files the builders render, the
demo project, the benchmark's generated history, a corpus of odd-but-real files, and generated
files. Files neither can parse only have to agree that they are syntax errors: the two parsers
word their messages differently (and the ast scanner may still read the file's ids).
"""

from __future__ import annotations

import ast
import importlib.util
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chaintui.demo import build_demo
from chaintui.scanner import scan_bytes
from tests import reference_scanner
from tests.builders import render_migration

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent


def assert_same(data: bytes) -> None:
    old = reference_scanner.scan_bytes(data)
    new = scan_bytes(data)
    if (old.get("error") or "").startswith("syntax error"):
        assert (new.get("error") or "").startswith("syntax error"), (data, new)
        return
    if (old.get("error") or "").startswith("cannot parse"):  # libcst's own limits (deep nesting)
        assert new.get("error"), (data, new)
        return
    assert new == old, data


def _suite_texts() -> list[str]:
    """Every string constant in the tests' sources that looks like a migration."""
    texts = []
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and ("revision" in node.value or "op." in node.value) and "\n" in node.value:
                texts.append(node.value)
    return texts


SUITE = _suite_texts()


def test_the_suite_corpus_is_not_empty():
    assert len(SUITE) > 30


@pytest.mark.parametrize("index", range(len(SUITE)))
def test_test_suite_sources(index):
    text = SUITE[index]
    assert_same(text.encode())
    # The same bodies as they appear inside upgrade() in test_schema.py's ops_of.
    body = textwrap.indent(textwrap.dedent(text), "    ")
    assert_same(('"""doc"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "a"\n'
                 'down_revision = None\n\n\ndef upgrade():\n' + body + "\n").encode())


@pytest.mark.parametrize("options", [
    {}, {"annotated": False}, {"header": False}, {"branch_labels": ("x",), "depends_on": "d"},
    {"header": {"Revision ID": "other", "Revises": "zz"}}, {"message": "üñí ço∂e"},
    {"upgrade": ["with op.batch_alter_table('t') as b:", "    b.add_column(sa.Column('x'))"]},
    {"upgrade": ["if True:", "    op.drop_table('t')", "else:", "    op.execute('ALTER TABLE u ADD x')"]},
])
@pytest.mark.parametrize("down", [None, "a0", ("a0", "b0"), ["a0"]])
def test_builder_files(options, down):
    assert_same(render_migration("c1", down, **options).encode())


def test_demo_project(tmp_path):
    root = build_demo(tmp_path / "demo")
    files = sorted(root.rglob("versions/*.py"))
    assert len(files) > 10
    for file in files:
        assert_same(file.read_bytes())


def test_benchmark_history():
    spec = importlib.util.spec_from_file_location("bench_scan", REPO / "benchmarks" / "scan.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    for i in range(1, 30):
        text = bench.TEMPLATE.format(message=f"step {i}", rev=bench.rev_id(i), revises=bench.rev_id(i - 1),
                                     down=bench.rev_id(i - 1), table=f"t{i}", month=1 + i % 12,
                                     day=1 + i % 28, minute=i % 60)
        assert_same(text.encode())


ODD = [
    # quotes, prefixes, encodings, newlines
    "# -*- coding: utf-8 -*-\nrevision = u'a1'\ndown_revision = u'a0'\n",
    "revision = ('a1')\ndown_revision = ( 'a0' ,)\n",
    "revision = 'a' 'b'\ndown_revision = (  # the parent\n    'a0',  # merged\n    \"b0\",\n)\n",
    "revision = f'a{1}'\ndown_revision = None\n",
    "revision = b'a1'\ndown_revision = None\n",
    "revision: str\nrevision: str = 'a1'\ndown_revision: Union[str, None] = (('a0'))\n",
    "revision = rev = 'a1'\ndown_revision = None\nx, revision = 1, 2\n",
    "revision = 'a1'; down_revision = 'a0'; branch_labels = ('x',)\n",
    "x = (1,\n 2); revision = 'a1'\ndown_revision = None\n",
    "revision = 'a1'\r\ndown_revision = None\r\n\r\ndef upgrade():\r\n    op.create_table('t')\r\n",
    "\ufeffrevision = 'a1'\ndown_revision = None\n",
    "revision = 'é1'\ndown_revision = 'ü0'  # ünïcödé\ndepends_on = ['ß']\n",
    "revision = \\\n    'a1'\ndown_revision = None\n",
    "revision = 'a1'\nrevision = 'a2'\ndown_revision = None\ndown_revision = cli.X\n",
    "revision = 'a1'\ndown_revision = [*OTHER]\nbranch_labels = (cli.CONTRACT,)\n",
    "import x\n\n\"\"\"Late doc\n\nRevision ID: a1\nRevises: a0\nCreate Date: 2020\n\"\"\"\nrevision = 'a1'\ndown_revision = 'a0'\n",
    "# Revision ID: a1\n# Revises: a0, b0\n# Create Date: x\nrevision = 'a1'\ndown_revision = ('a0', 'b0')\n",
    "if False:\n    revision = 'x'\nrevision = 'a1'\ndown_revision = None\n",
    "'''Revision ID: a1'''\nrevision = 'a1'\ndown_revision = None\n",
    "revision = (\n'a1'\n)\ndown_revision = None\n",
    "revision = ( # c\n  'a1' # d\n  )\ndown_revision = None\n",
    # operations
    """revision = 'a1'
down_revision = None

def helper(name):
    op.create_table(name)
    op.add_column('helped', sa.Column('x'))

async def upgrade():
    helper('ignored')
    op.create_table('users', sa.Column('org', sa.ForeignKey('orgs.id')), schema='s')
    with op.batch_alter_table('users') as batch_op, op.batch_alter_table('x', schema='y') as b2:
        batch_op.add_column(sa.Column('a'))
        batch_op.create_foreign_key('fk', 'orgs', ['a'], ['id'])
        b2.drop_column('q')
    try:
        op.drop_table('old', if_exists=True)
    except Exception:
        op.execute(sa.text('CREATE TABLE IF NOT EXISTS "s"."t2" (id int)'))
    for x in op.get_bind().execute('x'):
        op.rename_table('a', 'b')
    op.execute(sqltext='ALTER TABLE u RENAME TO v; DROP TABLE w')
    op.create_foreign_key('fk', 'src', 'dst', ['a'], ['b'], referent_schema='r')
    op.create_index('ix', 'users', ['a']) if flag else op.drop_index('ix', table_name='users')
    d = {op.f('k'): op.add_column('d1', 1), **extra, 'k2': op.add_column('d2', 2)}
    f(key=op.add_column('kw', 1), *[op.add_column('star', 2)])
    [op.drop_column('c%d' % i, 'x') for i in range(3)]
    g = lambda: op.drop_table('lam')
    class C:
        op.drop_table('cls')
    def inner():
        op.drop_table('nested')
    op.create_table('late', if_not_exists=True)
    match x:
        case 1:
            op.drop_table('matched')
    while False:
        op.alter_column('w', 'c')
    await op.run_async(fn)
    op.batch_alter_table('plain')
    op.create_table_comment(table_name='commented')
    upgrade_pg()

def upgrade_pg():
    op.execute("CREATE UNLOGGED TABLE pgonly (id int)")

def downgrade():
    op.drop_table('users')
""",
    "revision = 'a1'\ndown_revision = None\ndef upgrade():\n    op.create_table(\n        'x')\n    op.\\\n"
    "        drop_table('y')\n    s = 'op.create_table(\"fake\")'\n    op.create_table('z')\n",
    "revision = 'a1'\ndown_revision = None\ndef upgrade(): op.create_table('one'); op.drop_table('two')\n",
    # downgrade() bodies, which the scanner does not parse when it can tell where they end
    "revision = 'a1'\ndown_revision = None\ndef upgrade():\n    op.create_table('t')\n"
    "def downgrade():\n    op.execute(\"\"\"\nrevision = 'evil'\n\"\"\")\n\"\"\"Revision ID: zz\"\"\"\n",
    "revision = 'a1'\ndown_revision = None\ndef downgrade() -> None:  # undo: all\n    op.drop_table(\n'users')\n"
    "\n\n# trailing\nbranch_labels = ('x',)\ndef upgrade():\n    op.drop_table('users')\n",
    "revision = 'a1'\ndown_revision = None\ndef downgrade():\n    x = 1 + \\\n'doc'\ndepends_on = 'd'\n",
    "revision = 'a1'\ndown_revision = None\nasync def downgrade():\n    await op.drop_table('x')\n\n"
    "    # comment at the end\n# column-0 comment\nrevision = 'a2'\n",
    "revision = 'a1'\ndown_revision = None\ndef downgrade(): pass  # note:\ndef upgrade(): op.create_table('x')\n",
    "revision = 'a1'\r\ndown_revision = None\r\ndef downgrade():\r\n    op.drop_table('x')\r\n\r\n"
    "def upgrade():\r\n    downgrade()\r\n    op.create_table('y')\r\n",
    '"""Doc\n\ndef downgrade():\n    Revision ID: a1\n"""\nrevision = \'a1\'\ndown_revision = None\n',
    "revision = 'a1'\ndown_revision = None\ndef downgrade():\n    pass\ndef downgrade():\n    op.drop_table('b')\n",
    # not parseable
    "revision = 'a1'\ndown_revision = (\n",
    "print 'py2'\nrevision = 'a1'\ndown_revision = 'a0'\n",
]


@pytest.mark.parametrize("text", ODD)
def test_odd_files(text):
    assert_same(text.encode())


@pytest.mark.parametrize("data", [
    b"# -*- coding: latin-1 -*-\nrevision = 'caf\xe9'\ndown_revision = None\n",
    b"revision = 'caf\xe9'\ndown_revision = None\n",
    b"# coding: nonexistent\nrevision = 'a'\n",
    b"\x89PNG\r\n\x1a\n\x00\x00",
    b"", b"\n", b"down_revision = None\n",
])
def test_odd_bytes(data):
    assert_same(data)


_VALUES = st.sampled_from(["None", "'a0'", '"a0"', "u'a0'", "('a0', 'b0')", "['a0']", "('a0',)", "()",
                           "cli.X", "'a' 'b'", "( 'p' )", "('a0',  # c\n  'b0')"])
_OPS = st.sampled_from([
    "op.create_table('t1')", "op.drop_table('t1')", "op.add_column('t2', sa.Column('x', sa.ForeignKey('t1.id')))",
    "op.rename_table('t1', 't3')", "op.execute('DROP TABLE IF EXISTS t4')", "op.create_index('i', 't2', ['x'])",
    "op.alter_column(table_name='t5', column_name='c')", "helper()", "x = op.get_bind()",
])
_BLOCKS = st.sampled_from(["{}", "if x:\n    {}", "try:\n    {}\nexcept E:\n    pass",
                           "with op.batch_alter_table('b') as batch_op:\n    {}\n    batch_op.drop_column('c')"])


@st.composite
def migrations(draw):
    lines = []
    if draw(st.booleans()):
        lines.append('"""msg\n\nRevision ID: a1\nRevises: a0\nCreate Date: 2024\n"""')
    if draw(st.booleans()):
        lines.append("# Revision ID: a1\n# Revises: " + draw(st.sampled_from(["a0", "", "(a0, b0)"])))
    lines.append("from alembic import op")
    for key in draw(st.lists(st.sampled_from(["revision", "down_revision", "branch_labels", "depends_on"]),
                             max_size=6)):
        annotation = draw(st.sampled_from(["", ": str", ": Union[str, None]"]))
        lines.append(f"{key}{annotation} = {draw(_VALUES)}" + draw(st.sampled_from(["", "  # c", "; z = 1"])))
    lines.append("def helper():\n    op.create_table('helped')")
    body = []
    for _ in range(draw(st.integers(0, 5))):
        body.append(textwrap.indent(draw(_BLOCKS).format(draw(_OPS)), "    "))
    lines.append("def upgrade():\n" + ("\n".join(body) or "    pass"))
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None)
@given(migrations())
def test_generated_files(text):
    assert_same(text.encode())
