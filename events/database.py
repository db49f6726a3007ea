"""SQLAlchemy engines for read models and service tables, on the same database as the events."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event

from events.database_url import DatabaseConfig
from events.private_files import private_file


class Database:
    def __init__(self, config: DatabaseConfig, *, pool_size: int = 10) -> None:
        self.config = config
        self.engine = _make_engine(config, pool_size, writer=True)
        # SQLite: readers use plain (deferred) transactions so that, under WAL, they never
        # queue behind a writer. PostgreSQL needs no such split.
        self._reader = _make_engine(config, pool_size, writer=False) if config.is_sqlite else None

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction that commits on success (BEGIN IMMEDIATE on SQLite, so two writers
        queue on the lock instead of failing on a read-to-write upgrade)."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """One consistent snapshot (a single read transaction) for everything read inside."""
        with (self._reader or self.engine).connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()
        if self._reader is not None:
            self._reader.dispose()


def _make_engine(config: DatabaseConfig, pool_size: int, *, writer: bool) -> Engine:
    if not config.is_sqlite:
        return create_engine(
            config.sqlalchemy_url(),
            pool_size=pool_size,
            max_overflow=2 * pool_size,
            pool_pre_ping=True,
            connect_args=config.sqlalchemy_connect_args(),
        )
    assert config.sqlite_path is not None
    private_file(config.sqlite_path)
    engine = create_engine(
        config.sqlalchemy_url(),
        connect_args={"timeout": 30, "check_same_thread": False},
        pool_size=pool_size,
        max_overflow=20,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide where transactions begin.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine
