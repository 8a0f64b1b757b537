"""One fix (edit + commit) in a project of N revisions: `chaintui fix --all --yes` as a whole
process, as a ratio to a plain `git commit` of the same edit, measured alternately in one run.

    python benchmarks/fix.py                 # 5,000 revisions, 5 repetitions
    python benchmarks/fix.py --size 1000 --repeat 3

The project is a straight chain whose newest revision names a parent no file declares, so the
plan is exactly one relink. Each repetition resets the repository to the broken commit, then
times (a) chaintui planning and committing the fix and (b) a script writing the very same bytes
and running `git commit -a`. The scan cache is warm for chaintui (as on a second run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan import _tool, generate  # noqa: E402  (same folder)

GIT_ENV = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout


def timed(cmd: list[str], root: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])}... failed ({proc.returncode}): {proc.stdout[-300:]} {proc.stderr[-300:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="chaintui-bench-fix-") as tmp:
        root = generate(Path(tmp) / "project", args.size)
        newest = sorted((root / "migrations/versions").glob("*.py"), key=os.path.getmtime)[-1]
        text = newest.read_text()
        parent_line = next(line for line in text.splitlines() if line.startswith("down_revision"))
        real_parent = parent_line.split("=", 1)[1].strip()
        broken = text.replace(parent_line, parent_line.split("=", 1)[0] + "= 'f42f94c7a129'")
        newest.write_text(broken)
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "broken history")
        broken_sha = git(root, "rev-parse", "HEAD").strip()

        env = {**os.environ, **GIT_ENV, "CHAINTUI_CACHE_DIR": str(Path(tmp) / "cache")}
        chaintui = _tool("chaintui") + ["fix", str(root), "--all", "--yes"]
        subprocess.run(_tool("chaintui") + ["check", str(root)], env=env, capture_output=True)  # warm the cache
        expected = None
        baseline_script = (
            "import pathlib, subprocess, sys\n"
            "p = pathlib.Path(sys.argv[1]); p.write_bytes(pathlib.Path(sys.argv[2]).read_bytes())\n"
            "subprocess.run(['git', 'commit', '-qam', 'relink'], cwd=sys.argv[3], check=True)\n"
        )
        fixed_copy = Path(tmp) / "fixed.py"
        times: dict[str, list[float]] = {"chaintui fix": [], "git commit": []}
        for _ in range(args.repeat):
            git(root, "reset", "-q", "--hard", broken_sha)
            times["chaintui fix"].append(timed(chaintui, root, env))
            fixed = newest.read_bytes()
            if expected is None:
                expected = fixed
                fixed_copy.write_bytes(fixed)
                assert real_parent.strip("'\"") in fixed.decode(), "the fix chose another parent"
            assert fixed == expected
            git(root, "reset", "-q", "--hard", broken_sha)
            times["git commit"].append(timed([sys.executable, "-c", baseline_script, str(newest),
                                              str(fixed_copy), str(root)], root, env))
        median = {name: statistics.median(values) for name, values in times.items()}
    ratio = median["chaintui fix"] / median["git commit"]
    print(f"revisions: {args.size}, repetitions: {args.repeat} (medians, alternating)")
    print(f"  chaintui fix --all --yes : {median['chaintui fix'] * 1000:8.1f} ms")
    print(f"  write + git commit -a    : {median['git commit'] * 1000:8.1f} ms")
    print(f"  ratio                    : {ratio:8.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
