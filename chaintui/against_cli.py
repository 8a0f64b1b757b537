"""The shells of `check --against REF` and `fix --against REF` (and of a plain `check` when the
project's `[tool.chaintui] base` is set): argument rules, output, exit codes."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap

from chaintui.analysis import Analysis, SetAnalysis, analyze
from chaintui.errors import ChaintuiError
from chaintui.settings import USE_BASE, load_settings

_WIDTH = 80


def wants_against(args: argparse.Namespace, analysis: Analysis) -> bool:
    """True when `check` compares with a ref: `--against`, or a `base` in the project settings."""
    return getattr(args, "against", None) is not None or load_settings(analysis.root).base is not None


def _ref(args: argparse.Namespace, analysis: Analysis) -> tuple[str, bool]:
    """(the ref to compare with, whether the user named it on the command line)."""
    settings = load_settings(analysis.root)
    against = getattr(args, "against", None)
    if against not in (None, USE_BASE):
        return against, True
    if settings.base is None:
        raise ChaintuiError("--against without a ref: name one (--against origin/main) or set "
                            "base = \"origin/main\" under [tool.chaintui] in pyproject.toml")
    return settings.base, against is not None


def _compare(analysis: Analysis, ref: str):
    from chaintui.against import NoUpstream, compare

    settings = load_settings(analysis.root)
    try:
        return compare(analysis, ref, id_style=settings.id_style)
    except NoUpstream as exc:
        if settings.base is None:
            raise
        print(f"chaintui: {exc}; comparing with base {settings.base}", file=sys.stderr)
        return compare(analysis, settings.base, id_style=settings.id_style)


# --------------------------------------------------------------------------------------------
# check


def check_command(args: argparse.Namespace, analysis: Analysis) -> int:
    """`check --against REF`, or a plain `check` that also compares with the project's base."""
    from chaintui import report
    from chaintui.against import NoUpstream

    ref, explicit = _ref(args, analysis)
    try:
        comparison = _compare(analysis, ref)
    except NoUpstream as exc:
        print(f"chaintui: {exc}", file=sys.stderr)
        return 0
    except ChaintuiError as exc:
        if explicit:
            raise
        # A plain `check` with a base it cannot read (not fetched, a shallow clone): the plain
        # check still runs, and says what it skipped.
        print(f"chaintui: not compared with base {ref}: {exc}", file=sys.stderr)
        return plain_check(args, analysis)
    plain = None if explicit else _resolved_by_merge(analysis, comparison)
    problems = (plain.problems if plain else []) + comparison.problems
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    if args.format == "json":
        import json

        print(json.dumps(report.against_json(comparison, plain), indent=2))
    elif args.format == "github":
        text = report.render_github_problems(problems)
        if text:
            print(text)
    else:
        if plain is not None:
            print(report.render_text(plain, colour=colour))
            print()
        print(report.render_against_text(comparison, colour=colour))
    return 1 if any(p.is_error for p in problems) else 0


def plain_check(args: argparse.Namespace, analysis: Analysis) -> int:
    """`check` without a ref: the report in the asked format; exit 1 when there are errors."""
    from chaintui import report

    if args.format == "json":
        print(report.render_json(analysis))
    elif args.format == "github":
        text = report.render_github(analysis)
        if text:
            print(text)
    else:
        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        print(report.render_text(analysis, colour=colour))
    return 1 if analysis.has_errors else 0


def _resolved_by_merge(analysis: Analysis, comparison) -> Analysis:
    """The plain problems without the missing parents that the base declares: a branch whose
    migrations were moved after the base's head (`fix --against`) names them until it is merged."""
    sets = []
    for sa, sc in zip(analysis.sets, comparison.sets):
        kept = []
        resolved = False
        for problem in sa.problems:
            if problem.code == "missing-parent":
                children = [sa.graph.by_rel[f] for f in problem.files if f in sa.graph.by_rel]
                missing = {p for m in children for p in m.down_revision if p not in sa.graph}
                if children and missing and all(p in sc.ref for p in missing):
                    resolved = True
                    continue
            kept.append(problem)
        if resolved:
            # Heads counted below those parents are the branch's alone: the merge's own head
            # count is what the comparison reports.
            kept = [p for p in kept if p.code != "multiple-heads"]
        sets.append(SetAnalysis(sa.mset, sa.graph, kept))
    return Analysis(analysis.project, sets)


# --------------------------------------------------------------------------------------------
# fix


def fix_command(args: argparse.Namespace) -> int:
    """`fix --against REF`: one commit per set moving the branch's migrations after REF's head."""
    from chaintui.against_fix import move_changes, plan_move
    from chaintui.gitops import Repository

    if args.all:
        raise ChaintuiError("--against does one thing (move this branch's migrations after REF's head): "
                            "drop --all")
    if args.renumber or args.db:
        raise ChaintuiError("--against cannot be combined with --renumber or --db")
    analysis = analyze(args.path)
    ref, _ = _ref(args, analysis)
    settings = load_settings(analysis.root)
    comparison = _compare(analysis, ref)
    planned = []
    for sc in comparison.sets:
        fix = plan_move(sc, comparison.ref, settings.id_style)
        if fix is not None:
            planned.append((fix, sc, move_changes(fix, sc)))
    if not planned:
        print(f"Nothing to move: this branch's migrations already follow {comparison.ref}'s head.")
        return 0
    text = render_moves([fix for fix, _, _ in planned])
    if args.dry_run:
        print(text)
        for _, _, changes in planned:
            print(changes.diff())
        print(f"# {len(planned)} commit(s); nothing was written (--dry-run)")
        return 0
    repo = Repository.open(analysis.root)
    repo.check_writable([d for sa in analysis.sets for d in sa.mset.version_dirs])
    if not args.yes and not sys.stdin.isatty():
        raise ChaintuiError("pass --yes to move them without a terminal (--dry-run shows the diff)")
    print(text)  # with --yes too: the stamp warning must reach the terminal, not only the commit
    if not args.yes:
        if input("Commit this? [y/N] ").strip().lower() not in ("y", "yes"):
            print("Nothing applied.")
            return 1
    if args.branch:
        repo.create_branch(args.branch)
    from chaintui.errors import GitRefused

    for fix, sc, changes in planned:
        try:
            info = repo.apply(fix, sc.work, changes)
        except GitRefused:
            raise
        except ChaintuiError as exc:  # nothing of this fix was written (Repository.apply)
            print(f"chaintui: {fix.summary}: {exc}", file=sys.stderr)
            return 1
        print(f"{info.short} {info.subject}")
    return 0


def render_moves(fixes) -> str:
    lines = []
    for fix in fixes:
        lines.append(f"[{fix.kind}] {fix.summary}")
        lines += textwrap.wrap(fix.reason, _WIDTH, initial_indent="    ", subsequent_indent="    ")
        for note in fix.notes:
            lines += textwrap.wrap(note, _WIDTH, initial_indent="  ! ", subsequent_indent="    ")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# the interactive session


def own_revisions(analysis: Analysis, against: str) -> frozenset[str]:
    """The ids of the migrations this branch added since its fork point with `against`."""
    ref, _ = _ref(argparse.Namespace(against=against), analysis)
    comparison = _compare(analysis, ref)
    return frozenset(m.revision for sc in comparison.sets for m in sc.own if m.revision)
