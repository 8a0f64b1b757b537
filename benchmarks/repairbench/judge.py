"""Judge what a repair committed: alembic's own verdict, the graph against the intended one, and
a scratch SQLite database.

Only alembic and the files are consulted, never chaintui: a child Python loads the project's
ScriptDirectory (warnings recorded), reports every revision with its parents, file and marker,
then runs `upgrade heads`, `downgrade base`, `upgrade heads` against a scratch SQLite database.
Files are identified by their marker comment, so a renamed or renumbered file is the same
migration. A file with a syntax error is first restored the way a person would (its broken
lines replaced by the original ones; its revision variables stay as the repair left them), in a
copy of the work tree, since alembic cannot import it otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from .history import Case
from .project import VERSIONS

CHILD = r'''
import json, os, re, sys, warnings
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import to_tuple

project, url = sys.argv[1], sys.argv[2]
marker = re.compile(r"^# bench-id: ([0-9a-f]{8})$", re.M)
out = {"loaded": False}
cfg = Config(os.path.join(project, "alembic.ini"))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        script = ScriptDirectory.from_config(cfg)
        revs = list(script.walk_revisions())
        out.update(loaded=True, heads=list(script.get_heads()), bases=list(script.get_bases()), revs=[
            {"rev": r.revision, "down": list(to_tuple(r.down_revision, default=())), "path": r.path}
            for r in revs])
    except Exception as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"[:300]
out["warnings"] = [str(w.message)[:200] for w in caught]
for r in out.get("revs", []):
    with open(r["path"], encoding="utf-8") as f:
        r["marker"] = (marker.findall(f.read()) or [None])[0]
    r["path"] = os.path.basename(r["path"])
if out["loaded"]:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _no_fsync(dbapi_connection, record):   # a scratch database: durability is not needed
        dbapi_connection.execute("PRAGMA synchronous = OFF")
        dbapi_connection.execute("PRAGMA journal_mode = MEMORY")

    cfg.set_main_option("sqlalchemy.url", url)
    out["sqlite"] = []
    for name, step, target in (("upgrade head", command.upgrade, "heads"), ("downgrade base", command.downgrade, "base"),
                               ("upgrade head again", command.upgrade, "heads")):
        try:
            step(cfg, target)
            out["sqlite"].append([name, True, ""])
        except Exception as exc:
            out["sqlite"].append([name, False, f"{type(exc).__name__}: {exc}"[:300]])
            break
print("JUDGE " + json.dumps(out))
'''


def load(case: Case, project: Path, scratch: Path, python: str, timeout: float = 600) -> dict:
    """alembic's view of `project` (run on a copy; syntax errors restored as a person would)."""
    copy = scratch / "judged"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".git", "__pycache__"))
    if case.syntax_fixes:
        for path in (copy / VERSIONS).glob("*.py"):
            text = path.read_text(encoding="utf-8")
            for bad, good in case.syntax_fixes.values():
                if bad in text:
                    path.write_text(text.replace(bad, good), encoding="utf-8")
    url = f"sqlite:///{scratch / 'scratch.db'}"
    proc = subprocess.run([python, "-c", CHILD, str(copy), url], cwd=copy, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    line = next((ln for ln in reversed(proc.stdout.splitlines()) if ln.startswith("JUDGE ")), None)
    if line is None:
        return {"loaded": False, "error": (proc.stderr.strip().splitlines() or ["judge failed"])[-1][:300],
                "warnings": []}
    return json.loads(line[6:])


def compare(case: Case, res: dict, present: set[str]) -> dict:
    """valid / intended / sqlite, the differences from the intended graph, one line of why."""
    e = case.expect
    name = lambda n: _label(case, n)  # noqa: E731
    names = lambda ns: "+".join(name(n) for n in ns) or "nothing (a base)"  # noqa: E731
    out: dict = {"valid": False, "intended": False, "sqlite": False, "diffs": []}
    if not res.get("loaded"):
        out["why"] = f"alembic cannot load it: {res.get('error')}"
        return out
    problems = []
    if len(res["heads"]) != 1:
        problems.append(f"{len(res['heads'])} heads")
    if len(res["bases"]) != 1:
        problems.append(f"{len(res['bases'])} bases")
    problems += [f"warning: {w}" for w in res["warnings"][:2]]
    out["valid"] = not problems
    steps = res.get("sqlite") or []
    out["sqlite"] = len(steps) == 3 and all(ok for _, ok, _ in steps)
    failed = next((f"{step}: {msg}" for step, ok, msg in steps if not ok), None)
    if failed:
        out["sqlite_error"] = failed

    node_of = {r["rev"]: r["marker"] or f"new:{r['path']}" for r in res["revs"]}
    seen: dict[str, list[tuple[str, ...]]] = {}
    for r in res["revs"]:
        node = r["marker"] or f"new:{r['path']}"
        seen.setdefault(node, []).append(tuple(sorted(node_of.get(d, f"?{d}") for d in r["down"])))
    diffs = [f"{name(n)} kept {len(ps)} times" for n, ps in seen.items() if len(ps) > 1 and not n.startswith("new:")]
    actual = {n: ps[0] for n, ps in seen.items()}
    for m, want in e.parents.items():
        if m not in actual:
            diffs.append(f"{name(m)} removed (intended: kept after {names(want)})")
        elif actual[m] != want:
            diffs.append(f"{name(m)} after {names(actual[m])} (intended: after {names(want)})")
    for m in sorted(e.removed & actual.keys()):
        diffs.append(f"{name(m)} kept after {names(actual[m])} (intended: removed)")
    for path in sorted(e.gone_paths & present):
        diffs.append(f"stale copy {path} kept (intended: deleted)")
    new = sorted(n for n in actual if n.startswith("new:"))
    if e.mode == "merge":
        if len(new) != 1 or actual[new[0]] != e.merge_over:
            got = "; ".join(f"merge of {names(actual[n])}" for n in new) or "no merge revision"
            diffs.append(f"intended one merge revision of {names(e.merge_over)}, got {got}")
    else:
        diffs += [f"new revision {n[4:]} over {names(actual[n])} (intended: none)" for n in new]
    out["diffs"] = diffs
    out["intended"] = out["valid"] and not diffs
    walk = [r["marker"] or f"new:{r['path']}" for r in reversed(res["revs"])]
    at = next((i for i, (a, b) in enumerate(zip(e.order, walk)) if a != b), None)
    if at is not None:
        out["walk"] = f"walk #{at}: intended {name(e.order[at])}, committed {name(walk[at])}"
    if not out["valid"]:
        out["why"] = "alembic: " + "; ".join(problems) + (f"; {diffs[0]}" if diffs else "")
    elif diffs:
        out["why"] = diffs[0] + (f" (+{len(diffs) - 1} more)" if len(diffs) > 1 else "")
    elif not out["sqlite"]:
        out["why"] = f"SQLite: {failed}"
    return out


def _label(case: Case, node: str) -> str:
    if node.startswith("new:"):
        return f"new {node[4:-3]}"
    if node.startswith("?"):
        return f"missing {node[1:]}"
    return case.labels.get(node, node).removesuffix(".py")[:34]


def present_files(project: Path) -> set[str]:
    return {p.name for p in (project / VERSIONS).glob("*.py")}
