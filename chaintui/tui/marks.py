"""How problems are marked and named in the TUI (pure: no Textual): the tags on tree rows, the
short line of each problem that leads with what identifies it, and the legend of every symbol."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from chaintui.graph import RevisionGraph
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
    "invalid-revision-id": "id",
    "duplicate-number": "number",
    "header-mismatch": "header",
    "filename-mismatch": "name",
    "schema-order": "schema",
}

#: tag -> what it means (the `?` legend).
TAG_MEANINGS = {
    "dup×N": "N files declare this revision id",
    "root": "an extra base (down_revision = None) without its own branch label",
    "dangling": "its down_revision names a revision no file declares",
    "loop": "following down_revision from here comes back here",
    "head": "one of several heads alembic's `upgrade head` refuses",
    "dep?": "its depends_on names a revision no file declares",
    "label": "its branch label is on another revision too",
    "id": "an id alembic rejects (@ - + : or spaces)",
    "parse": "the file cannot be read, or declares no literal revision",
    "number": "warning: another file carries the same number prefix",
    "header": "warning: the docstring's Revision ID / Revises disagrees with the variables",
    "name": "warning: the file is named for another revision",
    "schema": "warning: alters a table no ancestor creates, or re-creates one",
    "applied": "the --db database has run it",
}

#: symbol -> what it means (the `?` legend), in the order a reader meets them.
SYMBOLS = (
    ("▶", "the cursor, in the pane that has focus (▷ when another pane has it)"),
    ("•", "a revision of the selected problem, or a search match"),
    ("●", "a revision (one row each, bases at the top, heads at the bottom)"),
    ("◌", "a parent that no file declares (named by the rows below it)"),
    ("│", "a lane: the line continues to a later row"),
    ("├─╮", "a branch point: several revisions name the one above"),
    ("●─╯", "a merge point: this revision names several parents"),
    ("┆", "more branches than fit: they share the last column"),
    ("┊ …", "a folded run of plain revisions (→ or enter opens it)"),
    ("↻ X", "the loop was cut here: this revision names X, which comes later"),
    ("⚠", "in the problems panel: a warning (the others are errors)"),
)


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


@dataclass(frozen=True)
class ProblemLine:
    """A problem as one short line: the revision it is about, then what is wrong."""

    anchor: str
    """The revision that identifies the problem (the tree moves there); a file name when the
    problem has no revision (a parse error)."""
    text: str
    """What is wrong, in a few words (`duplicate id · 2 files`)."""


_QUOTED = re.compile(r"'([^']*)'")


def problem_line(problem: Problem, graph: RevisionGraph | None = None,
                 short: dict[str, str] | None = None) -> ProblemLine:
    """The problem's anchor and its few words; `short` maps ids to how the tree shows them."""
    revs = problem.revisions
    name = _short(short)
    code = problem.code
    if not revs:
        return ProblemLine(PurePosixPath(problem.files[0]).name if problem.files else "?",
                           "cannot be parsed" if code == "parse-error" else code.replace("-", " "))
    anchor = revs[0]
    if code == "duplicate-revision":
        text = f"duplicate id · {len(problem.files)} files"
    elif code in ("missing-parent", "missing-dependency"):
        quoted = _QUOTED.findall(problem.message)
        missing = quoted[-1] if quoted else "?"
        what = "parent" if code == "missing-parent" else "depends_on"
        more = f" (+{len(revs) - 1} more)" if len(revs) > 1 else ""
        shown = name(missing) or '""'
        text = f"{what} {shown} missing{more}"
    elif code == "cycle":
        text = "loop " + " → ".join(name(r) for r in [*revs, revs[0]]) if len(revs) > 1 else "names itself"
    elif code == "multiple-bases":
        anchor = _extra_root(problem, graph) or revs[-1]
        others = ", ".join(name(r) for r in revs if r != anchor)
        text = f"extra root · also {others}"
    elif code == "multiple-heads":
        anchor = revs[-1]
        text = f"{len(revs)} heads · " + ", ".join(name(r) for r in revs)
    elif code == "duplicate-branch-label":
        quoted = _QUOTED.findall(problem.message)
        text = f"branch label {quoted[0] if quoted else '?'} on {len(revs)} revisions"
    elif code == "header-mismatch":
        text = "header says Revision ID otherwise" if "Revision ID" in problem.message else "header says other Revises"
    elif code == "filename-mismatch":
        text = "file named for another id"
    elif code == "schema-order":
        text = "schema order: " + problem.message.split(": ", 1)[-1]
    elif code == "duplicate-number":
        text = "number shared with " + ", ".join(name(r) for r in revs[1:])
    elif code == "invalid-revision-id":
        text = "invalid id"
    else:
        text = code.replace("-", " ")
    return ProblemLine(anchor, text)


def _short(short: dict[str, str] | None):
    return (lambda rev: short.get(rev, rev)) if short else (lambda rev: rev)


def _extra_root(problem: Problem, graph: RevisionGraph | None) -> str | None:
    """Of several roots, the one that is not the main line (fewest descendants)."""
    if graph is None:
        return None
    roots = [m for rel in problem.files if (m := graph.by_rel.get(rel)) is not None and m.is_base]
    if len(roots) < 2:
        return None
    roots.sort(key=lambda m: (-len(graph.descendants(m.revision)), m.revision))
    return roots[-1].revision


def ordered(problems: Sequence[Problem], lines: Sequence[ProblemLine], order: Sequence[str]) -> list[int]:
    """Indices of `problems` grouped by anchor, the groups in the tree's `order` (bases first),
    errors before warnings within a group; anchors not in the tree go last."""
    position = {rev: i for i, rev in enumerate(order)}
    return sorted(range(len(problems)), key=lambda i: (
        position.get(lines[i].anchor, len(position)), lines[i].anchor, not problems[i].is_error, i))
