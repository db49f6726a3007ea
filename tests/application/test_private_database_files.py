"""The SQLite store holds the signing-key seed and the webhook secrets: its directory (when we
create it) and every file SQLite makes for it are owner-only, even under a 022 umask.
(PostgreSQL keeps no files of ours, so these tests have no PostgreSQL twin.)"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.bootstrap import bootstrap, migrate
from api.settings import Settings
from events.clock import ManualClock
from events.database_url import DatabaseConfig
from tests.application.workload import put
from tests.builders import party
from tests.conftest import START
from tests.factories import patent_fields, patent_item
from tests.stores import SqliteStore


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_the_sqlite_store_and_its_wal_files_are_created_owner_only(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'data' / 'ipledge.db'}"
    migrate(DatabaseConfig.parse(url))
    container = bootstrap(Settings(database_url=url, run_worker=False), clock=ManualClock(START))
    try:
        put(container, patent_item(1), patent_fields([party(1)]))
        container.principals.create("bank", "bank", "BANK-A", START)
        files = sorted(p.name for p in (tmp_path / "data").iterdir())
        modes = {name: mode(tmp_path / "data" / name) for name in files}
    finally:
        container.close()

    assert mode(tmp_path / "data") == 0o700
    assert {"ipledge.db", "ipledge.db-wal", "ipledge.db-shm"} <= set(files)
    assert modes == dict.fromkeys(files, 0o600)


def test_an_existing_world_readable_store_is_tightened_at_start(
    tmp_path: Path, sqlite_store: SqliteStore
):
    path = tmp_path / "ipledge.db"
    shutil.copyfile(sqlite_store.template, path)
    path.chmod(0o644)

    container = bootstrap(
        Settings(database_url=f"sqlite:///{path}", run_worker=False), clock=ManualClock(START)
    )
    container.close()

    assert mode(path) == 0o600
