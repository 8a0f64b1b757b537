"""Applied revisions: read a database's `alembic_version` table, read-only, through SQLAlchemy.

chaintui never writes to a database. It reads which revisions are applied (so that the plan can
prefer a merge over a relink of an applied revision, and ask before changing one), and it says
what each deployed database will need after a fix changes an applied revision's id: the
`alembic stamp` command or the `UPDATE alembic_version` statement, for a person to run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chaintui.errors import ChaintuiError

if TYPE_CHECKING:
    from chaintui.fixes import Fix
    from chaintui.graph import RevisionGraph


def read_applied(url: str, version_table: str = "alembic_version", *,
                 version_table_schema: str | None = None, timeout: float = 10.0) -> set[str]:
    """The revision ids stored in the version table (alembic keeps the applied heads there).

    Read-only: one SELECT in a transaction that is rolled back (and, on PostgreSQL, declared
    READ ONLY); never DDL. A missing version table, or a SQLite file that does not exist (it is
    not created), means nothing is applied. Any connection or driver error becomes one
    ChaintuiError line, without the password.
    """
    try:
        import sqlalchemy as sa
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, SQLAlchemyError
    except ImportError as exc:  # pragma: no cover - SQLAlchemy is a dependency
        raise ChaintuiError(f"cannot read applied revisions: {exc}") from exc

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise ChaintuiError(f"not a database URL: {_one_line(str(exc))}") from exc
    shown = parsed.render_as_string(hide_password=True)
    backend = parsed.get_backend_name()
    connect_args: dict = {}
    if backend == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            from pathlib import Path

            if not Path(database).exists():
                return set()
            # Open the file read-only: a read must never create or change it.
            parsed = parsed.set(database=f"file:{Path(database).resolve().as_posix()}?mode=ro",
                                query={**parsed.query, "uri": "true"})
    elif backend == "postgresql":
        connect_args["connect_timeout"] = max(1, int(timeout))
    elif backend in ("mysql", "mariadb"):
        connect_args["connect_timeout"] = max(1, int(timeout))

    try:
        engine = sa.create_engine(parsed, poolclass=sa.pool.NullPool, connect_args=connect_args)
    except (ArgumentError, ImportError, SQLAlchemyError) as exc:
        raise ChaintuiError(f"cannot use {shown}: {_one_line(str(exc))}") from exc
    try:
        with engine.connect() as connection:
            if backend == "postgresql":
                connection = connection.execution_options(postgresql_readonly=True)
            with connection.begin() as transaction:
                inspector = sa.inspect(connection)
                if not inspector.has_table(version_table, schema=version_table_schema):
                    transaction.rollback()
                    return set()
                table = sa.table(version_table, sa.column("version_num"), schema=version_table_schema)
                rows = connection.execute(sa.select(table.c.version_num)).scalars().all()
                transaction.rollback()
        return {str(row) for row in rows if row is not None}
    except SQLAlchemyError as exc:
        original = getattr(exc, "orig", None) or exc
        raise ChaintuiError(f"cannot read {version_table} from {shown}: {_one_line(str(original))}") from exc
    except (OSError, ImportError) as exc:
        raise ChaintuiError(f"cannot connect to {shown}: {_one_line(str(exc))}") from exc
    finally:
        engine.dispose()


def applied_closure(graph, heads) -> set[str]:
    """Every revision a database at `heads` has applied: the version table holds only heads,
    everything below them (following down_revision in the graph as it is) was applied too."""
    result = set(heads)
    # One walk for all heads: callers often pass an already-closed set (thousands of ids), and
    # an ancestors() walk per id would be quadratic.
    stack = [rev for rev in result if rev in graph.by_id]
    seen: set[str] = set()
    while stack:
        rev = stack.pop()
        if rev in seen:
            continue
        seen.add(rev)
        for parent in graph.parent_ids(rev):
            if parent in graph.by_id:
                result.add(parent)
                if parent not in seen:
                    stack.append(parent)
    return result


def stamp_statements(old_id: str, new_id: str, version_table: str = "alembic_version") -> list[str]:
    """What each deployed database that applied `old_id` needs once its id becomes `new_id`.

    The version table holds only the current heads, so a database needs this only while it is
    at `old_id`; the UPDATE is a no-op elsewhere and safe to run everywhere. The stamp command
    needs `--purge`: alembic cannot stamp from an id no file declares any more.
    """
    old_sql = old_id.replace("'", "''")
    new_sql = new_id.replace("'", "''")
    return [
        f"alembic stamp --purge {new_id}",
        f"UPDATE {version_table} SET version_num = '{new_sql}' WHERE version_num = '{old_sql}';",
    ]


def stamp_note(old_id: str, new_id: str, version_table: str = "alembic_version") -> str:
    """A paragraph for a commit body: why and how deployed databases must be updated."""
    command, update = stamp_statements(old_id, new_id, version_table)
    return (
        f"Revision {old_id} is applied on a deployed database and is now {new_id}. On each\n"
        f"database whose {version_table} holds {old_id}, run one of:\n\n"
        f"    {command}\n"
        f"    {update}\n"
    )


def _one_line(text: str) -> str:
    lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
    first = lines[0] if lines else "unknown error"
    if first.startswith("(") and ")" in first:  # "(psycopg.OperationalError) connection ..."
        first = first.split(")", 1)[1].strip() or first
    return first[:300]


def respect_applied(fix: Fix, graph: RevisionGraph, applied) -> Fix:
    """Say in the commit body what each deployed database needs when the fix changes the id or
    parent of a revision it has applied (the stamp / UPDATE statements)."""
    if not applied:
        return fix
    from dataclasses import replace
    from pathlib import Path

    from chaintui.fixes import KeepDuplicate, Relink, Remove

    done = applied_closure(graph, applied)
    notes: list[str] = []
    if isinstance(fix, Relink) and fix.revision in done:
        m = graph.by_rel.get(fix.file)
        old = ", ".join(m.down_revision) if m and m.down_revision else "nothing"
        notes.append(f"Revision {fix.revision} is applied on a deployed database; its parent changes from "
                     f"{old} to {', '.join(fix.parents) or 'nothing'}. Such a database assumes the new "
                     "parents are applied too: check them before its next `alembic upgrade`.")
    elif isinstance(fix, KeepDuplicate) and fix.revision in done:
        for file, new in fix.renamed:
            notes.append(f"If a deployed database applied {Path(file).name} as {fix.revision}:")
            notes.append(stamp_note(fix.revision, new).rstrip())
    elif isinstance(fix, Remove) and fix.revision in done and len(fix.parents) == 1 \
            and len(graph.by_id.get(fix.revision, ())) == 1:  # a stale copy's id stays
        command, update = stamp_statements(fix.revision, fix.parents[0])
        notes.append(f"Revision {fix.revision} is applied on a deployed database and its file is removed. "
                     f"On each database whose alembic_version holds {fix.revision}, run one of:\n\n"
                     f"    {command}\n    {update}")
    return replace(fix, notes=(*fix.notes, *notes)) if notes else fix
