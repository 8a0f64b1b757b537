"""Alembic's own verdict on a project, run in a subprocess (the only place migrations execute).

`verify` loads the ScriptDirectory in a child Python (warnings turned into failures) and checks
for one head and one base per branch; with `sqlite=True` it also runs `upgrade head`,
`downgrade base`, `upgrade head` against a scratch SQLite database, by overriding
`sqlalchemy.url` on alembic's Config (an env.py that ignores the configured URL cannot be
redirected, and the result says so).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from chaintui.discovery import discover
from chaintui.errors import ChaintuiError

TIMEOUT = 600

_CHILD = r"""
import json, sys, warnings
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic import command

ini, toml, section, step, url = sys.argv[1:6]
cfg = Config(file_=ini or None, toml_file=toml or None, ini_section=section)
if step == "load":
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        script = ScriptDirectory.from_config(cfg)
        revisions = list(script.walk_revisions())
        heads = script.get_heads()
        bases = script.get_bases()
    messages = [str(w.message) for w in caught if "path_separator" not in str(w.message)]
    print(json.dumps({"heads": list(heads), "bases": list(bases), "revisions": len(revisions),
                      "warnings": messages}))
else:
    import os, traceback
    cfg.set_section_option(section, "sqlalchemy.url", url)
    try:
        if step == "upgrade":
            command.upgrade(cfg, "heads")
        elif step == "downgrade":
            command.downgrade(cfg, "base")
    except Exception as exc:
        # Which migration failed (the innermost traceback frame in a migration file), the
        # statement, and the database's own message (SQLAlchemy's DBAPIError.orig).
        paths = {}
        try:
            for script in ScriptDirectory.from_config(cfg).walk_revisions():
                paths[os.path.realpath(script.path)] = script.revision
        except Exception:
            pass
        where = None
        for frame in traceback.extract_tb(exc.__traceback__):
            if os.path.realpath(frame.filename) in paths:
                where = frame
        orig = getattr(exc, "orig", None)
        cause = orig if orig is not None else exc
        text = str(cause).strip().splitlines()
        print(json.dumps({
            "ok": False,
            "file": where.filename if where else None,
            "revision": paths.get(os.path.realpath(where.filename)) if where else None,
            "function": where.name if where else None,
            "line": where.lineno if where else None,
            "error": f"{type(cause).__module__}.{type(cause).__name__}: {text[0] if text else ''}".strip(),
            "statement": getattr(exc, "statement", None),
        }))
        sys.exit(1)
    print(json.dumps({"ok": True}))
"""


@dataclass
class Step:
    name: str
    ok: bool
    output: str


@dataclass
class VerifyResult:
    ok: bool
    steps: list[Step] = field(default_factory=list)

    @property
    def output(self) -> str:
        """One line per step; a failure's further lines (the statement) indented under it."""
        lines = []
        for s in self.steps:
            first, *rest = s.output.splitlines() or [""]
            lines.append(f"{'ok  ' if s.ok else 'FAIL'} {s.name}: {first}")
            lines += [f"     {line}" for line in rest]
        return "\n".join(lines)


def verify(path: str | os.PathLike[str] = ".", *, sqlite: bool = False,
           progress: Callable[[str], None] | None = None) -> VerifyResult:
    project = discover(path)
    result = VerifyResult(ok=True)
    for mset in project.sets:
        if mset.config_file is None:
            raise ChaintuiError(f"{mset.name}: verify needs alembic.ini or pyproject.toml (alembic runs the project)")
        ini = str(mset.config_file) if mset.config_file.suffix == ".ini" else ""
        toml = str(mset.config_file) if mset.config_file.name == "pyproject.toml" else ""
        if ini and (mset.config_file.parent / "pyproject.toml").is_file():
            if b"[tool.alembic]" in (mset.config_file.parent / "pyproject.toml").read_bytes():
                toml = str(mset.config_file.parent / "pyproject.toml")
        prefix = f"{mset.name}: " if len(project.sets) > 1 else ""
        cwd = mset.config_file.parent

        def run(step: str, url: str = "") -> tuple[bool, str]:
            if progress:
                progress(f"{prefix}{step}")
            proc = subprocess.run(
                [sys.executable, "-c", _CHILD, ini, toml, mset.config_section, step, url],
                cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT,
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            )
            if proc.returncode != 0:
                return False, _failure(proc.stdout, proc.stderr, mset.root)
            return True, proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""

        ok, out = run("load")
        if not ok:
            result.steps.append(Step(f"{prefix}alembic loads the history", False, out))
            result.ok = False
            continue
        data = json.loads(out)
        problems = []
        if len(data["heads"]) != 1:
            problems.append(f"{len(data['heads'])} heads ({', '.join(data['heads'])})")
        if len(data["bases"]) != 1:
            problems.append(f"{len(data['bases'])} bases ({', '.join(data['bases'])})")
        problems += [f"warning: {w}" for w in data["warnings"]]
        summary = f"{data['revisions']} revisions, head {', '.join(data['heads'])}"
        result.steps.append(Step(f"{prefix}alembic loads the history", not problems,
                                 "; ".join(problems) if problems else summary))
        result.ok &= not problems
        if not sqlite or problems:
            continue
        with tempfile.TemporaryDirectory(prefix="chaintui-verify-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'scratch.db'}"
            for step, label in (("upgrade", "upgrade head"), ("downgrade", "downgrade base"),
                                ("upgrade", "upgrade head again")):
                ok, out = run(step, url)
                result.steps.append(Step(f"{prefix}{label} (scratch SQLite)", ok, "done" if ok else out))
                if not ok:
                    result.ok = False
                    break
    return result


def _failure(stdout: str, stderr: str, root: Path) -> str:
    """What failed, in lines: the migration and the database's own message, then the statement
    (from the child's report); else the exception line of its traceback."""
    report = None
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            try:
                report = json.loads(line)
            except ValueError:
                report = None
            break
    if not report or report.get("ok", True):
        return _last_error(stderr)
    lines = []
    error = report.get("error") or "failed"
    if report.get("file"):
        try:
            rel = Path(report["file"]).resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            rel = Path(report["file"]).name
        where = f"{report.get('function') or 'migration'}() of {report.get('revision') or '?'}"
        lines.append(f"{where} ({rel}, line {report.get('line')}) failed: {error}")
    else:
        lines.append(error)
    statement = " ".join((report.get("statement") or "").split())
    if statement:
        lines.append(f"statement: {statement[:500]}")
    return "\n".join(lines)


def _last_error(stderr: str) -> str:
    """The exception line of a traceback, never SQLAlchemy's "(Background on this error at: …)"
    link or the `[SQL: …]` echo that follow it."""
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    errors = [line for line in lines
              if not line.startswith(("INFO", "Traceback", "File ", "^", "~", "(Background on this error",
                                      "[SQL:", "[parameters:", "The above exception", "During handling"))]
    return (errors[-1] if errors else (lines[-1] if lines else "failed"))[:300]
