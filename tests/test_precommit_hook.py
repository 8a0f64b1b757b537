"""The pre-commit hook definitions: well-formed, and their file patterns select what they should
(tests/test_against_integrations.py runs chaintui-check-against with pre-commit itself)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

HOOKS = Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml"


def _parse(text: str) -> list[dict[str, str]]:
    """The tiny subset of YAML the hooks file uses: a list of flat mappings of scalars."""
    hooks: list[dict[str, str]] = []
    for raw in text.splitlines():
        line = raw.split(" #")[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        if line.startswith("- "):
            hooks.append({})
            line = "  " + line[2:]
        assert line.startswith("  ") and not line.startswith("   "), f"unexpected indentation: {raw!r}"
        key, sep, value = line.strip().partition(": ")
        assert sep and hooks, f"not a `key: value` line: {raw!r}"
        value = value.strip()
        if value[:1] in "'\"":
            assert value[-1] == value[0], raw
            value = value[1:-1]
        hooks[-1][key] = value
    return hooks


def test_hook_definition():
    hooks = _parse(HOOKS.read_text())
    assert [h["id"] for h in hooks] == ["chaintui-check", "chaintui-check-against"]
    assert [h["entry"] for h in hooks] == ["chaintui check", "chaintui check --against @{upstream}"]
    for hook in hooks:
        assert hook["language"] == "python"
        assert hook["pass_filenames"] == "false"
        assert hook["name"] and hook["description"]
        assert set(hook) <= {"id", "name", "description", "entry", "language", "pass_filenames", "files",
                             "types_or", "minimum_pre_commit_version", "always_run", "require_serial"}


@pytest.mark.parametrize("index", [0, 1])
def test_hook_files_pattern(index):
    hook = _parse(HOOKS.read_text())[index]
    pattern = re.compile(hook["files"])
    for path in ("alembic.ini", "services/api/alembic.ini", "pyproject.toml",
                 "migrations/versions/001_init.py", "app/db/alembic/versions/2024/ae1027a6acf0_x.py"):
        assert pattern.search(path), path
    for path in ("app/models.py", "migrations/env.py", "README.md", "setup.cfg",
                 "docs/versions.txt", "migrations/versions/README"):
        assert not pattern.search(path), path
    assert set(hook["types_or"].strip("[]").replace(" ", "").split(",")) == {"python", "ini", "toml"}


def test_hook_entry_is_the_installed_command():
    pyproject = (HOOKS.parent / "pyproject.toml").read_text()
    assert re.search(r'^chaintui = "chaintui\.cli:main"$', pyproject, re.M)
