"""One fix (edit + commit) in a project of N revisions: `chaintui fix --all --yes` as a whole
process, as a ratio to `alembic heads` on the same project and to a plain `git commit` of the
same edit, measured alternately in one run.

    python benchmarks/fix.py                 # 5,000 revisions, 5 repetitions
    python benchmarks/fix.py --size 1000 --repeat 3

The project is a straight chain whose newest revision names a parent no file declares, so the
plan is exactly one relink. Each repetition resets the repository to the broken commit, then
times (a) chaintui planning and committing the fix, (b) a script writing the very same bytes
and running `git commit -a`, and (c) `alembic heads` on the fixed project. The scan cache is
warm for chaintui (as on a second run). Peak RSS of each command is reported too.
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
from scan import _tool, as_installed, generate  # noqa: E402  (same folder)

TARGET_RATIO_TO_ALEMBIC = 0.3
GIT_ENV = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout


def timed(cmd: list[str], root: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one whole process."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            out.seek(0)
            raise SystemExit(f"{' '.join(cmd[:3])}... failed: {out.read().decode()[-600:]}")
    return elapsed, usage.ru_maxrss / 1024


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

        env = {**as_installed(), **GIT_ENV, "CHAINTUI_CACHE_DIR": str(Path(tmp) / "cache")}
        chaintui = _tool("chaintui") + ["fix", str(root), "--all", "--yes"]
        subprocess.run(_tool("chaintui") + ["check", str(root)], env=env, capture_output=True)  # warm the cache
        expected = None
        baseline_script = (
            "import pathlib, subprocess, sys\n"
            "p = pathlib.Path(sys.argv[1]); p.write_bytes(pathlib.Path(sys.argv[2]).read_bytes())\n"
            "subprocess.run(['git', 'commit', '-qam', 'relink'], cwd=sys.argv[3], check=True)\n"
        )
        fixed_copy = Path(tmp) / "fixed.py"
        alembic = _tool("alembic") + ["-c", str(root / "alembic.ini"), "heads"]
        times: dict[str, list[float]] = {"chaintui fix": [], "git commit": [], "alembic heads": []}
        peaks: dict[str, float] = {name: 0.0 for name in times}

        def record(name: str, result: tuple[float, float]) -> None:
            times[name].append(result[0])
            peaks[name] = max(peaks[name], result[1])

        for _ in range(args.repeat):
            git(root, "reset", "-q", "--hard", broken_sha)
            record("chaintui fix", timed(chaintui, root, env))
            fixed = newest.read_bytes()
            if expected is None:
                expected = fixed
                fixed_copy.write_bytes(fixed)
                assert real_parent.strip("'\"") in fixed.decode(), "the fix chose another parent"
            assert fixed == expected
            record("alembic heads", timed(alembic, root, env))
            git(root, "reset", "-q", "--hard", broken_sha)
            record("git commit", timed([sys.executable, "-c", baseline_script, str(newest),
                                        str(fixed_copy), str(root)], root, env))
        median = {name: statistics.median(values) for name, values in times.items()}
    print(f"revisions: {args.size}, repetitions: {args.repeat} (medians, alternating)")
    for name, label in (("chaintui fix", "chaintui fix --all --yes"), ("alembic heads", "alembic heads"),
                        ("git commit", "write + git commit -a")):
        print(f"  {label:<25}: {median[name] * 1000:8.1f} ms   peak {peaks[name]:5.0f} MB")
    print(f"  fix / alembic heads      : {median['chaintui fix'] / median['alembic heads']:8.2f}x"
          f"   (issue 10 target <= {TARGET_RATIO_TO_ALEMBIC})")
    print(f"  fix / git commit         : {median['chaintui fix'] / median['git commit']:8.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
