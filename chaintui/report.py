"""Render an Analysis for `chaintui check`: text (grouped, 80 columns), JSON, GitHub annotations."""

from __future__ import annotations

import re
import textwrap
from collections import defaultdict
from typing import Any

from chaintui.analysis import Analysis
from chaintui.diagnosis import CODES

_WIDTH = 80
_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "bold": "\033[1m", "dim": "\033[2m", "ok": "\033[32m"}
_RESET = "\033[0m"


#: C0 and C1 control characters, DEL, and the bidirectional overrides that reorder what a
#: terminal shows ("Trojan Source"): never printed raw, whatever a file or an id is named.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    """`text` with every control character written as an escape (`\\x1b`, `\\n`, `\\u202e`)."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_escape_char, text)


def _escape_char(match: re.Match) -> str:
    char = match.group()
    return repr(char)[1:-1] if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def to_json(analysis: Analysis) -> dict[str, Any]:
    revisions = []
    heads: list[str] = []
    bases: list[str] = []
    sets = []
    for s in analysis.sets:
        graph = s.graph
        for m in graph.revisions:
            entry = {
                "id": m.revision,
                "down_revision": list(m.down_revision),
                "file": m.rel,
                "branch_labels": list(m.branch_labels),
                "depends_on": list(m.depends_on),
                "message": m.message,
                "unknown": [k for k, info in m.fields.items() if not info.known],
            }
            if len(analysis.sets) > 1:
                entry["set"] = s.mset.name
            revisions.append(entry)
        heads += graph.heads
        bases += graph.bases
        sets.append({"name": s.mset.name, "heads": graph.heads, "bases": graph.bases,
                     "revisions": len(graph.revisions)})
    return {
        "revisions": revisions,
        "heads": heads,
        "bases": bases,
        "problems": [p.to_json() for p in analysis.problems],
        "sets": sets,
    }


def render_json(analysis: Analysis) -> str:
    import json

    return json.dumps(to_json(analysis), indent=2)


def render_github(analysis: Analysis) -> str:
    """GitHub Actions workflow commands: one `::error file=...,line=...::` per problem and file."""
    return render_github_problems(analysis.problems)


def render_github_problems(problems) -> str:
    """`render_github` for any list of problems (the `--against` ones name the branch's files)."""
    lines = []
    for problem in problems:
        files = problem.files or ("",)
        for index, file in enumerate(files):
            props = [f"file={_escape_prop(safe(file))}"] if file else []
            if problem.line and index == 0:
                props.append(f"line={problem.line}")
            props.append(f"title={_escape_prop('chaintui ' + problem.code)}")
            lines.append(f"::{problem.severity} {','.join(props)}::{_escape_data(safe(problem.message))}")
    return "\n".join(lines)


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _fit_path(where: str, width: int) -> str:
    """A path cut to `width` from the left, keeping its end (the file name and line).

    textwrap.shorten cuts at spaces: a long path has none, so it became a bare "...".
    """
    if len(where) <= width:
        return where
    return "..." + where[-(width - 3):]


def _problem_lines(problems: list, order, paint, *, every_file: bool = True) -> list[str]:
    """Problems grouped by code in `order`: a heading per code, each message wrapped to 80
    columns, and its files (every file, or the first: the branch's own) with the line, names
    escaped."""
    grouped: dict[str, list] = defaultdict(list)
    for problem in problems:
        grouped[problem.code].append(problem)
    out: list[str] = []
    for code in order:
        group = grouped.get(code)
        if not group:
            continue
        severity = group[0].severity
        out.append("")
        out.append(paint(f"{severity}: {code} ({len(group)})", severity))
        for problem in group:
            out.extend(textwrap.wrap(safe(problem.message), _WIDTH, initial_indent="  - ", subsequent_indent="    "))
            for file in problem.files if every_file else problem.files[:1]:
                where = safe(f"{file}:{problem.line}" if problem.line and file == problem.files[0] else file)
                out.append("      " + paint(_fit_path(where, _WIDTH - 6), "dim"))
    return out


def render_text(analysis: Analysis, colour: bool = False) -> str:
    def paint(text: str, style: str) -> str:
        return f"{_COLOURS[style]}{text}{_RESET}" if colour else text

    out: list[str] = []
    for s in analysis.sets:
        graph = s.graph
        title = f"{safe(s.mset.name)}: {len(graph.revisions)} revisions, {len(graph.heads)} head(s), {len(graph.bases)} base(s)"
        out.append(paint(title, "bold"))
        if not s.problems:
            out.append("  " + paint("no problems", "ok"))
            continue
        out += _problem_lines(s.problems, CODES, paint)
        out.append("")
    errors = sum(p.is_error for p in analysis.problems)
    warnings = len(analysis.problems) - errors
    summary = f"{errors} error(s), {warnings} warning(s)"
    out.append(paint(summary, "error" if errors else ("warning" if warnings else "ok")))
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# `check --against REF` (see chaintui.against)


def against_json(comparison, analysis: Analysis | None = None) -> dict[str, Any]:
    """The `check --format json` object of the working tree, its problems replaced by what the
    merge would break (plus, for a plain `check` with a `base`, the plain ones of `analysis`),
    and an `against` object: the commits compared and each set's own and landed migrations."""
    data = to_json(analysis or comparison.analysis)
    plain = data["problems"] if analysis is not None else []
    data["problems"] = plain + [p.to_json() for p in comparison.problems]
    points = comparison.points
    data["against"] = {
        "ref": points.ref, "ref_commit": points.ref_sha, "head_commit": points.head_sha,
        "fork_point": points.fork_sha, "merged_checkout": points.merged_checkout,
        "sets": [{
            "name": sc.mset.name,
            "own": [{"id": m.revision, "file": m.rel} for m in (sc.chain or sc.own)],
            "landed": [{"id": m.revision, "file": m.rel} for m in sc.landed],
            "parent": sc.parent, "ref_head": sc.ref_head,
        } for sc in comparison.sets],
    }
    return data


def render_against_text(comparison, colour: bool = False) -> str:
    """What merging the branch into REF would break, per set, grouped by code (80 columns)."""
    from chaintui.against import CODES as AGAINST_CODES

    def paint(text: str, style: str) -> str:
        return f"{_COLOURS[style]}{text}{_RESET}" if colour else text

    points = comparison.points
    ref = points.ref
    out = [paint(f"compared with {ref} ({points.ref_sha[:8]}), fork point {points.fork_sha[:8]}"
                 + (" (HEAD already contains it)" if points.merged_checkout else ""), "bold")]
    for sc in comparison.sets:
        own = sc.chain or sc.own
        out.append(f"{sc.mset.name}: this branch adds {len(own)} migration(s); {ref} added "
                   f"{len(sc.landed)} since the fork")
        for label, items in (("branch", own), (ref, sc.landed)):
            if items:
                names = ", ".join(m.name for m in items)
                out.extend(textwrap.wrap(names, _WIDTH, initial_indent=f"  {label}: ",
                                         subsequent_indent="    "))
        if not sc.problems:
            out.append("  " + paint("merging breaks nothing", "ok"))
            continue
        codes = {p.code for p in sc.problems}
        out += _problem_lines(sc.problems, (*AGAINST_CODES, *CODES, *sorted(codes - set(AGAINST_CODES) - set(CODES))),
                              paint, every_file=False)
        out.append("")
    errors = sum(p.is_error for p in comparison.problems)
    warnings = len(comparison.problems) - errors
    summary = f"merging into {ref}: {errors} error(s), {warnings} warning(s)"
    out.append(paint(summary, "error" if errors else ("warning" if warnings else "ok")))
    return "\n".join(out)
