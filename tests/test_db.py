"""Applied revisions: read-only reads of alembic_version on SQLite and a real PostgreSQL server."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest

from chaintui.db import read_applied, stamp_note, stamp_statements
from chaintui.errors import ChaintuiError


def _sqlite(path: Path, versions: list[str] | None) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE things (id INTEGER)")
    if versions is not None:
        con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        con.executemany("INSERT INTO alembic_version VALUES (?)", [(v,) for v in versions])
    con.commit()
    con.close()


class TestSQLite:
    def test_reads_every_head(self, tmp_path):
        db = tmp_path / "app.db"
        _sqlite(db, ["018", "ae1027a6acf"])
        before = db.read_bytes()
        assert read_applied(f"sqlite:///{db}") == {"018", "ae1027a6acf"}
        assert db.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["app.db"]  # no journal left behind

    def test_missing_table_is_nothing_applied(self, tmp_path):
        db = tmp_path / "app.db"
        _sqlite(db, None)
        assert read_applied(f"sqlite:///{db}") == set()

    def test_missing_file_is_not_created(self, tmp_path):
        db = tmp_path / "nope.db"
        assert read_applied(f"sqlite:///{db}") == set()
        assert not db.exists()

    def test_custom_version_table(self, tmp_path):
        db = tmp_path / "app.db"
        con = sqlite3.connect(db)
        con.execute("CREATE TABLE my_versions (version_num VARCHAR(32))")
        con.execute("INSERT INTO my_versions VALUES ('abc')")
        con.commit()
        con.close()
        assert read_applied(f"sqlite:///{db}", "my_versions") == {"abc"}
        assert read_applied(f"sqlite:///{db}") == set()

    def test_errors_are_one_line(self, tmp_path):
        with pytest.raises(ChaintuiError) as info:
            read_applied("not a url")
        assert "\n" not in str(info.value)
        with pytest.raises(ChaintuiError) as info:
            read_applied("nosuchdialect://x/y")
        assert "\n" not in str(info.value)
        bad = tmp_path / "garbage.db"
        bad.write_bytes(b"this is not a database" * 100)
        with pytest.raises(ChaintuiError) as info:
            read_applied(f"sqlite:///{bad}")
        assert "\n" not in str(info.value) and "garbage.db" in str(info.value)

    def test_unreachable_server_is_one_line_without_password(self):
        port = _free_port()
        with pytest.raises(ChaintuiError) as info:
            read_applied(f"postgresql+psycopg://user:s3cret@127.0.0.1:{port}/db", timeout=2)
        message = str(info.value)
        assert "\n" not in message and "s3cret" not in message and str(port) in message


class TestStamp:
    def test_statements(self):
        assert stamp_statements("017", "034") == [
            "alembic stamp --purge 034",
            "UPDATE alembic_version SET version_num = '034' WHERE version_num = '017';",
        ]

    def test_quotes_are_escaped_and_note_mentions_both(self):
        assert "'a''b'" in stamp_statements("a'b", "c")[1]
        note = stamp_note("017", "034")
        assert "alembic stamp --purge 034" in note and "WHERE version_num = '017'" in note


# --------------------------------------------------------------------------------------------
# A real PostgreSQL server, started by the test session


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bindir() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if candidates:
        return Path(candidates[-1]).parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout.strip()
        if out and (Path(out) / "initdb").exists():
            return Path(out)
    return None


@pytest.fixture(scope="session")
def postgres_url():
    """initdb into a temporary directory and start postgres on a free localhost port.

    PostgreSQL refuses to run as root: then the server runs as the `postgres` user (Debian's
    package creates it) via runuser, in a directory that user owns.
    """
    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed; "
                    "Debian/Ubuntu: apt-get install postgresql (.ci/run does this as root)")
    prefix: list[str] = []
    data_root = Path(tempfile.mkdtemp(prefix="chaintui-pg-"))
    if os.geteuid() == 0:
        import pwd

        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run the server as")
        runuser = shutil.which("runuser")
        prefix = [runuser, "-u", "postgres", "--"] if runuser else ["su", "postgres", "-s", "/bin/sh", "-c"]
        os.chown(data_root, user.pw_uid, user.pw_gid)
        data_root.chmod(0o700)

    def run(*cmd: str) -> subprocess.CompletedProcess:
        if prefix and prefix[0] == "su":
            import shlex

            return subprocess.run([*prefix, " ".join(shlex.quote(c) for c in cmd)], capture_output=True,
                                  text=True, timeout=120)
        return subprocess.run([*prefix, *cmd], capture_output=True, text=True, timeout=120)

    data = data_root / "data"
    result = run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                 "--no-sync")
    if result.returncode != 0:
        shutil.rmtree(data_root, ignore_errors=True)
        pytest.fail(f"initdb failed: {result.stderr.strip() or result.stdout.strip()}")
    port = _free_port()
    options = f"-p {port} -k {data_root} -c listen_addresses=127.0.0.1 -c fsync=off"
    result = run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(data_root / "log"),
                 "-w", "-t", "60", "start")
    if result.returncode != 0:
        log = (data_root / "log").read_text(errors="replace") if (data_root / "log").exists() else ""
        shutil.rmtree(data_root, ignore_errors=True)
        pytest.fail(f"postgres did not start: {result.stderr.strip()} {log[-500:]}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(data_root, ignore_errors=True)


def _pg_execute(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as con:
        for statement in statements:
            con.execute(statement)


def _pg_tables(url: str) -> list[tuple[str, str]]:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as con:
        return sorted(con.execute("SELECT schemaname, tablename FROM pg_tables "
                                  "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')").fetchall())


@pytest.mark.postgres
class TestPostgres:
    def test_missing_table_then_applied_heads(self, postgres_url):
        _pg_execute(postgres_url, "DROP TABLE IF EXISTS alembic_version")
        before = _pg_tables(postgres_url)
        assert read_applied(postgres_url) == set()
        assert _pg_tables(postgres_url) == before  # nothing created
        _pg_execute(postgres_url,
                    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
                    "INSERT INTO alembic_version VALUES ('031'), ('4f2e1a9b7c3d')")
        assert read_applied(postgres_url) == {"031", "4f2e1a9b7c3d"}

    def test_version_table_in_a_schema(self, postgres_url):
        _pg_execute(postgres_url, "CREATE SCHEMA IF NOT EXISTS ops",
                    "DROP TABLE IF EXISTS ops.versions",
                    "CREATE TABLE ops.versions (version_num VARCHAR(32) NOT NULL)",
                    "INSERT INTO ops.versions VALUES ('abc')")
        assert read_applied(postgres_url, "versions", version_table_schema="ops") == {"abc"}

    def test_the_read_is_a_read_only_transaction(self, postgres_url, monkeypatch):
        # Prove the transaction is READ ONLY: a write inside it would fail.
        import sqlalchemy as sa

        seen = {}
        real = sa.inspect

        def spy(connection):
            seen["read_only"] = connection.exec_driver_sql("SHOW transaction_read_only").scalar()
            return real(connection)

        monkeypatch.setattr(sa, "inspect", spy)
        read_applied(postgres_url)
        assert seen["read_only"] == "on"

    def test_wrong_database_is_one_line(self, postgres_url):
        with pytest.raises(ChaintuiError) as info:
            read_applied(postgres_url.rsplit("/", 1)[0] + "/no_such_db")
        assert "\n" not in str(info.value) and "no_such_db" in str(info.value)
