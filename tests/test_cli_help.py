"""Every command's --help shows examples and its exit codes (argparse epilogs), through the real CLI."""

from __future__ import annotations

import pytest

from chaintui.cli import SUBCOMMANDS
from tests.conftest import run_chaintui


def test_top_level_help_lists_examples_and_exit_codes():
    proc = run_chaintui("--help")
    assert proc.returncode == 0
    assert "examples:" in proc.stdout and "exit codes:" in proc.stdout
    assert "chaintui verify --sqlite" in proc.stdout


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_each_command_help_has_examples_and_exit_codes(command):
    proc = run_chaintui(command, "--help")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "examples:" in text and "exit codes:" in text
    examples = text.split("examples:")[1]
    assert f"chaintui {command}" in examples
    codes = text.split("exit codes:")[1]
    assert "0  " in codes and "2  " in codes
    assert "a directory holding alembic.ini" in text or command == "demo"
