"""Which histories a run generates (deterministic from the seed), and one case end to end:
build the repository, repair it, judge what was committed."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from . import judge, oracle, parallel, stacked
from .history import Case
from .project import STYLES, write_repo

STYLE_MIX = STYLES + tuple(s for s in STYLES if s.family != "numbered") + tuple(s for s in STYLES if s.family == "hex")
"""Numbered (4 styles), hex (3 turns) and date-prefixed (4 turns) histories in about equal shares."""
PARALLEL_SLOTS = (1, 4, 7)
"""Of every ten cases, these are parallel-branch histories (30 %); the rest stacked defects."""


def case_specs(seed: int, count: int) -> list[tuple]:
    """(index, family, style, detail) for `count` cases: every style x defect kind and every
    style x parallel variant in turn, in a seeded shuffle. Case i is the same whatever the
    count, and any prefix is a balanced mix."""
    rng = random.Random(f"specs:{seed}")
    combos_s = [(s, k) for s in STYLE_MIX for k in stacked.KINDS if stacked.applicable(s, k)]
    combos_p = [(s, v) for s in STYLE_MIX for v in parallel.VARIANTS]
    rng.shuffle(combos_s)
    rng.shuffle(combos_p)
    out, i_s, i_p = [], 0, 0
    for index in range(count):
        if index % 10 in PARALLEL_SLOTS:
            out.append((index, "parallel", *combos_p[i_p % len(combos_p)]))
            i_p += 1
        else:
            out.append((index, "stacked", *combos_s[i_s % len(combos_s)]))
            i_s += 1
    return out


def make_case(seed: int, spec: tuple, length: int | None = None) -> Case:
    index, family, style, detail = spec
    rng = random.Random(f"case:{seed}:{index}")
    length = rng.randint(20, 120) if length is None else length
    if family == "stacked":
        others = [k for k in stacked.KINDS if k != detail and stacked.applicable(style, k)]
        kinds = [detail] + rng.sample(others, rng.randint(0, 2))
        return stacked.generate(f"{index:04d}-{style.name}-{detail}", rng, style, kinds, length)
    earlier, policy = detail
    tag = f"{'merges-' if earlier else ''}{policy or 'nopolicy'}"
    return parallel.generate(f"{index:04d}-{style.name}-parallel-{tag}", rng, style, earlier, policy, length)


def git(project: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=project, capture_output=True, text=True).stdout


def run_case(case: Case, *, chaintui: str | list[str], python: str, repair: str = "chaintui",
             keep: Path | None = None, timeout: float = 900) -> dict:
    """Build `case`, repair it (`chaintui`, `reference` or `none`), judge it; one result record."""
    rec: dict = {"id": case.id, "family": case.family, "style": case.style.name, "style_family": case.style.family,
                 "kinds": case.kinds, "variant": case.variant, "revisions": case.notes.get("revisions"),
                 "expected": expected_summary(case), "notes": {k: v for k, v in case.notes.items() if k != "revisions"}}
    scratch = Path(tempfile.mkdtemp(prefix="repairbench-"))
    project = scratch / "project"
    started = time.perf_counter()
    try:
        base = write_repo(project, case.commits)
        rec["t_build"] = round(time.perf_counter() - started, 2)
        rec["fix_rc"] = None
        t = time.perf_counter()
        if repair == "chaintui":
            env = {**os.environ, "CHAINTUI_CACHE_DIR": str(scratch / "cache"), "NO_COLOR": "1",
                   "PYTHONDONTWRITEBYTECODE": "1"}
            command = [chaintui] if isinstance(chaintui, str) else list(chaintui)
            proc = subprocess.run([*command, "fix", str(project), "--all", "--yes"], capture_output=True,
                                  text=True, timeout=timeout, env=env)
            rec["fix_rc"] = proc.returncode
            rec["fix_out"] = (proc.stdout + proc.stderr)[-1500:]
            left = re.search(r"(\d+) error\(s\) left", proc.stdout)
            rec["errors_left"] = int(left.group(1)) if left else None
        elif repair == "reference":
            oracle.repair(case, project)
            rec["fix_rc"] = 0
        rec["t_fix"] = round(time.perf_counter() - t, 2)
        rec["commits"] = git(project, "log", "--reverse", "--format=%s", f"{base}..HEAD").splitlines()
        rec["dirty"] = bool(git(project, "status", "--porcelain").strip())
        t = time.perf_counter()
        res = judge.load(case, project, scratch, python, timeout=timeout)
        rec["t_judge"] = round(time.perf_counter() - t, 2)
        rec.update(judge.compare(case, res, judge.present_files(project)))
    except subprocess.TimeoutExpired as exc:
        rec.update(valid=False, intended=False, sqlite=False, why=f"timed out: {' '.join(map(str, exc.cmd[:2]))}")
    except Exception as exc:   # a benchmark bug must show, not crash the whole run
        rec.update(valid=False, intended=False, sqlite=False, why=f"benchmark error: {type(exc).__name__}: {exc}",
                   bench_error=True)
    rec["pass"] = bool(rec.get("valid") and rec.get("intended") and rec.get("sqlite"))
    rec["false_success"] = rec.get("fix_rc") == 0 and not (rec.get("valid") and rec.get("sqlite"))
    rec["t_total"] = round(time.perf_counter() - started, 2)
    if keep is not None and not rec["pass"] and project.exists():
        target = keep / case.id
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(project, target, symlinks=True)
        (target / "EXPECTED.txt").write_text(failure_report(rec), encoding="utf-8")
    shutil.rmtree(scratch, ignore_errors=True)
    return rec


def expected_summary(case: Case) -> str:
    e = case.expect
    label = lambda m: judge._label(case, m)  # noqa: E731
    if e.mode == "merge":
        return f"one merge revision of {' + '.join(label(m) for m in e.merge_over)} ({e.rule})"
    extra = []
    if e.removed:
        extra.append("remove " + ", ".join(label(m) for m in sorted(e.removed)))
    if e.gone_paths:
        extra.append("delete " + ", ".join(sorted(e.gone_paths)))
    return f"{e.rule} ({len(e.order)} revisions)" + (f"; {'; '.join(extra)}" if extra else "")


def failure_line(rec: dict) -> str:
    return (f"{rec['id']}: expected {rec['expected']}; committed: {rec.get('why') or 'as intended'}"
            f" [fix exit {rec.get('fix_rc')}, {len(rec.get('commits') or [])} commit(s)]")


def failure_report(rec: dict) -> str:
    lines = [failure_line(rec), "", f"kinds: {', '.join(rec['kinds'])}; variant: {rec['variant']}",
             f"alembic-valid: {rec.get('valid')}  intended: {rec.get('intended')}  sqlite: {rec.get('sqlite')}"]
    if rec.get("sqlite_error"):
        lines.append(f"sqlite: {rec['sqlite_error']}")
    if rec.get("walk"):
        lines.append(rec["walk"])
    lines += ["", "differences from the intended graph:"] + [f"  - {d}" for d in rec.get("diffs", [])]
    lines += ["", "commits made by the repair:"] + [f"  {c}" for c in rec.get("commits") or []]
    lines += ["", "fix output (tail):", rec.get("fix_out") or "", ""]
    return "\n".join(lines)
