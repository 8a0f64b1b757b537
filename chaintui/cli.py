"""The command line: `chaintui [PATH]`, check, plan, fix, undo, verify, demo.

A thin shell over the core: every subcommand turns ChaintuiError into one line on stderr and
exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from chaintui import __version__, heap
from chaintui.errors import ChaintuiError

SUBCOMMANDS = ("check", "plan", "fix", "undo", "verify", "demo")

PATH_HELP = "a directory holding alembic.ini or pyproject.toml [tool.alembic], or a versions directory (default: .)"

MAIN_EPILOG = """\
The interactive session:
  chaintui [PATH] [--db URL]   see every problem, choose each fix, preview it, one commit per fix

examples:
  chaintui                          open the session on the project in the current directory
  chaintui check --format github    report problems as GitHub annotations (for CI)
  chaintui plan                     the fixes the session would propose, in order
  chaintui fix --all --yes          apply them, one git commit each
  chaintui verify --sqlite          ask alembic itself, on a scratch SQLite database
  chaintui demo /tmp/demo           try it on a realistic broken project

exit codes: 0 success / no errors, 1 errors found or nothing applied, 2 could not run or refused.
Run `chaintui COMMAND --help` for each command's examples."""

EPILOGS = {
    "check": """\
examples:
  chaintui check                        every problem of the project here, as text
  chaintui check path/to/app --format json
  chaintui check --format github        ::error annotations for a pull request

exit codes:
  0  no errors (warnings may remain)
  1  errors found
  2  could not run (not an alembic project, unreadable path)""",
    "plan": """\
examples:
  chaintui plan                         the fixes in order, each with why and the alternatives
  chaintui plan --format json           {"fixes": [...], "unresolved": [...]}
  chaintui plan --db postgresql://…     keep revisions a deployed database has applied
  chaintui plan --renumber              end with one sequential renumbering

exit codes:
  0  the plan leaves no error
  1  errors remain after the plan (they need a person: see "Left for a person")
  2  could not run""",
    "fix": """\
examples:
  chaintui fix --all --dry-run          print every diff, write nothing
  chaintui fix --all --yes              apply the plan: one git commit per fix
  chaintui fix --all --yes --branch fix-migrations
  chaintui undo                         revert the newest chaintui commit afterwards

exit codes:
  0  every planned fix committed
  1  nothing could be applied, or it stopped part way (the commits made stay)
  2  refused: uncommitted changes, a merge or rebase in progress, detached HEAD, not git""",
    "undo": """\
examples:
  chaintui undo                         revert the newest chaintui commit (a revert commit)
  chaintui undo path/to/app

exit codes:
  0  reverted
  1  no chaintui commit to undo
  2  refused (uncommitted changes, not a git repository), or the revert conflicts""",
    "verify": """\
examples:
  chaintui verify                       alembic loads the history: one head and one base?
  chaintui verify --sqlite              also upgrade head, downgrade base, upgrade head
                                        on a scratch SQLite database
A failing step names the migration, the statement and the database's own message.

exit codes:
  0  alembic accepts the history
  1  it does not (each failing step says why)
  2  could not run (no alembic.ini or pyproject.toml to run alembic with)""",
    "demo": """\
examples:
  chaintui demo                         build the demo in a new temporary directory, open it
  chaintui demo /tmp/demo               build it there (a new or empty directory)
  chaintui demo /tmp/demo --no-tui      only build it, print its path

exit codes:
  0  built (and the session ended normally)
  2  could not build it there (the directory is not empty)""",
}


def _sub(sub, name: str, help_text: str) -> argparse.ArgumentParser:
    return sub.add_parser(name, help=help_text, description=help_text[:1].upper() + help_text[1:] + ".",
                          epilog=EPILOGS[name], formatter_class=argparse.RawDescriptionHelpFormatter)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chaintui",
        description="Diagnose and repair broken Alembic migration chains.",
        epilog=MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"chaintui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = _sub(sub, "check", "report every problem (exit 0 none, 1 errors, 2 could not run)")
    check.add_argument("path", nargs="?", default=".", help=PATH_HELP)
    check.add_argument("--format", choices=("text", "json", "github"), default="text")
    check.add_argument("--no-cache", action="store_true", help="reparse every file")
    _against_flag(check, "report only what merging this branch into REF would break")

    plan = _sub(sub, "plan", "the proposed fixes, in order")
    plan.add_argument("path", nargs="?", default=".", help=PATH_HELP)
    plan.add_argument("--format", choices=("text", "json"), default="text")
    plan.add_argument("--db", metavar="URL", help="database whose alembic_version to respect")
    plan.add_argument("--renumber", action="store_true",
                      help="end with a sequential renumbering of a numbered history")
    plan.add_argument("--tidy", action="store_true",
                      help="also sync headers and file names that disagree with the variables")

    fix = _sub(sub, "fix", "apply the plan, one git commit per fix")
    fix.add_argument("path", nargs="?", default=".", help=PATH_HELP)
    fix.add_argument("--all", action="store_true", help="apply every planned fix")
    fix.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    fix.add_argument("--dry-run", action="store_true", help="print the diffs, write nothing")
    fix.add_argument("--branch", metavar="NAME", help="make the commits on a new branch")
    fix.add_argument("--db", metavar="URL", help="database whose alembic_version to respect")
    fix.add_argument("--renumber", action="store_true",
                     help="end with a sequential renumbering of a numbered history")
    fix.add_argument("--tidy", action="store_true",
                     help="also sync headers and file names that disagree with the variables")
    _against_flag(fix, "move this branch's own migrations after REF's head, in one commit")

    undo = _sub(sub, "undo", "revert the newest chaintui commit")
    undo.add_argument("path", nargs="?", default=".", help=PATH_HELP)

    verify = _sub(sub, "verify", "alembic's own verdict, in a subprocess")
    verify.add_argument("path", nargs="?", default=".", help=PATH_HELP)
    verify.add_argument("--sqlite", action="store_true",
                        help="also upgrade head, downgrade base, upgrade head on a scratch SQLite db")

    demo = _sub(sub, "demo", "build a realistic broken project and open the session on it")
    demo.add_argument("dir", nargs="?", default=None, help="where to build it (default: a new temporary directory)")
    demo.add_argument("--no-tui", action="store_true", help="only build the project")
    return parser


def _against_flag(parser: argparse.ArgumentParser, help: str) -> None:
    from chaintui.settings import USE_BASE

    parser.add_argument("--against", metavar="REF", nargs="?", const=USE_BASE, default=None,
                        help=f"{help} (e.g. origin/main; alone: [tool.chaintui] base)")


def _session_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chaintui", description="The interactive repair session.",
                                     epilog=MAIN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", default=".", help=PATH_HELP)
    parser.add_argument("--db", metavar="URL", help="database whose alembic_version to respect")
    _against_flag(parser, "dim REF's revisions and highlight this branch's own")
    return parser


_SESSION_OPTIONS = ("--db", "--against")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and (argv[0] in SUBCOMMANDS or argv[0].startswith("-")) \
                and argv[0].split("=", 1)[0] not in _SESSION_OPTIONS:
            args = _parser().parse_args(argv)
            return _dispatch(args)
        args = _session_parser().parse_args(argv)
        return _session(args.path, db=args.db, against=args.against)
    except ChaintuiError as exc:
        print(f"chaintui: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("chaintui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _dispatch(args: argparse.Namespace) -> int:
    if args.command is None:
        _parser().print_help()
        return 0
    if args.command != "demo":  # demo opens the interactive session, which runs on
        heap.one_shot()
    handler = {
        "check": _check,
        "plan": _plan,
        "fix": _fix,
        "undo": _undo,
        "verify": _verify,
        "demo": _demo,
    }[args.command]
    return handler(args)


def _check(args: argparse.Namespace) -> int:
    from chaintui.against_cli import check_command, plain_check, wants_against
    from chaintui.analysis import analyze

    analysis = analyze(args.path, use_cache=not args.no_cache)
    if wants_against(args, analysis):
        return check_command(args, analysis)
    return plain_check(args, analysis)


def _plan(args: argparse.Namespace) -> int:
    from chaintui.commands import plan_command

    return plan_command(args)


def _fix(args: argparse.Namespace) -> int:
    if args.against is not None:
        from chaintui.against_cli import fix_command as fix_against

        return fix_against(args)
    from chaintui.commands import fix_command

    return fix_command(args)


def _undo(args: argparse.Namespace) -> int:
    from chaintui.commands import undo_command

    return undo_command(args)


def _verify(args: argparse.Namespace) -> int:
    from chaintui.commands import verify_command

    return verify_command(args)


def _demo(args: argparse.Namespace) -> int:
    from chaintui.demo import build_demo, default_demo_dir

    target = args.dir or default_demo_dir()
    root = build_demo(target)
    print(f"chaintui: demo project built in {root}", file=sys.stderr)
    if args.no_tui:
        print(root)
        return 0
    return _session(str(root))


def _session(path: str, db: str | None = None, against: str | None = None) -> int:
    from chaintui.analysis import analyze

    analysis = analyze(path)  # fails here, before the screen opens, on a bad path
    own = None
    if against is not None:
        from chaintui.against_cli import own_revisions

        own = own_revisions(analysis, against)  # a bad ref fails here too
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise ChaintuiError("the interactive session needs a terminal; use `chaintui check` in scripts")
    from chaintui.tui.app import run_app

    if own is None:
        return run_app(analysis, db=db)
    return run_app(analysis, db=db, own=own)
