"""The core never imports Textual (DESIGN.md: a pure core; the TUI is a thin shell over it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.builders import write_project

PACKAGE = Path(__file__).resolve().parent.parent / "chaintui"
CORE = sorted(
    ".".join(("chaintui", *p.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
    for p in [*PACKAGE.glob("*.py"), *PACKAGE.glob("schema/*.py")]
    if p.stem != "__main__"  # runs the CLI; covered by test_check_command_never_imports_textual
)


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sys.modules))"],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    return set(out.split())


def test_core_module_list_is_complete():
    assert {"chaintui.analysis", "chaintui.scanner", "chaintui.discovery", "chaintui.diagnosis",
            "chaintui.graph", "chaintui.cache", "chaintui.report", "chaintui.cli"} <= set(CORE)
    assert not any(name.startswith("chaintui.tui") for name in CORE)


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_without_textual(module):
    loaded = _modules_after(f"import {module}")
    assert module in loaded
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}


def test_check_command_never_imports_textual(tmp_path):
    root = write_project(tmp_path, [("a0", None), ("b1", "a0"), ("c2", "a0")])
    code = (
        "import sys\n"
        "from chaintui.cli import main\n"
        f"code = main(['check', {str(root)!r}, '--format', 'json'])\n"
        "assert code == 1, code\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=60)


@pytest.mark.parametrize("config", ["ini", "pyproject"])
def test_check_never_imports_libcst_and_warm_check_not_alembic(tmp_path, config):
    """Scanning uses the standard ast (libcst is for rewriting); an alembic.ini is read without
    importing alembic (chaintui.iniconfig), a [tool.alembic] pyproject by alembic's Config; a
    repeated check on an unchanged project reads config and records from the cache."""
    root = write_project(tmp_path, [("a0", None), ("b1", "a0")], config=config)
    code = (
        "import sys, io, contextlib\n"
        "from chaintui.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['check', {str(root)!r}]) == 0\n"
        "heavy = sorted(m for m in ('alembic', 'libcst', 'sqlalchemy', 'textual') if m in sys.modules)\n"
        "print(' '.join(heavy))\n"
    )
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    if config == "ini":
        assert first.stdout.strip() == ""  # cold, alembic.ini: IniConfig, no SQLAlchemy
    else:
        assert "alembic" in first.stdout and "libcst" not in first.stdout  # cold: alembic's Config
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert second.stdout.strip() == ""
