"""Pull-request-shaped git histories, and what really breaks when one lands (for tests and
benchmarks/against.py).

    h = make_history(tmp_path, "both-add", "bare", seed=3)
    # h.upstream: the shared repository, feature-a already merged into its main;
    # h.clone: a developer's clone on branch feature-b (forked from main before feature-a
    #          landed), with origin/main fetched.
    predicted = predicted_breaks(h)          # `chaintui check --against origin/main`
    observed = observed_breaks(h)            # a real `git merge`, read with `ast`

The oracle knows nothing of chaintui: it merges feature-b into origin/main in a scratch worktree
and reads every migration with `ast`, then lists (code, file name) for what the landing broke:
more heads than main had, ids or numbers that a file of main already uses, landed migrations
the branch changed.
"""

from __future__ import annotations

import ast
import json
import os
import random
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.builders import render_migration, write_project

SCENARIOS = ("both-add", "a-unrelated", "edit-landed", "merged-main", "main-broken")
STYLES = ("bare", "slug", "hex")
VERSIONS = "migrations/versions"
GIT_ENV = {"GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
           "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.com"}


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, check=check, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV})


def chaintui(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chaintui", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env={k: v for k, v in os.environ.items() if k != "NO_COLOR"})


@dataclass
class PrHistory:
    scenario: str
    style: str
    upstream: Path
    clone: Path
    branch: str = "feature-b"
    notes: list[str] = field(default_factory=list)


class _Writer:
    """Writes migrations in one id style, numbering from what a branch already has."""

    def __init__(self, style: str, rng: random.Random) -> None:
        self.style = style
        self.rng = rng

    def spec(self, versions: Path, down: str | None, slug: str) -> tuple[str, str, str]:
        """(file name, revision id, source) of a new migration after `down`."""
        numbers = [int(m.group(1)) for p in versions.glob("*.py") if (m := re.match(r"(\d{4})_", p.name))]
        number = max(numbers, default=0) + 1
        if self.style == "bare":
            rev, name = f"{number:04d}", f"{number:04d}_{slug}.py"
        elif self.style == "slug":
            rev = name = f"{number:04d}_{slug}"
            name += ".py"
        else:
            rev = "%012x" % self.rng.getrandbits(48)
            name = f"{rev}_{slug}.py"
        source = render_migration(rev, down, message=slug, upgrade=[
            "op.create_table(",
            f"    't_{slug}',",
            "    sa.Column('id', sa.Integer(), primary_key=True),",
            ")",
        ], downgrade=[f"op.drop_table('t_{slug}')"])
        return name, rev, source

    def add(self, root: Path, down: str | None, slug: str) -> str:
        versions = root / VERSIONS
        name, rev, source = self.spec(versions, down, slug)
        (versions / name).write_text(source)
        return rev


def _heads(root: Path) -> list[str]:
    files = read_migrations(root / VERSIONS)
    named = {p for _, down in files.values() for p in down}
    return sorted({rev for rev, _ in files.values() if rev not in named})


def _commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def make_history(base: Path, scenario: str, style: str, seed: int = 0, main_size: int | None = None) -> PrHistory:
    """Main with a few migrations (`main_size`: that many); feature-b forks from it in a clone;
    feature-a lands on main."""
    if scenario not in SCENARIOS or style not in STYLES:
        raise ValueError(f"unknown scenario/style {scenario}/{style}")
    rng = random.Random(f"{scenario}/{style}/{seed}")
    writer = _Writer(style, rng)
    upstream = Path(base) / "upstream"
    write_project(upstream, [])
    (upstream / "README.md").write_text("app\n")
    previous = None
    revs = []
    for index in range(main_size or rng.randint(2, 5)):
        previous = writer.add(upstream, previous, f"main_{index}")
        revs.append(previous)
    if scenario == "main-broken":
        writer.add(upstream, revs[-2], "main_side")  # main already has two heads
    git(upstream, "init", "-q", "-b", "main")
    _commit(upstream, "main: first migrations")
    clone = Path(base) / "clone"
    git(base, "clone", "-q", str(upstream), str(clone))
    history = PrHistory(scenario, style, upstream, clone)

    def land_a(count: int, tag: str) -> None:
        git(upstream, "switch", "-q", "-c", f"feature-a{tag}", "main")
        if count:
            head = _heads(upstream)[0] if scenario != "main-broken" else None
            for index in range(count):
                head = writer.add(upstream, head, f"a{tag}_{index}")
        else:
            (upstream / "README.md").write_text(f"app, changed by feature-a{tag}\n")
        _commit(upstream, f"feature-a{tag}")
        git(upstream, "switch", "-q", "main")
        git(upstream, "merge", "-q", "--no-ff", f"feature-a{tag}", "-m", f"Merge feature-a{tag}")
        git(clone, "fetch", "-q", "origin")

    git(clone, "switch", "-q", "-c", "feature-b", "--track", "origin/main")
    if scenario == "merged-main":
        land_a(1, "1")
        git(clone, "merge", "-q", "--no-edit", "origin/main")
        history.notes.append("feature-b merged main after feature-a1 landed")
    head = sorted(_heads(clone))[0]
    for index in range(rng.randint(1, 3)):
        head = writer.add(clone, head, f"b_{index}")
    if scenario == "edit-landed":
        old = sorted((clone / VERSIONS).glob("*main_0.py"))[0]
        old.write_text(old.read_text().replace("def downgrade", "# reviewed by feature-b\ndef downgrade"))
    _commit(clone, "feature-b")
    if scenario in ("a-unrelated", "main-broken"):
        land_a(0, "")
    else:
        land_a(rng.randint(1, 2), "2" if scenario == "merged-main" else "")
    return history


# --------------------------------------------------------------------------------------------
# what chaintui predicts, and what really breaks


def predicted_breaks(h: PrHistory, cwd: Path | None = None) -> tuple[set[tuple[str, str]], int]:
    """(code, file name) of each problem `check --against origin/main` reports, and its exit."""
    proc = chaintui("check", ".", "--against", "origin/main", "--format", "json", cwd=cwd or h.clone)
    if proc.returncode not in (0, 1):
        raise AssertionError(f"check --against failed ({proc.returncode}): {proc.stderr}")
    problems = json.loads(proc.stdout)["problems"]
    return {(p["code"], Path(p["files"][0]).name) for p in problems}, proc.returncode


def read_migrations(versions: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    """File name -> (revision, down_revision) read with `ast` (the oracle's own reader)."""
    result = {}
    for path in sorted(versions.glob("*.py")):
        values = {}
        for node in ast.parse(path.read_text()).body:
            target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision") and node.value:
                values[target.id] = ast.literal_eval(node.value)
        down = values.get("down_revision")
        result[path.name] = (values["revision"], () if down is None else (down,) if isinstance(down, str) else tuple(down))
    return result


def _file_heads(files: dict[str, tuple[str, tuple[str, ...]]], mine: set[str]) -> set[str]:
    """Head files of a history, each file its own node (so shared ids do not hide a head): a
    parent id is resolved to a file of the same side (the branch's or main's) when there is one."""
    by_id: dict[str, list[str]] = {}
    for name, (rev, _) in files.items():
        by_id.setdefault(rev, []).append(name)
    named = set()
    for name, (_, down) in files.items():
        for parent in down:
            candidates = by_id.get(parent, [])
            same = [c for c in candidates if (c in mine) == (name in mine)]
            named.update(same[:1] or candidates[:1])
    return set(files) - named


def land(h: PrHistory, where: Path) -> subprocess.CompletedProcess:
    """A scratch worktree of the clone at origin/main with feature-b merged in (a real merge)."""
    git(h.clone, "worktree", "add", "-q", "--detach", str(where), "origin/main")
    return git(where, "merge", "-q", "--no-ff", h.branch, "-m", f"Merge {h.branch}", check=False)


def observed_breaks(h: PrHistory, scratch: Path) -> set[tuple[str, str]]:
    """(code, file name) of what landing feature-b on origin/main really breaks."""
    where = scratch / "landing"
    git(h.clone, "worktree", "add", "-q", "--detach", str(where), "origin/main")
    try:
        before = read_migrations(where / VERSIONS)
        merge = git(where, "merge", "-q", "--no-ff", h.branch, "-m", "land", check=False)
        if merge.returncode != 0:
            raise AssertionError(f"the landing itself conflicts: {merge.stdout} {merge.stderr}")
        after = read_migrations(where / VERSIONS)
        status = git(h.clone, "diff", "--name-status", "--no-renames", f"origin/main...{h.branch}",
                     "--", VERSIONS).stdout.split("\n")
    finally:
        git(h.clone, "worktree", "remove", "--force", str(where))
    changes = [line.split("\t") for line in status if line.strip()]
    added = {Path(p).name for s, p in changes if s == "A"}
    breaks = {("against-edits-landed", Path(p).name) for s, p in changes if s in ("M", "D") and Path(p).name in before}
    theirs = {name: v for name, v in after.items() if name not in added}
    for name in sorted(added):
        rev = after[name][0]
        number = re.match(r"(\d{4})_", name)
        if any(r == rev for r, _ in theirs.values()):
            breaks.add(("against-duplicate-revision", name))
        elif h.style != "hex" and number and any(o.startswith(number.group(1) + "_") for o in theirs):
            breaks.add(("against-duplicate-number", name))
    new_heads = _file_heads(after, added)
    if len(new_heads) > len(_file_heads(before, set())):
        ids = {after[name][0] for name in added}
        for name in added:
            rev, down = after[name]
            if all(p not in ids for p in down):  # the first of the branch's chain
                breaks.add(("against-stale-parent", name))
    return breaks


def predicted_in_merge_checkout(h: PrHistory, scratch: Path) -> tuple[set[tuple[str, str]], int]:
    """`predicted_breaks` run where CI runs it: a detached checkout of feature-b merged into
    origin/main (GitHub's refs/pull/N/merge)."""
    where = scratch / "pr-merge"
    git(h.clone, "worktree", "add", "-q", "--detach", str(where), "origin/main")
    try:
        merge = git(where, "merge", "-q", "--no-ff", h.branch, "-m", "Merge pull request", check=False)
        if merge.returncode != 0:
            raise AssertionError(f"the pull request does not merge: {merge.stdout} {merge.stderr}")
        return predicted_breaks(h, cwd=where)
    finally:
        git(h.clone, "worktree", "remove", "--force", str(where))


@dataclass
class Landing:
    """`fix --against origin/main` on feature-b, then a real merge into origin/main."""

    fix_rc: int
    fix_output: str
    merged: bool
    check_rc: int | None = None
    heads: list[str] = field(default_factory=list)
    sqlite_ok: bool | None = None
    sqlite_output: str = ""


def fix_then_land(h: PrHistory, scratch: Path, sqlite: bool = True) -> Landing:
    fix = chaintui("fix", ".", "--against", "origin/main", "--yes", cwd=h.clone)
    result = Landing(fix.returncode, fix.stdout + fix.stderr, merged=False)
    where = scratch / "landing-after-fix"
    git(h.clone, "worktree", "add", "-q", "--detach", str(where), "origin/main")
    try:
        merge = git(where, "merge", "-q", "--no-ff", h.branch, "-m", f"Merge {h.branch}", check=False)
        result.merged = merge.returncode == 0
        if not result.merged:
            return result
        result.check_rc = chaintui("check", ".", cwd=where).returncode
        result.heads = sorted(_heads(where))
        if sqlite:
            verify = chaintui("verify", ".", "--sqlite", cwd=where)
            result.sqlite_ok = verify.returncode == 0
            result.sqlite_output = verify.stdout[-2000:]
    finally:
        git(h.clone, "worktree", "remove", "--force", str(where))
    return result
