"""[tool.chaintui] in pyproject.toml: defaults, every key, and one-line errors for bad values."""

from __future__ import annotations

import pytest

from chaintui.errors import ChaintuiError
from chaintui.settings import DEFAULT, load_settings


def write(tmp_path, text):
    (tmp_path / "pyproject.toml").write_text(text)
    return tmp_path


def test_no_pyproject_is_the_defaults(tmp_path):
    assert load_settings(tmp_path) == DEFAULT


def test_no_table_is_the_defaults(tmp_path):
    assert load_settings(write(tmp_path, "[tool.alembic]\nscript_location = 'm'\n")) == DEFAULT


def test_every_key(tmp_path):
    s = load_settings(write(tmp_path, '[tool.chaintui]\nbase = "origin/main"\nheads = "merge"\nid-style = "hex"\n'))
    assert (s.base, s.heads, s.id_style) == ("origin/main", "merge", "hex")
    assert s.source == tmp_path / "pyproject.toml"


@pytest.mark.parametrize("body, words", [
    ('heads = "merg"', "heads must be"),
    ('id-style = "uuid"', "id-style must be"),
    ('base = ""', "base must be"),
    ('colour = "red"', "unknown key"),
    ('heads = ', "cannot read"),
])
def test_bad_values_are_one_line_errors(tmp_path, body, words):
    with pytest.raises(ChaintuiError) as info:
        load_settings(write(tmp_path, f"[tool.chaintui]\n{body}\n"))
    assert words in str(info.value)
    assert "\n" not in str(info.value)
