"""The end-to-end repair benchmark (benchmarks/repair.py) judges correctly: the intended repair
passes, hand-made wrong repairs and the unrepaired histories fail, for the right reason; and a
run of the real `chaintui fix` produces a complete, consistent record."""

from __future__ import annotations

import random
import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from repairbench import judge as j  # noqa: E402
from repairbench import oracle, parallel, runner, stacked  # noqa: E402
from repairbench.history import Expect, chain  # noqa: E402
from repairbench.project import STYLES, write_repo  # noqa: E402

STYLE = {s.name: s for s in STYLES}
PY = sys.executable
CHAINTUI = [sys.executable, "-m", "chaintui"]


@pytest.fixture(scope="module")
def heads_case():
    """Numbered ids (`017` style): two pull requests took the same numbers, plus a stale copy."""
    return stacked.generate("t-heads", random.Random(3), STYLE["num-only-3"], ["heads", "stale-copy"], 22)


@pytest.fixture(scope="module")
def merge_case():
    """Hex ids, feature branches merged; the history already resolves heads with merge revisions."""
    return parallel.generate("t-merge", random.Random(5), STYLE["hex"], True, None, 20)


@pytest.fixture(scope="module")
def linear_case():
    """Stem ids (`0012_add_x`): feature branches merged; no setting, no merge revisions: linearize."""
    return parallel.generate("t-linear", random.Random(2), STYLE["num-stem-4"], False, None, 20)


@pytest.fixture(scope="module")
def baseline_case():
    """Date-prefixed files: a second baseline re-creating tables, and a file with a syntax error."""
    return stacked.generate("t-base", random.Random(8), STYLE["date-dash"], ["second-baseline", "syntax-error"], 22)


def judge(case, repair="reference", expect=None, tmp=None):
    """The benchmark's record for `case` repaired by `repair`; or, given `expect`, the judge's
    verdict on the files rewritten to say `expect` (a repair made by hand)."""
    if expect is None:
        return runner.run_case(case, chaintui=CHAINTUI, python=PY, repair=repair)
    project = tmp / case.id
    write_repo(project, case.commits)
    oracle.repair(case, project, expect=expect)
    res = j.load(case, project, tmp, PY)
    return j.compare(case, res, j.present_files(project))


def test_the_generated_histories_are_what_they_claim(heads_case, merge_case, baseline_case):
    assert heads_case.kinds == ["heads", "stale-copy"] and heads_case.expect.gone_paths
    numbers = [heads_case.labels[m][:3] for m in heads_case.expect.order]
    assert len(numbers) != len(set(numbers)), "parallel pull requests share a number"
    assert merge_case.expect.mode == "merge" and len(merge_case.expect.merge_over) >= 2
    assert any(c.merge is not None for c in merge_case.commits), "real merge commits"
    assert any(len(ps) == 2 for ps in merge_case.expect.parents.values()), "an earlier merge revision"
    assert len(baseline_case.expect.removed) == 1 and baseline_case.syntax_fixes


def test_the_intended_repair_passes_every_check(heads_case, merge_case, baseline_case):
    for case in (heads_case, merge_case, baseline_case):
        rec = judge(case)
        assert rec["pass"], (case.id, rec.get("why"), rec.get("diffs"))
        assert rec["valid"] and rec["intended"] and rec["sqlite"]


def test_the_unrepaired_history_fails(heads_case):
    rec = judge(heads_case, repair="none")
    assert not rec["pass"] and not rec["valid"]
    assert rec["commits"] == []


def test_a_wrong_order_is_caught_although_alembic_accepts_it(heads_case, tmp_path):
    order = heads_case.expect.order
    moved = oracle.moved(heads_case.expect, order[5], order[12])
    rec = judge(heads_case, expect=moved, tmp=tmp_path)
    assert rec["valid"] and not rec["intended"]
    assert any(d.startswith(j._label(heads_case, order[5]) + " after") for d in rec["diffs"]), rec["diffs"]


def test_a_merge_over_the_wrong_heads_is_caught(merge_case, tmp_path):
    e = merge_case.expect
    partial = replace(e, merge_over=e.merge_over[:-1])   # one head left out of the merge
    rec = judge(merge_case, expect=partial, tmp=tmp_path)
    assert not rec["valid"] and not rec["intended"]
    assert any("intended one merge revision" in d for d in rec["diffs"]), rec["diffs"]


def test_merging_where_the_team_linearizes_is_caught(linear_case, tmp_path):
    heads = tuple(sorted(m for m in linear_case.written if m not in {p for ps in linear_case.written.values() for p in ps}))
    merged = Expect("merge", linear_case.written, linear_case.expect.order, merge_over=heads)
    rec = judge(linear_case, expect=merged, tmp=tmp_path)
    assert rec["valid"] and rec["sqlite"] and not rec["intended"]   # alembic is happy; the team is not
    assert any(d.startswith("new revision") for d in rec["diffs"]), rec["diffs"]


def test_a_chained_second_baseline_fails_the_order_and_sqlite(baseline_case, tmp_path):
    e = baseline_case.expect
    (baseline,) = e.removed
    order = e.order + [baseline]   # kept, at the end of the chain
    rec = judge(baseline_case, expect=Expect("graph", chain(order), order), tmp=tmp_path)
    assert rec["valid"] and not rec["intended"] and not rec["sqlite"]
    assert "already exists" in rec["sqlite_error"]
    assert any("(intended: removed)" in d for d in rec["diffs"])


def test_a_run_of_chaintui_fix_gives_a_consistent_record(heads_case, merge_case):
    for case in (heads_case, merge_case):
        rec = runner.run_case(case, chaintui=CHAINTUI, python=PY)
        assert isinstance(rec["fix_rc"], int) and "bench_error" not in rec, rec.get("why")
        assert rec["pass"] == (rec["valid"] and rec["intended"] and rec["sqlite"])
        assert rec["false_success"] == (rec["fix_rc"] == 0 and not (rec["valid"] and rec["sqlite"]))
        assert rec["pass"] or rec["why"]
        assert runner.failure_line(rec).startswith(case.id)
