"""Find every problem of a revision graph at once, each naming exactly what it involves."""

from __future__ import annotations

import re
from collections import defaultdict

from chaintui.graph import RevisionGraph
from chaintui.model import ERROR, WARNING, Migration, Problem
from chaintui.naming import file_declares_other

#: Stable problem codes, in the order they are reported and fixed: errors, then warnings.
ERROR_CODES = (
    "parse-error",
    "duplicate-revision",
    "cycle",
    "missing-parent",
    "missing-dependency",
    "multiple-bases",
    "multiple-heads",
    "duplicate-branch-label",
    "invalid-revision-id",
)
WARNING_CODES = (
    "duplicate-number",
    "header-mismatch",
    "filename-mismatch",
    "schema-order",
)
CODES = ERROR_CODES + WARNING_CODES
SEVERITY = {code: ERROR for code in ERROR_CODES} | {code: WARNING for code in WARNING_CODES}


def diagnose(graph: RevisionGraph) -> list[Problem]:
    """All problems of one migration set, errors first, in CODES order."""
    problems: list[Problem] = []
    problems += _parse_errors(graph)
    problems += _duplicates(graph)
    cycles = _cycles(graph)
    problems += cycles
    problems += _missing(graph, "down_revision", "missing-parent")
    problems += _missing(graph, "depends_on", "missing-dependency")
    problems += _multiple_bases(graph)
    problems += _multiple_heads(graph)
    problems += _duplicate_labels(graph)
    problems += _invalid_ids(graph)
    problems += _duplicate_numbers(graph)
    problems += _header_mismatches(graph)
    problems += _filename_mismatches(graph)
    from chaintui.schema import schema_problems

    problems += schema_problems(graph)
    return sorted(problems, key=lambda p: (CODES.index(p.code), p.files))


def _problem(code: str, message: str, migrations: list[Migration], line: int | None = None) -> Problem:
    return Problem(
        code=code,
        severity=SEVERITY[code],
        message=message,
        revisions=tuple(dict.fromkeys(m.revision for m in migrations if m.revision)),
        files=tuple(m.rel for m in migrations),
        line=line,
    )


def _parse_errors(graph: RevisionGraph) -> list[Problem]:
    return [
        Problem("parse-error", ERROR, f"{m.name}: {m.error}", (), (m.rel,), m.error_line)
        for m in graph.migrations if m.error
    ]


def _duplicates(graph: RevisionGraph) -> list[Problem]:
    problems = []
    for rev, files in graph.by_id.items():
        if len(files) > 1:
            names = ", ".join(m.name for m in files)
            problems.append(_problem(
                "duplicate-revision",
                f"{len(files)} files declare revision {rev!r}: {names}",
                files, files[0].line_of("revision"),
            ))
    return problems


def _cycles(graph: RevisionGraph) -> list[Problem]:
    problems = []
    for component in graph.strongly_connected():
        members = [m for rev in component for m in graph.by_id[rev]]
        if len(component) == 1:
            message = f"revision {component[0]!r} names itself as its down_revision"
        else:
            message = "down_revision loops: " + " -> ".join([*component, component[0]])
        problems.append(_problem("cycle", message, members, members[0].line_of("down_revision")))
    return problems


def _missing(graph: RevisionGraph, key: str, code: str) -> list[Problem]:
    labels = {label for m in graph.revisions for label in m.branch_labels}
    dangling: dict[str, list[Migration]] = defaultdict(list)
    for m in graph.revisions:
        for target in getattr(m, key):
            if target in graph.by_id or (key == "depends_on" and target in labels):
                continue
            dangling[target].append(m)
    problems = []
    what = "down_revision" if key == "down_revision" else "depends_on"
    for target, children in dangling.items():
        names = ", ".join(repr(m.revision) for m in children)
        if target == "":
            message = f"{names} {'has' if len(children) == 1 else 'have'} {what} = \"\" (an empty id; use None for a base)"
        elif len(children) == 1:
            message = f"{names} names {target!r} in {what}, but no file declares it"
        else:
            message = f"{names} name {target!r} in {what}, but no file declares it"
        problems.append(_problem(code, message, children, children[0].line_of(key)))
    return problems


def _multiple_bases(graph: RevisionGraph) -> list[Problem]:
    bases = [m for m in graph.revisions if m.is_base]
    # A computed branch_labels (`(cli.CONTRACT_BRANCH,)`) cannot be read statically: such a root
    # may well have its own label, so it is not counted as unlabelled (no guessing).
    unlabelled = [m for m in bases if not m.branch_labels and m.known("branch_labels")]
    if len(bases) < 2 or len(unlabelled) < 2:
        return []
    # Roots a merge revision joins are fine (alembic upgrades through them): one per joined part.
    part = _parts(graph)
    seen: set[int] = set()
    separate = []
    for m in unlabelled:
        if part[m.rel] not in seen:
            seen.add(part[m.rel])
            separate.append(m)
    if len(separate) < 2:
        return []
    names = ", ".join(repr(m.revision) for m in separate)
    return [_problem(
        "multiple-bases",
        f"{len(separate)} roots (down_revision = None) without their own branch label: {names}",
        separate, separate[0].line_of("down_revision"),
    )]


def _parts(graph: RevisionGraph) -> dict[str, int]:
    """File -> its weakly connected part, through edges to ids one file declares."""
    owner = {m.rel: m.rel for m in graph.revisions}

    def find(x: str) -> str:
        while owner[x] != x:
            owner[x] = owner[owner[x]]
            x = owner[x]
        return x

    for m in graph.revisions:
        for p in m.down_revision:
            files = graph.by_id.get(p, ())
            if len(files) == 1:
                a, b = find(m.rel), find(files[0].rel)
                if a != b:
                    owner[a] = b
    names: dict[str, int] = {}
    return {rel: names.setdefault(find(rel), len(names)) for rel in owner}


_COMPUTED = "\0computed:"


def _branch_of(graph: RevisionGraph, rev: str, memo: dict[str, frozenset[str]]) -> frozenset[str]:
    """The branch labels a revision inherits from itself and its ancestors."""
    if rev in memo:
        return memo[rev]
    labels = set()
    for member in [rev, *graph.ancestors(rev)]:
        for m in graph.by_id.get(member, ()):
            labels.update(m.branch_labels)
            if not m.known("branch_labels"):
                labels.add(_COMPUTED + member)  # its own branch, whatever the label is
    memo[rev] = frozenset(labels)
    return memo[rev]


def _multiple_heads(graph: RevisionGraph) -> list[Problem]:
    # Every head counts, also one below a missing parent or a loop: the count is the same in the
    # summary, the JSON and this problem (alembic's own count, once the chain is whole).
    heads = list(graph.heads)
    if len(heads) < 2:
        return []
    memo: dict[str, frozenset[str]] = {}
    branches: dict[frozenset[str], list[str]] = defaultdict(list)
    for head in heads:
        branches[_branch_of(graph, head, memo)].append(head)
    problems = []
    for labels, group in branches.items():
        if len(group) < 2:
            continue
        group.sort(key=graph.order_key)
        members = [m for rev in group for m in graph.by_id[rev]]
        shown = sorted(f"<computed label of {label[len(_COMPUTED):]}>" if label.startswith(_COMPUTED)
                       else label for label in labels)
        where = f" on branch {', '.join(shown)}" if labels else ""
        problems.append(_problem(
            "multiple-heads",
            f"{len(group)} heads{where}: {', '.join(map(repr, group))} (alembic upgrade head refuses)",
            members,
        ))
    return problems


def _duplicate_labels(graph: RevisionGraph) -> list[Problem]:
    owners: dict[str, list[Migration]] = defaultdict(list)
    for m in graph.revisions:
        for label in m.branch_labels:
            owners[label].append(m)
    return [
        _problem("duplicate-branch-label",
                 f"branch label {label!r} is on {len(ms)} revisions: {', '.join(repr(m.revision) for m in ms)}",
                 ms, ms[0].line_of("branch_labels"))
        for label, ms in owners.items() if len(ms) > 1
    ]


def _duplicate_numbers(graph: RevisionGraph) -> list[Problem]:
    """Files of a numbered set that carry one number (`017_x.py`, `017_y.py`) and distinct ids:
    their order is not written down anywhere."""
    from chaintui.naming import detect_style, number_of

    if detect_style(graph.by_id)[0] != "numbered":
        return []
    by_number: dict[tuple[int, str], list[Migration]] = defaultdict(list)
    for m in graph.revisions:
        number = number_of(m.path.stem)
        if number is not None:
            by_number[number].append(m)
    problems = []
    for number, files in sorted(by_number.items()):
        distinct = list({m.revision: m for m in files}.values())
        if len(distinct) < 2:
            continue
        names = ", ".join(f"{m.name} ({m.revision})" for m in files)
        problems.append(_problem("duplicate-number",
                                 f"{len(files)} files carry number {files[0].path.stem.split('_')[0]} with "
                                 f"distinct ids: {names}", files, files[0].line_of("revision")))
    return problems


#: Characters alembic's Revision refuses in an id (alembic.script.revision._revision_illegal_chars:
#: it reads them as revision syntax, `heads@-1`, `ae10+2`, `branch:rev`), and whitespace.
_ILLEGAL_ID_CHARS = re.compile(r"[@\-+:\s]")


def _invalid_ids(graph: RevisionGraph) -> list[Problem]:
    problems = []
    for rev, files in graph.by_id.items():
        bad = sorted(set(_ILLEGAL_ID_CHARS.findall(rev)))
        if bad:
            shown = " ".join("whitespace" if c.isspace() else repr(c) for c in dict.fromkeys(
                " " if c.isspace() else c for c in bad))
            problems.append(_problem(
                "invalid-revision-id",
                f"revision id {rev!r} contains {shown}, which alembic refuses in an id",
                files, files[0].line_of("revision"),
            ))
    return problems


def _header_mismatches(graph: RevisionGraph) -> list[Problem]:
    problems = []
    for m in graph.revisions:
        header = m.header
        if header.revision_id is not None and header.revision_id != m.revision:
            problems.append(_problem(
                "header-mismatch",
                f"{m.name}: header says Revision ID {header.revision_id!r}, revision = {m.revision!r}",
                [m], header.revision_line,
            ))
        # `down_revision = ""` is already a missing-parent; an empty `Revises:` agrees with it.
        if header.revises is not None and m.known("down_revision") \
                and set(header.revises) != {p for p in m.down_revision if p}:
            said = ", ".join(header.revises) or "(nothing)"
            real = ", ".join(m.down_revision) or "None"
            problems.append(_problem(
                "header-mismatch",
                f"{m.name}: header says Revises {said}, down_revision = {real}",
                [m], header.revises_line,
            ))
    return problems


def _filename_mismatches(graph: RevisionGraph) -> list[Problem]:
    return [
        _problem("filename-mismatch", f"{m.name} declares revision {m.revision!r}", [m], m.line_of("revision"))
        for m in graph.revisions if file_declares_other(m.path.stem, m.revision)
    ]
