"""Both stores for every storage test: a migrated SQLite template copied per test, and one
PostgreSQL schema per test session truncated between tests."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import psycopg
from psycopg import sql

from api.bootstrap import migrate
from events.database_url import DatabaseConfig

PG_BASE = os.environ.get("IPLEDGE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


class SqliteStore:
    def __init__(self, workdir: Path) -> None:
        self.template = workdir / "template.db"
        migrate(DatabaseConfig.parse(f"sqlite:///{self.template}"))

    def fresh_url(self, tmp_path: Path) -> str:
        target = tmp_path / "ipledge.db"
        shutil.copy(self.template, target)  # keeps the template's 0600
        return f"sqlite:///{target}"

    def close(self) -> None:
        pass


class PostgresStore:
    def __init__(self) -> None:
        self.schema = f"t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with self._connect() as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(self.schema)))
        joiner = "&" if "?" in PG_BASE else "?"  # PG_BASE may carry libpq parameters
        self.url = f"{PG_BASE}{joiner}schema={self.schema}"
        migrate(DatabaseConfig.parse(self.url))
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename <> %s",
                (self.schema, "alembic_version"),
            ).fetchall()
        self.tables = [r[0] for r in rows]

    def _connect(self) -> psycopg.Connection:
        return psycopg.connect(**DatabaseConfig.parse(PG_BASE).connect_params, autocommit=True)

    def fresh_url(self, _tmp_path: Path) -> str:
        with self._connect() as conn:
            conn.execute(
                sql.SQL("TRUNCATE {} RESTART IDENTITY").format(
                    sql.SQL(", ").join(sql.Identifier(self.schema, t) for t in self.tables)
                )
            )
        return self.url

    def close(self) -> None:
        with self._connect() as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(self.schema)))
