"""libcst rewrites change exactly the value or header line asked for; every other byte stays."""

from __future__ import annotations

import difflib

import pytest

from chaintui import rewrite
from chaintui.errors import ChaintuiError
from chaintui.scanner import scan_bytes

MODERN = b'''"""Add things

Revision ID: abc123
Revises: def456
Create Date: 2024-01-01 00:00:00

"""
from typing import Sequence, Union

from alembic import op  # the op proxy
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = "abc123"
down_revision: Union[str, Sequence[str], None] = "def456"  # keep this comment
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    down_revision = "not-this-one"
    op.add_column("t", sa.Column("x", sa.Integer()))   # odd   spacing kept


def downgrade() -> None:
    op.drop_column("t", "x")
'''

LEGACY = b"""# -*- coding: utf-8 -*-
\"\"\"legacy

Revision ID: kilo
Revises: juliet
\"\"\"
revision = u'kilo'
down_revision = u'juliet'
down_revision = u'lima'
"""


def changed_lines(before: bytes, after: bytes) -> list[str]:
    diff = difflib.ndiff(before.decode().splitlines(), after.decode().splitlines())
    return [line for line in diff if line.startswith(("- ", "+ "))]


def test_set_parents_changes_only_the_value_and_the_header_line():
    after = rewrite.set_parents(MODERN, ("zzz999",))
    assert changed_lines(MODERN, after) == [
        "- Revises: def456",
        "+ Revises: zzz999",
        '- down_revision: Union[str, Sequence[str], None] = "def456"  # keep this comment',
        '+ down_revision: Union[str, Sequence[str], None] = "zzz999"  # keep this comment',
    ]
    assert scan_bytes(after)["down_revision"] == ("zzz999",)


def test_merge_point_is_written_as_a_tuple_in_the_files_quote_style():
    after = rewrite.set_parents(MODERN, ("a1", "b2"))
    assert b'down_revision: Union[str, Sequence[str], None] = ("a1", "b2")  # keep this comment' in after
    assert b"Revises: a1, b2\n" in after
    assert scan_bytes(after)["down_revision"] == ("a1", "b2")


def test_no_parents_writes_none():
    after = rewrite.set_parents(MODERN, ())
    assert b"= None  # keep this comment" in after
    assert b"Revises: \n" in after


def test_legacy_u_prefix_single_quotes_and_last_assignment_wins():
    after = rewrite.set_parents(LEGACY, ("mike",))
    assert changed_lines(LEGACY, after) == [
        "- Revises: juliet", "+ Revises: mike",
        "- down_revision = u'lima'", "+ down_revision = u'mike'",
    ]
    assert after.startswith(b"# -*- coding: utf-8 -*-\n")


def test_set_revision_updates_variable_and_revision_id_header():
    after = rewrite.set_revision(MODERN, "034")
    assert changed_lines(MODERN, after) == [
        "- Revision ID: abc123", "+ Revision ID: 034",
        '- revision: str = "abc123"', '+ revision: str = "034"',
    ]


def test_function_local_assignments_are_never_touched():
    after = rewrite.set_parents(MODERN, ("new",))
    assert b'    down_revision = "not-this-one"\n' in after


def test_list_style_is_kept_for_lists():
    source = b"revision = 'c'\ndown_revision = ['a', 'b']\n"
    after = rewrite.set_parents(source, ("a", "x"))
    assert after == b"revision = 'c'\ndown_revision = ['a', 'x']\n"


def test_comment_headers_are_updated():
    source = b"# Revision ID: a\n# Revises: b\nrevision = 'a'\ndown_revision = 'b'\n"
    after = rewrite.set_parents(source, ("c",))
    assert after == b"# Revision ID: a\n# Revises: c\nrevision = 'a'\ndown_revision = 'c'\n"


def test_file_without_header_only_gets_the_variable_changed():
    source = b"revision = 'a'\ndown_revision = None\n"
    assert rewrite.set_parents(source, ("z",)) == b"revision = 'a'\ndown_revision = 'z'\n"


def test_missing_assignment_is_a_clear_error():
    with pytest.raises(ChaintuiError, match="no module-level down_revision"):
        rewrite.set_parents(b"revision = 'a'\n", ("b",))


def test_crlf_line_endings_survive():
    source = b"revision = 'a'\r\ndown_revision = 'b'  # x\r\n\r\ndef upgrade():\r\n    pass\r\n"
    after = rewrite.set_parents(source, ("c",))
    assert after == source.replace(b"'b'", b"'c'")


def test_bare_revises_label_gets_its_space():
    source = b'"""msg\n\nRevision ID: b\nRevises:\nCreate Date: 2024-01-01\n"""\nrevision = "b"\ndown_revision = None\n'
    out = rewrite.set_parents(source, ("a",))
    assert b"\nRevises: a\n" in out and b'down_revision = "a"' in out
    back = rewrite.set_parents(out, ())
    assert b"\nRevises: \n" in back and b"down_revision = None" in back


@pytest.mark.parametrize("ending", [b"\r\n", b"\r"])
def test_every_line_keeps_its_own_ending(ending):
    """CRLF (or old Mac CR) files: the rewritten header and value lines keep their endings,
    and so does a line with another ending in the same file."""
    source = MODERN.replace(b"\n", ending).replace(b"import sqlalchemy as sa" + ending,
                                                    b"import sqlalchemy as sa\n")
    result = rewrite.set_revision(rewrite.set_parents(source, ["p1", "p2"]), "r9")
    assert result == (source.replace(b"abc123", b"r9").replace(b'= "def456"', b'= ("p1", "p2")')
                      .replace(b"Revises: def456", b"Revises: p1, p2"))
    assert result.count(ending) == source.count(ending)
    assert result.count(b"sa\n") == 1


def test_header_value_never_runs_past_its_line():
    """A file with lone CR line endings is one 'line' to a `$`-anchored pattern: the value must
    stop at the CR, not swallow the rest of the file."""
    source = b'"""x\rRevision ID: a1\rRevises: 001 \rCreate Date: 2024\r"""\rrevision = "a1"\rdown_revision = "001"\r'
    assert rewrite.set_parents(source, ["002"]) == source.replace(b"001", b"002")


def test_encoding_and_bom_are_kept():
    latin = '# -*- coding: latin-1 -*-\n"""caf\xe9\n\nRevises: 001\n"""\nrevision = "a1"\ndown_revision = "001"\n'
    data = latin.encode("latin-1")
    assert rewrite.set_parents(data, ["002"]) == data.replace(b"001", b"002")
    bom = b"\xef\xbb\xbf" + MODERN
    assert rewrite.set_revision(bom, "zz") == bom.replace(b"abc123", b"zz")
