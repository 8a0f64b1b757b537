"""`plan`, `fix`, `undo` and `verify`: the non-interactive shells over the planner and gitops."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

from chaintui import interrupts
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
    from chaintui.discovery import discover
    from chaintui.gitops import Repository

    if not args.all:
        raise ChaintuiError("say --all to apply the whole plan (choose fixes one by one in `chaintui PATH`)")
    if args.dry_run:
        result, analysis = _make_plan(args)
        for number, (fix, changes) in enumerate(zip(result.fixes, result.changesets), 1):
            print(f"# {number}. [{fix.kind}] {fix.summary}")
            print(changes.diff())
        print(f"# {len(result.fixes)} fix(es); nothing was written (--dry-run)")
        return 0
    repo = Repository.open(discover(args.path).root)
    # The lock covers planning too: a second `fix` that waited plans on what the first committed.
    with interrupts.raising(), repo.locked(wait=lock_wait(), on_wait=_note):
        result, analysis = _make_plan(args)
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
        return _apply_all(args, repo, result, analysis)


def _apply_all(args: argparse.Namespace, repo, result: Plan, analysis) -> int:
    """Commit the planned fixes one by one; stop at a commit boundary on an error or a signal."""
    total = len(result.fixes)
    original = repo.current_branch() if args.branch else None
    created = False
    made: list = []
    failed = False
    by_name = {s.mset.name: s for s in analysis.sets}
    with interrupts.deferred():
        try:
            if args.branch:
                repo.create_branch(args.branch)
                created = True
            for fix, changes in zip(result.fixes, result.changesets):
                if interrupts.pending() is not None:
                    break
                # The plan computed each changeset on top of the previous ones: each file is
                # compared with the bytes its fix was planned from just before it is written.
                try:
                    info = repo.apply(fix, by_name[fix.set_name].graph, changes)
                except interrupts.Interrupted:
                    break
                except ChaintuiError as exc:
                    _say(f"chaintui: {fix.summary}: {exc}", sys.stderr)
                    failed = True
                    break
                made.append(info)
                _say(f"{info.short} {info.subject}")
        finally:
            signum = interrupts.take()
            if created and original and len(made) < total:
                # --branch is all or nothing: back on the branch the user was on, as before.
                problems = repo.leave_branch(args.branch, original)
                gone = "; ".join(f"{c.short} {c.subject}" for c in made)
                _say(f"chaintui: back on {original}; branch {args.branch} removed"
                     + (f" (its commits: {gone})" if gone else "")
                     + "".join(f"; {p}" for p in problems), sys.stderr)
    applied = len(made)
    undone = bool(created and original and applied < total)
    counted = f"0 of {total} fix(es) committed on {original}." if undone else f"{applied} of {total} fix(es) committed."
    if signum is not None and applied < total:
        _say(f"chaintui: interrupted ({interrupts.signal_name(signum)}): stopped at a commit boundary", sys.stderr)
        _say(counted)
        return 128 + signum
    if undone:
        _say(counted)
        return 1
    final = result.result if applied == total and result.result is not None else analyze(args.path)
    errors = [p for p in final.problems if p.is_error]
    _say(f"{applied} of {total} fix(es) committed; {len(errors)} error(s) left.")
    if result.stopped:
        _say(f"chaintui: {result.stopped}", sys.stderr)
        return 1
    if applied == 0 or failed:
        return 1
    return 0


def undo_command(args: argparse.Namespace) -> int:
    from chaintui.discovery import discover
    from chaintui.gitops import Repository

    project = discover(args.path)
    repo = Repository.open(project.root)
    with interrupts.raising(), repo.locked(wait=lock_wait(), on_wait=_note), interrupts.deferred():
        try:
            info = repo.undo([d for mset in project.sets for d in mset.version_dirs])
        except interrupts.Interrupted as exc:
            interrupts.take()
            error = ChaintuiError(f"{exc}: nothing was changed")
            error.exit_code = exc.exit_code
            raise error from None
        interrupts.take()  # a signal during the revert commit: the undo is complete anyway
    _say(f"{info.short} {info.subject}")
    return 0


def lock_wait() -> float:
    """How long `fix` and `undo` wait for another chaintui writing to the same repository
    (CHAINTUI_LOCK_WAIT seconds, default 30; 0 refuses at once)."""
    import os

    try:
        return max(0.0, float(os.environ.get("CHAINTUI_LOCK_WAIT", "30")))
    except ValueError:
        raise ChaintuiError("CHAINTUI_LOCK_WAIT must be a number of seconds") from None


def _note(message: str) -> None:
    _say(f"chaintui: {message}", sys.stderr)


def _say(text: str, stream=None) -> None:
    """print(), except when the terminal is gone (a dropped SSH session): nothing to tell then."""
    try:
        print(text, file=stream or sys.stdout, flush=True)
    except OSError:
        pass


def verify_command(args: argparse.Namespace) -> int:
    from chaintui.verify import verify

    def progress(step: str) -> None:
        print(f"... {step}", file=sys.stderr)

    result = verify(args.path, sqlite=args.sqlite, progress=progress if sys.stderr.isatty() else None)
    print(result.output)
    print("alembic accepts the history" if result.ok else "alembic does NOT accept the history")
    return 0 if result.ok else 1
