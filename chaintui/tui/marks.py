"""How each problem code is marked on a revision in the tree (pure: no Textual)."""

from __future__ import annotations

from collections import defaultdict

from chaintui.model import Problem

#: code -> the short tag shown next to a revision.
TAGS = {
    "parse-error": "parse",
    "duplicate-revision": "dup",
    "cycle": "loop",
    "missing-parent": "dangling",
    "missing-dependency": "dep?",
    "multiple-bases": "root",
    "multiple-heads": "head",
    "duplicate-branch-label": "label",
    "header-mismatch": "header",
    "filename-mismatch": "name",
    "schema-order": "schema",
}


def problems_by_revision(problems: list[Problem]) -> dict[str, list[Problem]]:
    """Every revision id named by a problem -> its problems (in diagnosis order)."""
    result: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        for rev in problem.revisions:
            result[rev].append(problem)
    return dict(result)


def tags(problems: list[Problem]) -> list[tuple[str, str]]:
    """(tag, severity) for a revision's problems, one per code."""
    seen: dict[str, str] = {}
    for problem in problems:
        tag = TAGS.get(problem.code, problem.code)
        if tag not in seen or problem.is_error:
            seen[tag] = problem.severity
    return list(seen.items())
