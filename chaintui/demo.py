"""Build the seed plan's broken project as a real git repository with real migrations.

The history reproduces `migration-chain-fix-plan.md`: two roots (`000` and `001_initial_migration`,
which re-creates the baseline's tables), four duplicated numbers (001, 017, 018, 031), parents
that name revisions nobody declares (`003_essential_tables`, `373835cefaf9`, `f42f94c7a129`),
the 026 <-> 027 loop, and `008a` between `008` and `009`. The migrations do real DDL whose order
matters (later ones alter tables that earlier ones create), so a wrong repair fails on a real
database. Files were added over several commits by several authors, as a team would.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from chaintui.errors import ChaintuiError


@dataclass(frozen=True)
class DemoMigration:
    stem: str
    rev: str
    down: str | None
    date: str
    upgrade: tuple[str, ...]
    downgrade: tuple[str, ...]
    style: str = "modern"
    """modern (annotated, double quotes), classic (plain, single quotes) or legacy (u'' strings)."""
    header_revises: str | None = None
    """What the docstring's `Revises:` line says when it disagrees with down_revision."""
    author: str = "Dana Lee <dana@example.com>"


def _table(name: str, *columns: str) -> tuple[str, ...]:
    cols = ",\n        ".join(['sa.Column("id", sa.Integer(), primary_key=True)', *columns])
    return (f'op.create_table(\n        "{name}",\n        {cols},\n    )',)


def _col(table: str, column: str, type_: str = "sa.String(100)") -> str:
    return f'op.add_column("{table}", sa.Column("{column}", {type_}, nullable=True))'


def _dropcol(table: str, column: str) -> str:
    return f'with op.batch_alter_table("{table}") as batch_op:\n        batch_op.drop_column("{column}")'


def _fk(table: str) -> str:
    return f'sa.Column("{table[:-1]}_id", sa.Integer(), sa.ForeignKey("{table}.id"))'


ANA = "Ana Ruiz <ana@example.com>"
KIM = "Kim Osei <kim@example.com>"
SAM = "Sam Park <sam@example.com>"

MIGRATIONS: tuple[DemoMigration, ...] = (
    DemoMigration("000_baseline_existing_schema", "000", None, "2024-01-08 09:12:44.120931",
                  _table("organizations", 'sa.Column("name", sa.String(200), nullable=False)')
                  + _table("users", 'sa.Column("email", sa.String(320), nullable=False)', _fk("organizations")),
                  ('op.drop_table("users")', 'op.drop_table("organizations")'), author=ANA),
    DemoMigration("001_initial_migration", "001", None, "2024-01-05 17:40:02.551260",
                  _table("organizations", 'sa.Column("name", sa.String(200), nullable=False)')
                  + _table("users", 'sa.Column("email", sa.String(320), nullable=False)', _fk("organizations")),
                  ('op.drop_table("users")', 'op.drop_table("organizations")'), style="classic"),
    DemoMigration("001_add_core_missing_tables", "001", "000", "2024-01-09 10:03:19.004211",
                  _table("posts", 'sa.Column("title", sa.String(200))', _fk("users")),
                  ('op.drop_table("posts")',), author=ANA),
    DemoMigration("002_add_user_settings", "002", "001", "2024-01-15 14:22:51.771002",
                  (_col("users", "settings", "sa.JSON()"),), (_dropcol("users", "settings"),)),
    DemoMigration("003_enhanced_content_metadata", "003_enhanced_content_metadata", "002", "2024-01-22 11:07:35.250118",
                  (_col("posts", "summary", "sa.Text()"), _col("posts", "language", "sa.String(8)")),
                  (_dropcol("posts", "language"), _dropcol("posts", "summary")), author=KIM),
    DemoMigration("004_add_notifications", "004_add_notifications", "003_essential_tables", "2024-02-01 09:30:00.000000",
                  _table("notifications", 'sa.Column("body", sa.Text())', _fk("users")),
                  ('op.drop_table("notifications")',), author=KIM, header_revises="003_enhanced_content_metadata"),
    DemoMigration("005_add_notification_preferences", "005", "373835cefaf9", "2024-02-06 16:45:12.300000",
                  (_col("notifications", "channel", "sa.String(20)"),), (_dropcol("notifications", "channel"),),
                  style="classic", header_revises="373835cefaf9"),
    DemoMigration("006_add_teams", "006", "005", "2024-02-12 10:11:12.000000",
                  _table("teams", 'sa.Column("name", sa.String(100))', _fk("organizations")),
                  ('op.drop_table("teams")',)),
    DemoMigration("007_add_team_members", "007", "006", "2024-02-13 08:01:44.000000",
                  _table("team_members", _fk("teams"), _fk("users")), ('op.drop_table("team_members")',)),
    DemoMigration("008_add_audit_log", "008", "007", "2024-02-20 15:20:00.000000",
                  _table("audit_log", 'sa.Column("action", sa.String(50))', _fk("users")),
                  ('op.drop_table("audit_log")',), author=SAM),
    DemoMigration("008a_add_audit_log_index", "008a", "008", "2024-02-21 09:00:00.000000",
                  ('op.create_index("ix_audit_log_action", "audit_log", ["action"])',),
                  ('op.drop_index("ix_audit_log_action", table_name="audit_log")',), author=SAM),
    DemoMigration("009_add_api_keys", "009", "008a", "2024-02-27 13:13:13.000000",
                  _table("api_keys", 'sa.Column("key_hash", sa.String(128))', _fk("users")),
                  ('op.drop_table("api_keys")',)),
    DemoMigration("010_add_sessions", "010", "009", "2024-03-04 10:00:00.000000",
                  _table("sessions", 'sa.Column("token", sa.String(128))', _fk("users")),
                  ('op.drop_table("sessions")',)),
    DemoMigration("011_add_session_ip", "011", "010", "2024-03-05 10:00:00.000000",
                  (_col("sessions", "ip_address", "sa.String(45)"),), (_dropcol("sessions", "ip_address"),)),
    DemoMigration("012_add_tags", "012", "011", "2024-03-11 10:00:00.000000",
                  _table("tags", 'sa.Column("name", sa.String(50))'), ('op.drop_table("tags")',),
                  header_revises="010", author=KIM),
    DemoMigration("013_add_post_tags", "013", "012", "2024-03-12 10:00:00.000000",
                  _table("post_tags", _fk("posts"), _fk("tags")), ('op.drop_table("post_tags")',), author=KIM),
    DemoMigration("014_add_published_at", "014", "013", "2024-03-18 10:00:00.000000",
                  (_col("posts", "published_at", "sa.DateTime()"),), (_dropcol("posts", "published_at"),),
                  style="legacy"),
    DemoMigration("015_add_comments", "015", "014", "2024-03-25 10:00:00.000000",
                  _table("comments", 'sa.Column("body", sa.Text())', _fk("posts"), _fk("users")),
                  ('op.drop_table("comments")',)),
    DemoMigration("016_add_comment_index", "016", "015", "2024-03-26 10:00:00.000000",
                  ('op.create_index("ix_comments_post_id", "comments", ["post_id"])',),
                  ('op.drop_index("ix_comments_post_id", table_name="comments")',)),
    DemoMigration("017_add_missing_user_columns", "017", "016", "2024-04-02 09:00:00.000000",
                  (_col("users", "last_login", "sa.DateTime()"), _col("users", "timezone", "sa.String(64)")),
                  (_dropcol("users", "timezone"), _dropcol("users", "last_login")), author=ANA),
    DemoMigration("017_add_public_uuid_columns", "017", "016", "2024-04-03 11:30:00.000000",
                  (_col("users", "public_uuid", "sa.String(36)"), _col("posts", "public_uuid", "sa.String(36)")),
                  (_dropcol("posts", "public_uuid"), _dropcol("users", "public_uuid")), author=SAM),
    DemoMigration("018_add_dead_letter_queue", "018", "017", "2024-04-08 09:00:00.000000",
                  _table("dead_letter_queue", 'sa.Column("payload", sa.JSON())', 'sa.Column("error", sa.Text())'),
                  ('op.drop_table("dead_letter_queue")',), author=ANA),
    DemoMigration("018_ensure_engagement_data_column", "018", "017", "2024-04-09 15:00:00.000000",
                  (_col("posts", "engagement_data", "sa.JSON()"),), (_dropcol("posts", "engagement_data"),),
                  author=SAM),
    DemoMigration("019_add_webhooks", "019", "f42f94c7a129", "2024-04-15 10:00:00.000000",
                  _table("webhooks", 'sa.Column("url", sa.String(500))', _fk("organizations")),
                  ('op.drop_table("webhooks")',), author=KIM),
    DemoMigration("020_add_webhook_secret", "020", "019", "2024-04-16 10:00:00.000000",
                  (_col("webhooks", "secret", "sa.String(128)"),), (_dropcol("webhooks", "secret"),), author=KIM),
    DemoMigration("021_add_rate_limits", "021", "020", "2024-04-22 10:00:00.000000",
                  _table("rate_limits", 'sa.Column("bucket", sa.String(64))', 'sa.Column("limit", sa.Integer())'),
                  ('op.drop_table("rate_limits")',)),
    DemoMigration("022_add_content_versions", "022", "f42f94c7a129", "2024-04-29 10:00:00.000000",
                  _table("content_versions", 'sa.Column("body", sa.Text())', _fk("posts")),
                  ('op.drop_table("content_versions")',), author=SAM),
    DemoMigration("023_add_content_version_author", "023", "f42f94c7a129", "2024-04-30 10:00:00.000000",
                  (_col("content_versions", "author_id", "sa.Integer()"),),
                  (_dropcol("content_versions", "author_id"),), author=SAM),
    DemoMigration("024_add_media", "024", "023", "2024-05-06 10:00:00.000000",
                  _table("media", 'sa.Column("path", sa.String(500))', _fk("posts")), ('op.drop_table("media")',)),
    DemoMigration("025_add_media_alt_text", "025", "024", "2024-05-07 10:00:00.000000",
                  (_col("media", "alt_text", "sa.String(300)"),), (_dropcol("media", "alt_text"),)),
    DemoMigration("026_add_media_caption", "026", "027_create_content_drafts_and_schedules",
                  "2024-05-13 10:00:00.000000",
                  (_col("media", "caption", "sa.Text()"),), (_dropcol("media", "caption"),),
                  header_revises="025", author=KIM),
    DemoMigration("027_create_content_drafts_and_schedules", "027_create_content_drafts_and_schedules", "026",
                  "2024-05-14 10:00:00.000000",
                  _table("content_drafts", 'sa.Column("body", sa.Text())', _fk("posts"))
                  + _table("content_schedules", 'sa.Column("run_at", sa.DateTime())', _fk("content_drafts")),
                  ('op.drop_table("content_schedules")', 'op.drop_table("content_drafts")'), author=KIM),
    DemoMigration("028_add_draft_status", "028", "027_create_content_drafts_and_schedules", "2024-05-20 10:00:00.000000",
                  (_col("content_drafts", "status", "sa.String(20)"),), (_dropcol("content_drafts", "status"),)),
    DemoMigration("029_add_billing_accounts", "029", "028", "2024-05-27 10:00:00.000000",
                  _table("billing_accounts", 'sa.Column("plan", sa.String(50))', _fk("organizations")),
                  ('op.drop_table("billing_accounts")',), author=ANA),
    DemoMigration("030_add_invoices", "030", "029", "2024-06-03 10:00:00.000000",
                  _table("invoices", 'sa.Column("total_cents", sa.Integer())', _fk("billing_accounts")),
                  ('op.drop_table("invoices")',), author=ANA),
    DemoMigration("031_add_usage_record_table", "031", "030", "2024-06-10 10:00:00.000000",
                  _table("usage_records", 'sa.Column("quantity", sa.Integer())', _fk("billing_accounts")),
                  ('op.drop_table("usage_records")',), author=ANA),
    DemoMigration("031_webhook_reliability_improvements", "031", "030", "2024-06-11 16:00:00.000000",
                  (_col("webhooks", "retry_count", "sa.Integer()"), _col("webhooks", "last_error", "sa.Text()")),
                  (_dropcol("webhooks", "last_error"), _dropcol("webhooks", "retry_count")), author=KIM),
    DemoMigration("032_add_usage_record_index", "032", "031", "2024-06-17 10:00:00.000000",
                  ('op.create_index("ix_usage_records_billing_account_id", "usage_records", ["billing_account_id"])',),
                  ('op.drop_index("ix_usage_records_billing_account_id", table_name="usage_records")',), author=ANA),
    DemoMigration("033_add_subscription_plans", "033", "032", "2024-06-24 10:00:00.000000",
                  _table("subscription_plans", 'sa.Column("name", sa.String(50))', 'sa.Column("price_cents", sa.Integer())'),
                  ('op.drop_table("subscription_plans")',), author=ANA),
)

#: (commit author, message, branch, files) - the order the team committed the history in.
ALEMBIC_INI = """\
# A generic, single-database configuration.

[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
path_separator = os
sqlalchemy.url = sqlite:///%(here)s/app.db

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = logging.StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""

ENV_PY = '''\
"""Alembic environment for the demo application (the stock template, offline and online)."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = None


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

SCRIPT_MAKO = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision: str = ${repr(up_revision)}
down_revision: Union[str, Sequence[str], None] = ${repr(down_revision)}
branch_labels: Union[str, Sequence[str], None] = ${repr(branch_labels)}
depends_on: Union[str, Sequence[str], None] = ${repr(depends_on)}


def upgrade() -> None:
    """Upgrade schema."""
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    """Downgrade schema."""
    ${downgrades if downgrades else "pass"}
'''


def render_migration(m: DemoMigration) -> str:
    """The file text for one demo migration, in the style it was written in."""
    message = m.stem.split("_", 1)[1].replace("_", " ").capitalize()
    revises = m.header_revises if m.header_revises is not None else (m.down or "")
    body_up = "\n    ".join(m.upgrade)
    body_down = "\n    ".join(m.downgrade)
    doc = f'"""{message}\n\nRevision ID: {m.rev}\nRevises: {revises}\nCreate Date: {m.date}\n\n"""\n'
    if m.style == "modern":
        return (
            f"{doc}from typing import Sequence, Union\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n"
            "# revision identifiers, used by Alembic.\n"
            f"revision: str = {_q(m.rev)}\n"
            f"down_revision: Union[str, Sequence[str], None] = {_q(m.down)}\n"
            "branch_labels: Union[str, Sequence[str], None] = None\n"
            "depends_on: Union[str, Sequence[str], None] = None\n\n\n"
            f'def upgrade() -> None:\n    """Upgrade schema."""\n    {body_up}\n\n\n'
            f'def downgrade() -> None:\n    """Downgrade schema."""\n    {body_down}\n'
        )
    prefix = "u" if m.style == "legacy" else ""
    down = "None" if m.down is None else f"{prefix}'{m.down}'"
    encoding = "# -*- coding: utf-8 -*-\n" if m.style == "legacy" else ""
    return (
        f"{encoding}{doc}from alembic import op\nimport sqlalchemy as sa\n\n"
        "# revision identifiers, used by Alembic.\n"
        f"revision = {prefix}'{m.rev}'\ndown_revision = {down}\nbranch_labels = None\ndepends_on = None\n\n\n"
        f"def upgrade():\n    {body_up}\n\n\ndef downgrade():\n    {body_down}\n"
    )


def _q(value: str | None) -> str:
    return "None" if value is None else f'"{value}"'


def default_demo_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="chaintui-demo-"))


def build_demo(target: str | os.PathLike[str], migrations: tuple[DemoMigration, ...] = MIGRATIONS) -> Path:
    """Write the demo project into `target` (new or empty) and commit it as a team would have."""
    import git

    root = Path(target).expanduser().resolve()
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise ChaintuiError(f"{target}: exists and is not an empty directory")
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "alembic.ini").write_text(ALEMBIC_INI)
    (root / "migrations" / "env.py").write_text(ENV_PY)
    (root / "migrations" / "script.py.mako").write_text(SCRIPT_MAKO)
    (root / "migrations" / "README").write_text("Generic single-database configuration.\n")
    (root / ".gitignore").write_text("__pycache__/\n*.db\n")
    (root / "README.md").write_text(
        "# Demo application\n\nMigrations for the demo app. `alembic upgrade head` currently fails.\n"
    )

    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Demo Maintainer")
        config.set_value("user", "email", "maintainer@example.com")
        config.set_value("commit", "gpgsign", "false")
    base = [".gitignore", "README.md", "alembic.ini", "migrations/env.py", "migrations/script.py.mako",
            "migrations/README"]
    _commit(repo, base, "Set up alembic", ANA, "2024-01-05 09:00:00")
    for m in migrations:
        path = versions / f"{m.stem}.py"
        path.write_text(render_migration(m))
        _commit(repo, [path.relative_to(root).as_posix()], f"Add migration {m.stem}", m.author, m.date[:19])
    return root


def _commit(repo, files: list[str], message: str, author: str, date: str) -> None:
    import git

    name, _, email = author.partition(" <")
    actor = git.Actor(name, email.rstrip(">"))
    repo.index.add(files)
    stamp = f"{date} +0000"
    repo.index.commit(message, author=actor, committer=actor, author_date=stamp, commit_date=stamp)
