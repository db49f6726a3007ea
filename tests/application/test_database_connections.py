"""Both connections, SQLAlchemy's (read models) and the event store's, are opened from everything
the URL says: percent-encoded credentials and libpq parameters reach the real server.

The local server trusts every connection, so it does not check the password; the unit tests show
the password decoded ('p@ss/w') and handed to libpq. Here the role name, with the same characters,
proves the credentials are decoded, and the server reports the parameters back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql
from pydantic import ValidationError
from sqlalchemy import text

from api.bootstrap import bootstrap
from api.settings import Settings
from events.database import Database
from events.database_url import DatabaseConfig
from events.store import open_event_store
from tests.stores import PG_BASE, PostgresStore

SHOW = (
    "SELECT current_user AS user, current_setting('application_name') AS app, "
    "current_setting('statement_timeout') AS timeout"
)


@pytest.fixture
def role(postgres_store: PostgresStore) -> Iterator[str]:
    name = f"ipl@dge/{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**DatabaseConfig.parse(PG_BASE).connect_params, autocommit=True) as c:
        role, schema = sql.Identifier(name), sql.Identifier(postgres_store.schema)
        c.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'p@ss/w'").format(role))
        c.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, role))
        yield name
        c.execute(sql.SQL("DROP OWNED BY {}").format(role))  # the grant
        c.execute(sql.SQL("DROP ROLE {}").format(role))


def seen_by_both_connections(url: str) -> tuple[dict, dict]:
    config = DatabaseConfig.parse(url)
    database = Database(config, pool_size=1)
    store = open_event_store(config, create_tables=False)
    try:
        with database.engine.connect() as conn:
            through_sqlalchemy = dict(conn.execute(text(SHOW)).mappings().one())
        with store.app_recorder.datastore.get_connection() as conn:  # type: ignore[attr-defined]
            through_event_store = dict(conn.execute(SHOW).fetchone())
    finally:
        store.close()
        database.dispose()
    return through_sqlalchemy, through_event_store


def test_percent_encoded_credentials_and_parameters_reach_the_server_on_both_connections(
    role: str, postgres_store: PostgresStore
):
    base = DatabaseConfig.parse(PG_BASE).connect_params
    server = f"{base.get('host', '127.0.0.1')}:{base.get('port', '5432')}"
    refusing = f"127.0.0.2:{base.get('port', '5432')}"  # libpq must go on to the next host
    url = (
        f"postgresql://{quote(role, safe='')}:{quote('p@ss/w', safe='')}@{refusing},{server}"
        f"/{base['dbname']}?schema={postgres_store.schema}&connect_timeout=5"
        "&application_name=ipledge%20test&options=-c%20statement_timeout%3D4321"
    )

    expected = {"user": role, "app": "ipledge test", "timeout": "4321ms"}
    assert seen_by_both_connections(url) == (expected, expected)


def test_a_unix_socket_host_reaches_the_server_on_both_connections():
    socket_dir = Path("/var/run/postgresql")
    if not (socket_dir / ".s.PGSQL.5432").exists():
        pytest.skip("no local PostgreSQL socket")
    base = DatabaseConfig.parse(PG_BASE).connect_params
    user, dbname = base.get("user", ""), base["dbname"]
    url = f"postgres://{user}@/{dbname}?host={socket_dir}&application_name=sock"

    through_sqlalchemy, through_event_store = seen_by_both_connections(url)

    assert through_sqlalchemy["app"] == through_event_store["app"] == "sock"


def test_a_percent_encoded_sqlite_path_opens_the_decoded_file(tmp_path: Path):
    url = f"sqlite:///{quote(str(tmp_path / 'my data%20' / 'ipledge.db'))}"
    config = DatabaseConfig.parse(url)
    database = Database(config, pool_size=1)
    store = open_event_store(config, create_tables=True)
    try:
        with database.write() as conn:
            conn.execute(text("CREATE TABLE marker (id INTEGER)"))
    finally:
        store.close()
        database.dispose()

    assert [p.name for p in tmp_path.iterdir()] == ["my data%20"]
    assert (tmp_path / "my data%20" / "ipledge.db").is_file()


def test_the_pool_size_setting_sizes_both_pools_of_a_process(database_url, clock):
    settings = Settings(database_url=database_url, clock="manual", run_worker=False, db_pool_size=3)
    container = bootstrap(settings, clock=clock)
    try:
        assert container.db.engine.pool.size() == 3  # type: ignore[attr-defined]
        if not DatabaseConfig.parse(database_url).is_sqlite:
            pool = container.store.recorder.datastore.pool  # type: ignore[attr-defined]
            assert (pool.min_size, pool.max_size) == (3, 9)
    finally:
        container.close()


def test_a_pool_size_out_of_range_is_refused_at_start_up(monkeypatch):
    monkeypatch.setenv("IPLEDGE_DB_POOL_SIZE", "0")
    with pytest.raises(ValidationError, match="db_pool_size"):
        Settings()
