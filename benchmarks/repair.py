"""End-to-end repair benchmark: what `chaintui fix --all --yes` commits, judged as a black box.

Generates broken Alembic histories whose intended result is known by construction (stacked
defects on a main line; parallel feature branches merged in some order), each as a real git
repository, runs `chaintui fix --all --yes` on it in a subprocess, and judges the commits with
alembic alone: does alembic load it (one head, one base, no warnings); is the graph the intended
one (files identified by a marker comment, so renamed files are the same migration; or, where
merging is the team's way, one merge revision over exactly the right heads); does `upgrade head`,
`downgrade base`, `upgrade head` pass on a scratch SQLite database. See benchmarks/README.md.

    python benchmarks/repair.py                       # 500 histories, seed 1, 2 jobs
    python benchmarks/repair.py --count 60 --keep /tmp/failed --json /tmp/repair.json
    python benchmarks/repair.py --repair reference    # self-check: the intended repair passes all
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from repairbench import report, runner  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chaintui", default=".venv/bin/chaintui", help="the chaintui executable to judge")
    parser.add_argument("--count", type=int, default=500, help="number of histories (default 500)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2, help="histories run at once (default 2)")
    parser.add_argument("--json", metavar="OUT", help="write every case's result here")
    parser.add_argument("--keep", metavar="DIR", help="keep failing cases' repositories here, with EXPECTED.txt")
    parser.add_argument("--case", metavar="PREFIX", help="only cases whose id starts with PREFIX (e.g. 0042)")
    parser.add_argument("--repair", choices=("chaintui", "reference", "none"), default="chaintui",
                        help="who repairs: chaintui (default); reference = the intended repair (self-check); "
                             "none = judge the broken history as it is")
    parser.add_argument("--python", default=sys.executable, help="Python that runs alembic for the judge")
    parser.add_argument("-v", "--verbose", action="store_true", help="print a line for every failure")
    args = parser.parse_args(argv)

    chaintui = shutil.which(args.chaintui) or args.chaintui
    if args.repair == "chaintui" and not (os.path.isfile(chaintui) and os.access(chaintui, os.X_OK)):
        print(f"repair.py: no chaintui executable at {args.chaintui} (pass --chaintui PATH)", file=sys.stderr)
        return 2
    chaintui = os.path.abspath(chaintui)
    python = shutil.which(args.python) or args.python
    if subprocess.run([python, "-c", "import alembic, sqlalchemy"], capture_output=True).returncode:
        print(f"repair.py: {args.python} cannot import alembic (pass --python PATH)", file=sys.stderr)
        return 2
    keep = Path(args.keep).resolve() if args.keep else None
    if keep:
        keep.mkdir(parents=True, exist_ok=True)

    specs = runner.case_specs(args.seed, args.count)
    started = time.perf_counter()
    cpu0 = _cpu()
    done: list[dict] = []

    def one(spec: tuple) -> dict | None:
        case = runner.make_case(args.seed, spec)
        if args.case and not case.id.startswith(args.case):
            return None
        rec = runner.run_case(case, chaintui=chaintui, python=os.path.abspath(python), repair=args.repair, keep=keep)
        done.append(rec)
        if len(done) % 10 == 0 or (args.case and rec):
            elapsed = time.perf_counter() - started
            print(f"[{len(done)}/{len(specs)}] {sum(r['pass'] for r in done)} pass, {elapsed:.0f} s", file=sys.stderr)
        return rec

    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        results = [r for r in pool.map(one, specs) if r is not None]
    wall = time.perf_counter() - started
    if not results:
        print("repair.py: no case matched", file=sys.stderr)
        return 2

    failing = [r for r in results if not r["pass"]]
    if failing and (args.verbose or keep):
        print(f"failures ({len(failing)}): expected vs what {'chaintui' if args.repair == 'chaintui' else args.repair} committed")
        for rec in failing:
            print("  " + runner.failure_line(rec))
        print()
    who = {"chaintui": f"chaintui fix --all --yes ({chaintui})", "reference": "the reference repair (self-check)",
           "none": "no repair (the broken histories)"}[args.repair]
    print(f"repair benchmark: {len(results)} histories, seed {args.seed}, repaired by {who}")
    print(report.table(results))
    print()
    print(report.patterns(results))
    print()
    text, met = report.targets(results)
    print(text)
    steps = {k: sum(r.get(k) or 0 for r in results) for k in ("t_build", "t_fix", "t_judge")}
    cpu = _cpu() - cpu0
    print(f"time: {wall:.0f} s wall with {args.jobs} job(s) ({wall / len(results):.1f} s per history), "
          f"{cpu:.0f} CPU-seconds ({cpu / len(results):.1f} per history; all processes); per step, summed "
          f"wall: build {steps['t_build']:.0f} s, fix {steps['t_fix']:.0f} s, judge {steps['t_judge']:.0f} s")
    if keep and failing:
        print(f"failing repositories kept in {keep}/<case id>/ (EXPECTED.txt in each)")
    if args.json:
        Path(args.json).write_text(json.dumps({"seed": args.seed, "count": len(results), "repair": args.repair,
                                               "wall_seconds": round(wall, 1), "summary": text, "cases": results},
                                              indent=1), encoding="utf-8")
    return 0 if met else 1


def _cpu() -> float:
    """CPU seconds used so far by this process and its finished children (chaintui, git, alembic)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


if __name__ == "__main__":
    sys.exit(main())
