"""Alembic environment: the URL comes from the same settings as the service.

Tables Alembic does not own (the eventsourcing recorder's event table) are ignored, so
`alembic check` compares only what Alembic manages.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from events.database import Database
from events.database_url import DatabaseConfig
from events.tables import Money, metadata

config = context.config


def _include_name(name: str | None, type_: str, _parents: dict) -> bool:
    if type_ == "table":
        return name in metadata.tables
    return True


def _render_item(type_: str, obj: object, _context: object) -> str | bool:
    # Money columns are integer fen in the database.
    if type_ == "type" and isinstance(obj, Money):
        return "sa.BigInteger()"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_name=_include_name,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from api.settings import Settings

    database = Database(DatabaseConfig.parse(Settings().database_url), pool_size=1)
    try:
        with database.engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        database.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `ipledge migrate`")
run_migrations_online()
