"""How fast is `chaintui check` (and `plan`) compared with `alembic heads` on the same project?

Generates Alembic projects of 1,000, 5,000 and 20,000 revisions (files rendered like alembic's
generic template, each with an `op.create_table`), then times whole processes, interleaved
(alembic, chaintui cold, chaintui warm, floor, plan, alembic, ...) so that machine noise hits
every command alike, and reports medians as ratios to `alembic heads`:

- cold:  `chaintui check` with an empty CHAINTUI_CACHE_DIR (parses every file with `ast`,
         reads alembic.ini like alembic's Config, then fills the cache);
- warm:  `chaintui check` with the cache filled by a previous run (nothing changed);
- floor: a Python subprocess that only reads every migration file (the least any static
         checker that looks at the bytes must do);
- plan:  `chaintui plan` with an empty cache on a copy of the project with three defects (a
         duplicated id, a dangling parent, an extra head), `--no-plan` to skip it.

After each cold run the files are read once more, untimed: a cold run that uses gigabytes
pushes them out of the page cache, and the next command would pay for the disk. Peak RSS of
each command is reported too.

Linearity is t(20,000) / t(5,000) (4.0 is perfectly linear; the target is <= 4.5).

    python benchmarks/scan.py                         # 1000,5000,20000, 5 repetitions
    python benchmarks/scan.py --sizes 200,1000 --repeat 3

Wall times on a shared machine swing with its load; the CPU time (user + system) of each
process is reported as well, and its ratios are the steadier figure.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_WARM_RATIO_AT_5000 = 0.10
TARGET_COLD_RATIO = 0.5
TARGET_LINEARITY = 4.5
TARGET_PEAK_MB_AT_20000 = 200
PLAN_TIMEOUT = 900

TEMPLATE = '''"""{message}

Revision ID: {rev}
Revises: {revises}
Create Date: 2024-{month:02d}-{day:02d} 12:{minute:02d}:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = {rev!r}
down_revision: Union[str, Sequence[str], None] = {down!r}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        {table!r},
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_{table}_name"), {table!r}, ["name"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_{table}_name"), table_name={table!r})
    op.drop_table({table!r})
'''

INI = """[alembic]
script_location = %(here)s/migrations
path_separator = os
sqlalchemy.url = sqlite:///bench.db

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""

FLOOR = (
    "import os, sys\n"
    "d = sys.argv[1]\n"
    "n = 0\n"
    "for f in os.listdir(d):\n"
    "    if f.endswith('.py'):\n"
    "        with open(os.path.join(d, f), 'rb') as h:\n"
    "            n += len(h.read())\n"
    "print(n)\n"
)


def rev_id(i: int) -> str:
    """A deterministic 12-hex-digit id, like alembic.util.rev_id()."""
    return hashlib.sha1(f"rev{i}".encode()).hexdigest()[:12]


def generate(root: Path, size: int, defects: bool = False) -> Path:
    """An Alembic project with `size` revisions in one straight chain (one head, one base).

    With `defects`: a second file declaring the id of the revision at 50 %, the newest
    revision naming a parent no file declares, and an extra head branching off at 75 %.
    """
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "alembic.ini").write_text(INI)
    (root / "migrations" / "env.py").write_text("from alembic import context\n")
    (root / "migrations" / "script.py.mako").write_text('"""${message}"""\n')
    previous = None
    for i in range(size):
        rev = rev_id(i)
        slug = f"create_table_{i}"
        text = TEMPLATE.format(
            message=f"create table {i}", rev=rev, down=previous, revises=previous or "",
            month=1 + i % 12, day=1 + i % 28, minute=i % 60, table=f"t{i}",
        )
        if defects and i == size - 1:
            text = text.replace(f"= {previous!r}", "= 'f42f94c7a129'")
        (versions / f"{rev}_{slug}.py").write_text(text)
        previous = rev
    if defects:
        for label, at, table in (("duplicate", size // 2, "dup"), ("branch", 3 * size // 4, "side")):
            rev = rev_id(at) if label == "duplicate" else "b" + rev_id(size + 1)[1:]
            parent = rev_id(at - 1) if label == "duplicate" else rev_id(at)
            text = TEMPLATE.format(message=f"{label} {at}", rev=rev, down=parent, revises=parent,
                                   month=1, day=1, minute=0, table=f"{table}{at}")
            (versions / f"{rev}_{label}.py").write_text(text)
    return root


def as_installed() -> dict[str, str]:
    """The environment of the measured processes: both tools as pip installs them, on a fresh
    checkout. pip compiles a package's bytecode when it installs it (alembic's is), so chaintui's
    modules are compiled once here (an editable install under PYTHONDONTWRITEBYTECODE would
    compile them again in every process); PYTHONDONTWRITEBYTECODE=1 then keeps the migrations
    themselves uncompiled, as in CI or a fresh checkout: `alembic heads` imports (compiles)
    every file each time, as the issue's baseline does."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("chaintui")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        compileall.compile_dir(folder, quiet=1)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _tool(name: str) -> list[str]:
    """The installed entry point next to this interpreter, else `python -m`."""
    script = Path(sys.executable).with_name(name)
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", name]


def _run(cmd: list[str], env: dict[str, str], cwd: Path, ok: tuple[int, ...] = (0,)) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of one whole process."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in ok:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.read().decode()[-500:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def measure(root: Path, repeat: int, work: Path, cold: bool = True,
            broken: Path | None = None) -> dict[str, float]:
    """Median wall and CPU time and peak RSS of each command, measured alternately."""
    base_env = as_installed()
    warm_cache = work / "warm-cache"
    warm_env = {**base_env, "CHAINTUI_CACHE_DIR": str(warm_cache)}
    chaintui = _tool("chaintui")
    commands = {
        "alembic": (_tool("alembic") + ["-c", str(root / "alembic.ini"), "heads"], None),
        "cold": (chaintui + ["check", str(root)], "cold"),
        "warm": (chaintui + ["check", str(root)], warm_env),
        "floor": ([sys.executable, "-c", FLOOR, str(root / "migrations" / "versions")], None),
    }
    if broken is not None:
        commands["plan"] = (chaintui + ["plan", str(broken)], "cold")
    if not cold:
        del commands["cold"]
    _run(commands["warm"][0], warm_env, root)  # fill the warm cache once
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, float] = {name: 0.0 for name in commands}
    for rep in range(repeat):
        for name, (cmd, env) in commands.items():
            if env == "cold":
                cold_cache = work / f"cold-cache-{name}-{rep}"
                shutil.rmtree(cold_cache, ignore_errors=True)
                env = {**base_env, "CHAINTUI_CACHE_DIR": str(cold_cache)}
            # `plan` on the broken copy exits 1 (errors remain until fixed).
            elapsed, seconds, peak = _run(cmd, env or base_env, root, ok=(0, 1) if name == "plan" else (0,))
            times[name].append(elapsed)
            cpu[name].append(seconds)
            peaks[name] = max(peaks[name], peak)
            if name in ("cold", "plan"):
                # A big cold run can push the files out of the page cache; read them again
                # (untimed) so that alembic, warm and floor all start from the same cache.
                _run(commands["floor"][0], base_env, root)
    result = {name: statistics.median(values) for name, values in times.items()}
    result.update({f"{name} cpu": statistics.median(values) for name, values in cpu.items()})
    result.update({f"{name} MB": peak for name, peak in peaks.items()})
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000,20000", help="comma-separated revision counts")
    parser.add_argument("--repeat", type=int, default=5, help="interleaved repetitions per size (median)")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects")
    parser.add_argument("--no-cold", action="store_true",
                        help="skip the cold runs (each parses every file)")
    parser.add_argument("--no-plan", action="store_true",
                        help="skip `chaintui plan` on the copy with three defects")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    work = Path(tempfile.mkdtemp(prefix="chaintui-bench-"))
    results: dict[int, dict[str, float]] = {}
    try:
        for size in sizes:
            print(f"[{size} revisions] generating...", file=sys.stderr, flush=True)
            root = generate(work / f"p{size}", size)
            broken = None if args.no_plan else generate(work / f"broken{size}", size, defects=True)
            print(f"[{size} revisions] measuring ({args.repeat} interleaved repetitions)...",
                  file=sys.stderr, flush=True)
            results[size] = measure(root, args.repeat, work / f"w{size}", cold=not args.no_cold, broken=broken)
    finally:
        if args.keep:
            print(f"projects kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    names = [n for n in ("alembic", "cold", "warm", "floor", "plan") if any(n in t for t in results.values())]
    nan = float("nan")
    for unit, suffix in (("wall", ""), ("CPU", " cpu")):
        print(f"chaintui vs alembic heads — {unit} time, median of {args.repeat} interleaved runs, whole process")
        print()
        print(f"{'revisions':>9} " + " ".join(f"{n + ' s':>10}" for n in names)
              + " " + " ".join(f"{n + '/alem':>10}" for n in names[1:]))
        for size, t in results.items():
            a = t["alembic" + suffix]
            print(f"{size:>9} " + " ".join(f"{t.get(n + suffix, nan):>10.3f}" for n in names)
                  + " " + " ".join(f"{t.get(n + suffix, nan) / a:>10.3f}" for n in names[1:]))
        print()
    verdicts = []
    print(f"{'revisions':>9} " + " ".join(f"{n + ' MB':>10}" for n in names) + "   (peak RSS of one process)")
    for size, t in results.items():
        print(f"{size:>9} " + " ".join(f"{t.get(n + ' MB', nan):>10.0f}" for n in names))
    print()
    for size, t in results.items():
        if "cold" in t:
            ratio = t["cold"] / t["alembic"]
            ok = ratio <= TARGET_COLD_RATIO
            verdicts.append(ok)
            print(f"cold ratio at {size:,}: {ratio:.3f} wall, {t['cold cpu'] / t['alembic cpu']:.3f} CPU "
                  f"(target <= {TARGET_COLD_RATIO}) {'OK' if ok else 'MISSED'}")
    if 5000 in results:
        ratio = results[5000]["warm"] / results[5000]["alembic"]
        ok = ratio <= TARGET_WARM_RATIO_AT_5000
        verdicts.append(ok)
        print(f"warm ratio at 5,000: {ratio:.3f} (target <= {TARGET_WARM_RATIO_AT_5000}) "
              f"{'OK' if ok else 'MISSED'}")
    if 20000 in results:
        for name in ("cold", "warm"):
            if name + " MB" in results[20000]:
                peak = results[20000][name + " MB"]
                ok = peak <= TARGET_PEAK_MB_AT_20000
                verdicts.append(ok)
                print(f"peak memory of {name} check at 20,000: {peak:.0f} MB "
                      f"(target <= {TARGET_PEAK_MB_AT_20000}) {'OK' if ok else 'MISSED'}")
    if 5000 in results and 20000 in results:
        print("\nlinearity t(20,000) / t(5,000) (target <= 4.5; 4.0 = linear), wall / CPU:")
        for name in names:
            if name not in results[5000]:
                continue
            factor = results[20000][name] / results[5000][name]
            factor_cpu = results[20000][name + " cpu"] / results[5000][name + " cpu"]
            line = f"  {name:<8} {factor:5.2f} / {factor_cpu:5.2f}"
            if name in ("cold", "warm"):
                ok = factor <= TARGET_LINEARITY
                verdicts.append(ok)
                line += "  OK" if ok else "  MISSED"
            print(line)
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
