"""Generated histories for the TUI: a long hex-id history with branches, merges and a few defects,
committed with fixed dates so that its HEAD (shown in the header) is the same on every run."""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

from datetime import datetime, timedelta

from tests.builders import migration_filename, write_project

PLACEHOLDER_DATE = "2024-01-01 00:00:00.000000"
"""The `Create Date` tests.builders writes into every header."""

WORDS = ("users", "orders", "invoices", "teams", "tags", "audit", "sessions", "webhooks", "billing",
         "reports", "exports", "settings", "tokens", "comments", "files", "alerts", "plans", "quotas")
VERBS = ("add", "create", "index", "backfill", "drop unused", "rename", "alter")


def hex_specs(count: int = 300, seed: int = 13) -> list[tuple]:
    """Specs of `count` revisions with 12-hex-digit ids (alembic's own style): a main line, a
    short feature branch every 25 revisions merged back 4 revisions later, one unmerged branch at
    the end (two heads), a loop of two revisions, a parent no file declares, and one id declared
    by two files."""
    rng = random.Random(seed)
    used: set[str] = set()

    def new() -> str:
        while True:
            rev = f"{rng.getrandbits(48):012x}"
            if rev not in used and not rev[0].isdigit():
                used.add(rev)
                return rev

    def message() -> str:
        return f"{rng.choice(VERBS)} {rng.choice(WORDS)} {rng.choice(WORDS)}"

    specs: list[tuple] = []
    main: list[str] = []
    pending: list[tuple[int, str]] = []  # (merge at index, branch head)
    for i in range(count):
        rev = new()
        parents: list[str] = [main[-1]] if main else []
        for at, head in list(pending):
            if at == i:
                parents.append(head)
                pending.remove((at, head))
        if i and i % 25 == 0 and i < count - 30:
            a, b = new(), new()
            specs += [(a, main[-1], {"message": message()}), (b, a, {"message": message()})]
            pending.append((i + 4, b))
        down = parents[0] if len(parents) == 1 else (tuple(parents) or None)
        specs.append((rev, down, {"message": message()}))
        main.append(rev)
    # an unmerged branch off the tenth revision from the end: a second head
    tail = main[-10]
    x, y = new(), new()
    specs += [(x, tail, {"message": "add exports queue"}), (y, x, {"message": "index exports queue"})]
    # defects: a loop (two revisions name each other), a parent nobody declares, a duplicate id
    by_rev = {s[0]: i for i, s in enumerate(specs)}
    p, q = main[count * 2 // 5], main[count * 2 // 5 + 1]
    specs[by_rev[p]] = (p, q, specs[by_rev[p]][2])
    gone = new()
    r = main[count * 2 // 3]
    specs[by_rev[r]] = (r, gone, specs[by_rev[r]][2])
    dup = main[count // 5]
    specs.append((dup, main[count // 5 - 1], {"message": "add billing quotas", "filename": f"{dup}_add_billing_quotas.py"}))
    return specs


def hex_history(root: Path, count: int = 300, seed: int = 13) -> Path:
    """Write the hex history under `root` and commit it (one commit, fixed identity and date).
    Each file's `Create Date` is a day after the previous one's, as a team's would be."""
    specs = hex_specs(count, seed)
    write_project(root, specs)
    start = datetime(2023, 1, 2, 9, 30)
    versions = root / "migrations" / "versions"
    for day, spec in enumerate(specs):
        options = spec[2] if len(spec) > 2 else {}
        path = versions / migration_filename({"rev": spec[0], **options})
        stamp = (start + timedelta(days=day, minutes=day * 7 % 60)).strftime("%Y-%m-%d %H:%M:%S.000000")
        path.write_text(path.read_text().replace(f"Create Date: {PLACEHOLDER_DATE}", f"Create Date: {stamp}"))
    commit_all(root, "hex history")
    return root


def commit_all(root: Path, message: str) -> Path:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
           "GIT_AUTHOR_DATE": "2024-03-01T12:00:00+00:00", "GIT_COMMITTER_DATE": "2024-03-01T12:00:00+00:00"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", message]):
        subprocess.run(["git", *args], cwd=root, check=True, env=env, capture_output=True)
    return root
