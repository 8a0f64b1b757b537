"""The tables: counts and shares by family, the failure patterns, the targets."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

TARGET_ALL, TARGET_PARALLEL = 98.0, 100.0
COLUMNS = ("valid", "intended", "sqlite", "pass")


def row_keys(rec: dict) -> list[str]:
    """A stacked history counts once in the row of each defect kind it carries."""
    if rec["family"] == "parallel":
        mode = rec["variant"].split(" (", 1)[0]
        why = "setting" if "setting" in rec["variant"] else "history merges" if mode == "merge" else "no setting"
        merges = " + merges in history" if why == "setting" and "earlier merge" in rec["variant"] else ""
        return [f"{rec['style_family']:<9} parallel, {mode} ({why}{merges})"]
    return [f"{rec['style_family']:<9} {kind}" for kind in rec["kinds"]]


def _pct(k: int, n: int) -> str:
    return f"{100.0 * k / n:5.1f}%" if n else "    - "


def _line(label: str, recs: list[dict]) -> str:
    n = len(recs)
    cells = [f"{sum(bool(r.get(c)) for r in recs):>4} {_pct(sum(bool(r.get(c)) for r in recs), n)}" for c in COLUMNS]
    rc0 = sum(r.get("fix_rc") == 0 for r in recs)
    false = sum(bool(r.get("false_success")) for r in recs)
    return f"{label:<56}{n:>5}  " + "  ".join(cells) + f"  {rc0:>5}  {false:>5}"


def header() -> str:
    cols = "".join(f"  {c:>11}" for c in ("valid", "intended", "sqlite", "all three"))
    return f"{'family':<56}{'n':>5}{cols}  {'exit0':>5}  {'false':>5}"


def table(results: list[dict]) -> str:
    rows: dict[str, list[dict]] = defaultdict(list)
    for rec in results:
        for key in row_keys(rec):
            rows[key].append(rec)
    out = [header()]
    for family in ("stacked", "parallel"):
        keys = sorted(k for k, recs in rows.items() if recs[0]["family"] == family)
        for key in keys:
            out.append(_line(key, rows[key]))
        recs = [r for r in results if r["family"] == family]
        out.append(_line(f"all {family} histories", recs))
        out.append("")
    by_defects = defaultdict(list)
    for rec in results:
        if rec["family"] == "stacked":
            by_defects[len(rec["kinds"])].append(rec)
    for k in sorted(by_defects):
        out.append(_line(f"stacked, {k} defect(s) per history", by_defects[k]))
    for fam in ("numbered", "hex", "date"):
        out.append(_line(f"{fam} ids/files, all families", [r for r in results if r["style_family"] == fam]))
    out.append(_line("ALL HISTORIES", results))
    out.append("valid: alembic loads it, one head, one base, no warning; intended: the graph is the intended one; "
               "sqlite: upgrade/downgrade/upgrade pass;\nexit0: `chaintui fix` exited 0; "
               "false: it exited 0 although alembic rejects the result or SQLite fails")
    return "\n".join(out)


def pattern(rec: dict) -> str:
    """One failure's category, from the judge's first finding."""
    why = rec.get("why") or ""
    if rec.get("bench_error"):
        return "BENCHMARK ERROR (a bug in the generator or judge)"
    if why.startswith("timed out"):
        return "timed out"
    if why.startswith("alembic cannot load"):
        return "alembic cannot load the result: " + re.sub(r":.*", "", why.split(": ", 1)[1])
    if why.startswith("alembic:"):
        return "alembic: " + re.sub(r"\d+", "N", why.split(": ", 1)[1].split(";")[0])[:60]
    if not rec.get("intended"):
        diffs = rec.get("diffs") or []
        kinds = []
        for d in diffs:
            if "(intended: removed)" in d:
                kinds.append("kept a second baseline (chained it)")
            elif d.startswith("stale copy"):
                chained = any(" kept " in x and " times" in x for x in diffs)
                kinds.append("kept a stale copy" if chained else "deleted the original, kept the stale copy's name")
            elif " kept " in d and " times" in d:
                kinds.append("chained a stale copy as a new migration")
            elif "intended one merge revision" in d:
                kinds.append("no merge revision where merging is the team's way" if "no merge revision" in d
                             else "merge revision over other heads")
            elif d.startswith("new revision"):
                kinds.append("merge revision where linearizing was intended")
            elif "removed (intended: kept" in d:
                kinds.append("removed a migration that should stay")
            else:
                kinds.append("misplaced revision(s)")
        return " + ".join(sorted(set(kinds)))
    if not rec.get("sqlite"):
        return "graph as intended but SQLite fails (a generator bug?)"
    return "passes"


def patterns(results: list[dict]) -> str:
    failing = [r for r in results if not r["pass"]]
    if not failing:
        return "no failures"
    counts: Counter = Counter()
    where: dict[str, Counter] = defaultdict(Counter)
    for rec in failing:
        p = pattern(rec)
        counts[p] += 1
        for key in row_keys(rec):
            where[p][key.split(None, 1)[1]] += 1
    out = [f"failure patterns ({len(failing)} failing histories; a history may show several):"]
    for p, n in counts.most_common():
        top = ", ".join(f"{k} {c}" for k, c in where[p].most_common(4))
        out.append(f"{n:>5}  {p}  [{top}]")
    return "\n".join(out)


def targets(results: list[dict]) -> tuple[str, bool]:
    n = len(results)
    ok_all = sum(r["pass"] for r in results)
    par = [r for r in results if r["family"] == "parallel"]
    ok_par = sum(r["pass"] for r in par)
    share_all = 100.0 * ok_all / n if n else 0.0
    share_par = 100.0 * ok_par / len(par) if par else 100.0
    met = share_all >= TARGET_ALL and share_par >= TARGET_PARALLEL
    text = (f"overall: {ok_all}/{n} = {share_all:.1f}% repaired as intended, alembic-valid and SQLite-clean "
            f"(target >= {TARGET_ALL:.0f}%); parallel branches: {ok_par}/{len(par)} = {share_par:.1f}% "
            f"(target {TARGET_PARALLEL:.0f}%): {'met' if met else 'NOT met'}")
    return text, met
