"""How often the ranked suggestions are right: top-1 / top-3 accuracy over generated defects.

Generates linear histories with a known intended order, injects several defects into each, writes
them to disk (a git repository, committed file by file, for the git scenario), scans them with
chaintui and asks the same questions the planner and the TUI ask:

- dangling parent: rank_parents(R, dangling=<the bad id>)      -> the intended parent
- extra root:      rank_parents(R) for a root in mid-history    -> the intended parent
- extra head:      rank_parents(R) for R forked off its grandparent -> the intended parent
- loop edge:       rank_parents(R, exclude=<the loop>)         -> the intended parent
- duplicate's children: rank_meant(child, <shared id>)         -> the file the child followed

Scenarios (each history also carries realistic DDL: create tables, alter earlier ones):
- numbered:   `007`-style ids and file names, alembic's `Create Date:` header
- hex-dates:  random 12-hex ids with `Create Date:`
- hex-git:    random 12-hex ids, no dates: only the git history (one commit per file, in order;
              some parents' ids renamed away in a later commit)
- numbered-bare (extra, not part of the target): numbered ids, no dates, no git

    python benchmarks/ranking.py [--histories 15] [--length 40] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chaintui import suggest  # noqa: E402
from chaintui.analysis import analyze  # noqa: E402

KINDS = ("dangling", "extra-root", "extra-head", "loop", "duplicate-children")
SCENARIOS = ("numbered", "hex-dates", "hex-git", "numbered-bare")
TARGET = ("numbered", "hex-dates", "hex-git")
WORDS = ("users", "orders", "invoices", "teams", "tags", "posts", "audit", "media", "billing", "events",
         "sessions", "keys", "webhooks", "drafts", "plans", "notes", "alerts", "reports", "groups", "roles")


@dataclass
class Mig:
    index: int
    rev: str
    down: str | None
    slug: str
    date: datetime
    upgrade: list[str]
    filename: str = ""


@dataclass
class Question:
    kind: str
    rev_index: int
    answer: str
    """Intended parent id, or (duplicate-children) the file name the child meant."""
    dangling: str | None = None
    exclude: set[str] = field(default_factory=set)
    shared: str | None = None


def _hex(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(12))


def make_history(rng: random.Random, scenario: str, length: int) -> list[Mig]:
    numbered = scenario.startswith("numbered")
    date = datetime(2023, 1, 2, 9, 0, 0) + timedelta(days=rng.randint(0, 300))
    tables: list[str] = []
    migs: list[Mig] = []
    for i in range(length):
        rev = f"{i:03d}" if numbered else _hex(rng)
        date += timedelta(hours=rng.randint(1, 240), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
        if not tables or rng.random() < 0.4:
            table = f"{rng.choice(WORDS)}_{i}"
            cols = ['sa.Column("id", sa.Integer(), primary_key=True)']
            if tables and rng.random() < 0.5:
                ref = rng.choice(tables)
                cols.append(f'sa.Column("{ref}_id", sa.Integer(), sa.ForeignKey("{ref}.id"))')
            upgrade = [f'op.create_table("{table}", {", ".join(cols)})']
            slug = f"create_{table}"
            tables.append(table)
        else:
            table = rng.choice(tables)
            upgrade = [f'op.add_column("{table}", sa.Column("c{i}", sa.Integer(), nullable=True))']
            slug = f"add_c{i}_to_{table}"
        migs.append(Mig(i, rev, migs[-1].rev if migs else None, slug, date, upgrade))
    for m in migs:
        m.filename = f"{m.rev}_{m.slug}.py"
    return migs


def inject(rng: random.Random, migs: list[Mig], scenario: str) -> tuple[list[Question], list[tuple[int, str]]]:
    """Edit `migs` in place; returns the questions and (for git) later id renames (index, old id)."""
    length = len(migs)
    kinds = list(KINDS)
    rng.shuffle(kinds)
    # Positions at least 6 apart, so that no defect touches another's neighbourhood.
    slots = list(range(3, length - 3, 6))
    rng.shuffle(slots)
    questions: list[Question] = []
    renames: list[tuple[int, str]] = []
    for kind, k in zip(kinds, sorted(slots[:len(kinds)])):
        m, parent = migs[k], migs[k - 1]
        if kind == "dangling":
            variant = rng.random()
            if scenario == "hex-git" and variant < 0.5:
                # The parent's id was renamed in a later commit; the child still names the old one.
                old = parent.rev
                renames.append((k - 1, old))
                questions.append(Question(kind, k, answer="", dangling=old))
                continue
            if scenario.startswith("numbered") and variant < 0.5:
                bogus = f"{parent.rev}_{rng.choice(WORDS)}_tables"     # 003_essential_tables
            elif not scenario.startswith("numbered") and variant < 0.75:
                bogus = parent.rev[:rng.randint(6, 10)]                  # a truncated id
            else:
                bogus = _hex(rng)                                        # an id from nowhere
            m.down = bogus
            questions.append(Question(kind, k, parent.rev, dangling=bogus))
        elif kind == "extra-root":
            m.down = None
            questions.append(Question(kind, k, parent.rev))
        elif kind == "extra-head":
            m.down = migs[k - 2].rev
            questions.append(Question(kind, k, parent.rev))
        elif kind == "loop":
            m.down = migs[k + 1].rev
            questions.append(Question(kind, k, parent.rev, exclude={m.rev, migs[k + 1].rev}))
        else:
            # Two files were made from the same parent with the same id; the child of the second
            # names that id. Intended: parent -> first -> second -> child.
            first, second, child = migs[k - 1], migs[k], migs[k + 1]
            second.rev = first.rev
            second.down = first.down
            second.filename = f"{first.rev}_{second.slug}.py"
            child.down = first.rev
            questions.append(Question(kind, k + 1, answer=second.filename, shared=first.rev))
    return questions, renames


def render(m: Mig, scenario: str) -> str:
    with_dates = scenario in ("numbered", "hex-dates")
    header = f"Revision ID: {m.rev}\nRevises: {m.down or ''}\n"
    if with_dates:
        header += f"Create Date: {m.date.isoformat(sep=' ')}.{m.index:06d}\n"
    body = "\n    ".join(m.upgrade)
    return (f'"""{m.slug.replace("_", " ")}\n\n{header}\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
            f"# revision identifiers, used by Alembic.\nrevision = {m.rev!r}\ndown_revision = {m.down!r}\n"
            f"branch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    {body}\n\n\n"
            "def downgrade():\n    pass\n")


def write(root: Path, migs: list[Mig], scenario: str, renames: list[tuple[int, str]], rng: random.Random) -> None:
    versions = root / "versions"
    versions.mkdir(parents=True)
    if scenario != "hex-git":
        for m in migs:
            (versions / m.filename).write_text(render(m, scenario))
        return
    import git

    repo = git.Repo.init(root)
    actor = git.Actor("Dev", "dev@example.com")
    stamp = datetime(2024, 1, 1)
    renamed = {index for index, _ in renames}
    for m in migs:
        (versions / m.filename).write_text(render(m, scenario))
        repo.index.add([f"versions/{m.filename}"])
        stamp += timedelta(hours=1)
        date = stamp.strftime("%Y-%m-%d %H:%M:%S +0000")
        repo.index.commit(f"add {m.filename}", author=actor, committer=actor, author_date=date, commit_date=date)
    for index, old in renames:
        m = migs[index]
        m.rev = _hex(rng)
        path = versions / m.filename
        new_name = m.filename.replace(old, m.rev, 1)
        text = path.read_text().replace(f"revision = {old!r}", f"revision = {m.rev!r}") \
            .replace(f"Revision ID: {old}", f"Revision ID: {m.rev}")
        path.unlink()
        (versions / new_name).write_text(text)
        m.filename = new_name
        repo.index.remove([f"versions/{path.name}"])
        repo.index.add([f"versions/{new_name}"])
        stamp += timedelta(hours=1)
        date = stamp.strftime("%Y-%m-%d %H:%M:%S +0000")
        repo.index.commit(f"rename {old} to {m.rev}", author=actor, committer=actor, author_date=date,
                          commit_date=date)
    assert renamed == {index for index, _ in renames}


def run(histories: int, length: int, seed: int, verbose: bool = False) -> dict:
    rng = random.Random(seed)
    results: dict[tuple[str, str], list[int]] = defaultdict(list)   # (scenario, kind) -> ranks
    failures = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="chaintui-rank-") as tmp:
        for scenario in SCENARIOS:
            for h in range(histories):
                migs = make_history(rng, scenario, length)
                questions, renames = inject(rng, migs, scenario)
                root = Path(tmp) / f"{scenario}-{h}"
                write(root, migs, scenario, renames, rng)
                for q in questions:
                    if q.kind == "dangling" and not q.answer:
                        q.answer = migs[q.rev_index - 1].rev   # the parent's id after its rename
                graph = analyze(root / "versions", use_cache=False).sets[0].graph
                for q in questions:
                    m = next(x for x in graph.by_id[migs[q.rev_index].rev] if x.name == migs[q.rev_index].filename)
                    if q.kind == "duplicate-children":
                        options = suggest.rank_meant(graph, m, q.shared)
                        values = [Path(o.value).name for o in options]
                    else:
                        options = suggest.rank_parents(graph, m, dangling=q.dangling, exclude=q.exclude)
                        values = [o.value for o in options]
                    rank = values.index(q.answer) + 1 if q.answer in values else 999
                    results[(scenario, q.kind)].append(rank)
                    if rank > 1:
                        failures.append((scenario, h, q.kind, m.name, q.answer, options[:3]))
    elapsed = time.perf_counter() - started
    if verbose:
        for scenario, h, kind, name, answer, top in failures:
            print(f"MISS {scenario}#{h} {kind} {name}: wanted {answer}")
            for o in top:
                print(f"      {o.value} {o.score}: {'; '.join(o.reasons)}")
    return {"results": results, "elapsed": elapsed}


def _acc(ranks: list[int], k: int) -> float:
    return 100.0 * sum(1 for r in ranks if r <= k) / len(ranks) if ranks else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--histories", type=int, default=15, help="histories per scenario")
    parser.add_argument("--length", type=int, default=40, help="revisions per history")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss with the top 3")
    args = parser.parse_args(argv)
    out = run(args.histories, args.length, args.seed, args.verbose)
    results = out["results"]
    print(f"{'scenario':<15}{'defect':<20}{'n':>5}{'top-1':>9}{'top-3':>9}")
    for scenario in SCENARIOS:
        for kind in KINDS:
            ranks = results[(scenario, kind)]
            print(f"{scenario:<15}{kind:<20}{len(ranks):>5}{_acc(ranks, 1):>8.1f}%{_acc(ranks, 3):>8.1f}%")
    for label, scenarios in (("target (3 scenarios)", TARGET), ("all scenarios", SCENARIOS)):
        ranks = [r for (s, _), rs in results.items() if s in scenarios for r in rs]
        print(f"{label:<35}{len(ranks):>5}{_acc(ranks, 1):>8.1f}%{_acc(ranks, 3):>8.1f}%")
    print(f"({out['elapsed']:.1f} s, seed {args.seed}, {args.histories} histories x {args.length} revisions per scenario)")
    target = [r for (s, _), rs in results.items() if s in TARGET for r in rs]
    return 0 if _acc(target, 1) >= 95 and _acc(target, 3) == 100 else 1


if __name__ == "__main__":
    sys.exit(main())
