"""Does `check --against` predict every break a landing causes (and nothing else), and does
`fix --against` then a real `git merge` give one head that upgrades SQLite?

For every scenario x id style x seed, tests/pr_histories.py builds a pull-request history in
git: main with a few migrations, feature-b forked from it in a developer's clone, feature-a
landed on main after the fork. Then, per history:

1. predict:  `chaintui check --against origin/main --format json` on feature-b, and again in a
             GitHub-style pull-request checkout (feature-b merged into origin/main, detached);
2. observe:  really merge feature-b into origin/main (a scratch worktree) and list what broke,
             read with `ast` by an oracle that knows nothing of chaintui (more heads than main
             had, ids/numbers main already uses, landed migrations the branch changed);
3. repair:   `chaintui fix --against origin/main --yes` on feature-b, merge it into origin/main
             for real, then `chaintui check` (no errors), the heads, `chaintui verify --sqlite`.

Scenarios: both-add (both branches add migrations on the fork's head), a-unrelated (feature-a
lands no migration), edit-landed (feature-b also edits a migration main already has),
merged-main (feature-b merged main mid-way: only what landed after counts), main-broken (main
already has two heads: nothing is the branch's doing). Styles: bare numbered ids (`0004`),
numbered slug ids (`0004_add_x`), hex ids.

Then the cost: `check --against` against a plain `check` (the baseline) on the same clone with a
main of --size migrations, whole processes, alternated, warm cache, medians.

    python benchmarks/against.py                  # 3 seeds, --size 2000, 5 repetitions
    python benchmarks/against.py --seeds 1 --size 500 --repeat 3 --no-sqlite
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.pr_histories import (SCENARIOS, STYLES, fix_then_land, make_history,  # noqa: E402
                                observed_breaks, predicted_breaks, predicted_in_merge_checkout)


def accuracy(seeds: int, sqlite: bool, verbose: bool) -> tuple[list[list], bool]:
    rows, ok = [], True
    for scenario in SCENARIOS:
        totals = Counter()
        for style in STYLES:
            for seed in range(seeds):
                with tempfile.TemporaryDirectory(prefix="chaintui-bench-against-") as tmp:
                    base = Path(tmp)
                    history = make_history(base, scenario, style, seed)
                    predicted, _ = predicted_breaks(history)
                    in_pr, _ = predicted_in_merge_checkout(history, base)
                    observed = observed_breaks(history, base)
                    landing = fix_then_land(history, base, sqlite=sqlite and scenario != "main-broken")
                totals["histories"] += 1
                totals["breaks"] += len(observed)
                totals["tp"] += len(predicted & observed)
                totals["fp"] += len(predicted - observed)
                totals["fn"] += len(observed - predicted)
                totals["pr_same"] += in_pr == predicted
                healthy = scenario != "main-broken"
                fixed = landing.fix_rc == 0 and landing.merged and (
                    (landing.check_rc == 0 and len(landing.heads) == 1) if healthy else True)
                totals["fixed"] += fixed
                if sqlite and healthy:
                    totals["sqlite"] += bool(landing.sqlite_ok)
                    totals["sqlite_runs"] += 1
                if predicted != observed or in_pr != predicted or not fixed or \
                        (sqlite and healthy and not landing.sqlite_ok):
                    ok = False
                    print(f"MISS {scenario}/{style}/{seed}: predicted {sorted(predicted)} observed "
                          f"{sorted(observed)} in-PR {sorted(in_pr)} fix {landing}", file=sys.stderr)
                elif verbose:
                    print(f"ok   {scenario}/{style}/{seed}: {sorted(observed)}", file=sys.stderr)
        rows.append([scenario, totals["histories"], totals["breaks"], totals["tp"], totals["fp"], totals["fn"],
                     f"{totals['pr_same']}/{totals['histories']}", f"{totals['fixed']}/{totals['histories']}",
                     f"{totals['sqlite']}/{totals['sqlite_runs']}" if totals["sqlite_runs"] else "-"])
    return rows, ok


def timing(size: int, repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="chaintui-bench-against-time-") as tmp:
        history = make_history(Path(tmp), "both-add", "hex", seed=0, main_size=size)
        env = {**os.environ, "CHAINTUI_CACHE_DIR": str(Path(tmp) / "cache")}
        commands = {
            "check": [sys.executable, "-m", "chaintui", "check", "."],
            "check --against": [sys.executable, "-m", "chaintui", "check", ".", "--against", "origin/main"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for name, cmd in commands.items():  # warm the scan cache and the page cache
            subprocess.run(cmd, cwd=history.clone, env=env, capture_output=True)
        for _ in range(repeat):
            for name, cmd in commands.items():
                start = time.perf_counter()
                proc = subprocess.run(cmd, cwd=history.clone, env=env, capture_output=True, text=True)
                times[name].append(time.perf_counter() - start)
                if proc.returncode not in (0, 1):
                    raise SystemExit(f"{name} failed: {proc.stderr}")
        return {name: statistics.median(values) for name, values in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--size", type=int, default=2000, help="main's migrations for the timing")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-sqlite", action="store_true", help="skip `verify --sqlite` after each merge")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    if shutil.which("git") is None:
        raise SystemExit("git is needed")
    os.environ.setdefault("CHAINTUI_CACHE_DIR", tempfile.mkdtemp(prefix="chaintui-bench-cache-"))

    start = time.perf_counter()
    rows, ok = accuracy(args.seeds, not args.no_sqlite, args.verbose)
    header = ["scenario", "histories", "breaks", "predicted", "false", "missed", "same in PR checkout",
              "fix+merge: 1 head, check ok", "upgrade/downgrade/upgrade SQLite"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    total = [sum(r[i] for r in rows) for i in range(1, 6)]
    print(f"| **all** | {' | '.join(map(str, total))} | | | |")
    print(f"\n({time.perf_counter() - start:.0f} s)")

    medians = timing(args.size, args.repeat)
    base = medians["check"]
    print(f"\nmain of {args.size} migrations, warm cache, median of {args.repeat}:")
    for name, value in medians.items():
        print(f"  {name:<16} {value:6.2f} s   {value / base:4.2f}x plain check")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
