"""`plan`, `fix`, `undo` and `verify`: the non-interactive shells over the planner and gitops."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

from chaintui.analysis import analyze
from chaintui.errors import ChaintuiError
from chaintui.planner import Plan, plan

_WIDTH = 80


def _applied(args: argparse.Namespace) -> frozenset[str]:
    url = getattr(args, "db", None)
    if not url:
        return frozenset()
    from chaintui.db import read_applied

    return frozenset(read_applied(url))


def _make_plan(args: argparse.Namespace) -> tuple[Plan, object]:
    analysis = analyze(args.path)
    return plan(analysis, path=args.path, applied=_applied(args),
                renumber=getattr(args, "renumber", False), tidy=getattr(args, "tidy", False)), analysis


def render_plan(result: Plan) -> str:
    lines: list[str] = []
    if not result.fixes:
        lines.append("Nothing to fix automatically.")
    for number, fix in enumerate(result.fixes, 1):
        lines.append(f"{number:>2}. [{fix.kind}] {fix.summary}")
        lines += textwrap.wrap(fix.reason, _WIDTH, initial_indent="      ", subsequent_indent="      ")
        others = [o for o in fix.alternatives[1:4]]
        if others:
            lines += textwrap.wrap("other choices: " + ", ".join(o.value for o in others), _WIDTH,
                                   initial_indent="      ", subsequent_indent="        ")
        for note in fix.notes:
            lines += textwrap.wrap(note, _WIDTH, initial_indent="      ! ", subsequent_indent="        ")
    if result.stopped:
        lines.append("")
        lines += textwrap.wrap("Stopped: " + result.stopped, _WIDTH, subsequent_indent="  ")
    if result.unresolved:
        lines.append("")
        lines.append(f"Left for a person ({len(result.unresolved)}):")
        for problem in result.unresolved:
            lines += textwrap.wrap(f"{problem.severity}: {problem.code}: {problem.message}", _WIDTH,
                                   initial_indent="  - ", subsequent_indent="    ")
    return "\n".join(lines)


def plan_command(args: argparse.Namespace) -> int:
    result, analysis = _make_plan(args)
    if args.format == "json":
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(render_plan(result))
    return 1 if result.stopped or (result.result is not None and result.result.has_errors) else 0


def fix_command(args: argparse.Namespace) -> int:
    from chaintui.gitops import Repository

    if not args.all:
        raise ChaintuiError("say --all to apply the whole plan (choose fixes one by one in `chaintui PATH`)")
    result, analysis = _make_plan(args)
    if args.dry_run:
        for number, (fix, changes) in enumerate(zip(result.fixes, result.changesets), 1):
            print(f"# {number}. [{fix.kind}] {fix.summary}")
            print(changes.diff())
        print(f"# {len(result.fixes)} fix(es); nothing was written (--dry-run)")
        return 0
    repo = Repository.open(analysis.project.root)
    version_dirs = [d for s in analysis.sets for d in s.mset.version_dirs]
    repo.check_writable(version_dirs)
    if not result.fixes:
        print("Nothing to fix automatically.")
        if result.stopped:
            print(f"chaintui: {result.stopped}", file=sys.stderr)
        return 1 if analysis.has_errors else 0
    if not args.yes:
        if not sys.stdin.isatty():
            raise ChaintuiError(f"{len(result.fixes)} fix(es) planned: pass --yes to apply them without a terminal")
        print(render_plan(result))
        answer = input(f"Apply these {len(result.fixes)} fixes as {len(result.fixes)} commits? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing applied.")
            return 1
    if args.branch:
        repo.create_branch(args.branch)
    applied = 0
    by_name = {s.mset.name: s for s in analysis.sets}
    for fix, changes in zip(result.fixes, result.changesets):
        # The plan computed each changeset on top of the previous ones, so on a tree that was
        # clean when checked above, applying them in order needs no re-scan.
        try:
            info = repo.apply(fix, by_name[fix.set_name].graph, changes)
        except ChaintuiError as exc:
            print(f"chaintui: {fix.summary}: {exc}", file=sys.stderr)
            break
        applied += 1
        print(f"{info.short} {info.subject}")
    final = result.result if applied == len(result.fixes) and result.result is not None else analyze(args.path)
    errors = [p for p in final.problems if p.is_error]
    print(f"{applied} of {len(result.fixes)} fix(es) committed; {len(errors)} error(s) left.")
    if result.stopped:
        print(f"chaintui: {result.stopped}", file=sys.stderr)
        return 1
    if applied == 0:
        return 1
    return 1 if applied < len(result.fixes) else 0


def undo_command(args: argparse.Namespace) -> int:
    from chaintui.discovery import discover
    from chaintui.gitops import Repository

    project = discover(args.path)
    repo = Repository.open(project.root)
    info = repo.undo([d for mset in project.sets for d in mset.version_dirs])
    print(f"{info.short} {info.subject}")
    return 0


def verify_command(args: argparse.Namespace) -> int:
    from chaintui.verify import verify

    def progress(step: str) -> None:
        print(f"... {step}", file=sys.stderr)

    result = verify(args.path, sqlite=args.sqlite, progress=progress if sys.stderr.isatty() else None)
    print(result.output)
    print("alembic accepts the history" if result.ok else "alembic does NOT accept the history")
    return 0 if result.ok else 1
