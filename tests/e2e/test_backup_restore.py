"""The backups docs/operations.md prescribes restore the same state: a PostgreSQL dump of the
log and the service tables only (the documented pg_dump command), restored into a new database
and rebuilt, and a SQLite `.backup` copy, both give the same read models and the same audit root;
and the tables the docs leave out of the dump are exactly those a rebuild recreates."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select, text

from api.bootstrap import Container, bootstrap
from api.settings import Settings
from events.clock import ManualClock
from events.database_url import DatabaseConfig
from tests.conftest import START
from tests.factories import BANK_A
from tests.webhook_support import pledge

pytestmark = pytest.mark.e2e
OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
EXCLUDED = re.findall(r"--exclude-table-data='\*\.(\w+)'", OPERATIONS.read_text())


def open_store(url: str) -> Container:
    return bootstrap(
        Settings(database_url=url, clock="manual", run_worker=False), ManualClock(START)
    )


def rebuilt_tables(container: Container) -> list[str]:
    names = [t.name for p in container.projections.projections for t in p.tables]
    return [*names, "projection_tracking"]


def with_history(container: Container) -> Container:
    container.principals.create("bank", "bank", BANK_A.institution_id, START)
    for serial in range(1, 4):
        pledge(container, BANK_A, serial)
    container.projections.catch_up(timeout=60)
    return container


def state(container: Container) -> dict[str, object]:
    """Every read-model row (order-free) and the audit root of the whole log."""
    rows: dict[str, object] = {}
    with container.db.read() as conn:
        for name in rebuilt_tables(container):
            rows[name] = sorted(map(repr, conn.execute(select(text("*")).select_from(text(name)))))
    size = container.store.max_position()
    return {**rows, "audit_root": container.audit.root_hash(container.audit.caught_up_size(size))}


def test_the_documented_dump_leaves_out_exactly_the_tables_a_rebuild_recreates(container):
    assert sorted(EXCLUDED) == sorted(rebuilt_tables(container))


@pytest.fixture
def source(postgres_store, tmp_path: Path) -> Iterator[Container]:
    container = with_history(open_store(postgres_store.fresh_url(tmp_path)))
    yield container
    container.close()


@pytest.fixture
def empty_database(postgres_store) -> Iterator[str]:
    """A new database on the same server, dropped afterwards; its libpq URL."""
    server = postgres_store.url.split("?")[0].rsplit("/", 1)[0]
    name = f"restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_a_postgres_dump_of_the_log_and_service_tables_restores_the_same_state(
    source, postgres_store, empty_database, tmp_path
):
    dump, schema = tmp_path / "ipledge.dump", DatabaseConfig.parse(postgres_store.url).schema
    libpq_url = postgres_store.url.split("?")[0]
    exclusions = [f"--exclude-table-data=*.{table}" for table in EXCLUDED]
    pg_dump = ["pg_dump", "--format=custom", f"--file={dump}", f"--schema={schema}", *exclusions]
    subprocess.run([*pg_dump, libpq_url], check=True)
    subprocess.run(["pg_restore", f"--dbname={empty_database}", "--no-owner", dump], check=True)

    restored = open_store(f"{empty_database}?schema={schema}")
    try:
        assert restored.projections.positions() == dict.fromkeys(
            restored.projections.positions(), 0
        )
        restored.projections.rebuild()
        assert state(restored) == state(source)
        assert [p.id for p in restored.principals.list()] == [
            p.id for p in source.principals.list()
        ]
    finally:
        restored.close()


def test_a_sqlite_online_backup_restores_the_same_state(sqlite_store, tmp_path):
    source = with_history(open_store(sqlite_store.fresh_url(tmp_path)))
    assert source.config.sqlite_path is not None
    copy = tmp_path / "backup" / "ipledge.db"
    copy.parent.mkdir()
    try:
        sqlite3 = shutil.which("sqlite3") or "sqlite3"
        subprocess.run([sqlite3, str(source.config.sqlite_path), f".backup '{copy}'"], check=True)
        restored = open_store(f"sqlite:///{copy}")
        try:
            restored.projections.rebuild()
            assert state(restored) == state(source)
        finally:
            restored.close()
    finally:
        source.close()
