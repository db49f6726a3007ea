"""A store written before the typed event contract is refused at start-up, never misread;
a migrated empty store is marked as contract 1 and opens (on both stores)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import delete
from typer.testing import CliRunner

import migrations
from api.bootstrap import bootstrap
from api.cli import app
from api.settings import Settings
from events.contract import EVENT_CONTRACT, EventContractRefused, stored_contract
from events.database import Database
from events.database_url import DatabaseConfig
from events.tables import store_metadata
from registry.actors import acting_as
from tests.builders import party
from tests.factories import IP_OFFICE, patent_fields, patent_item


def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, clock="manual", run_worker=False)


def test_a_migrated_empty_store_is_marked_with_the_current_contract(database_url):
    container = bootstrap(settings(database_url))
    try:
        assert stored_contract(container.db) == EVENT_CONTRACT == 1
    finally:
        container.close()


def test_a_store_with_events_but_no_contract_marker_is_refused_at_start_up(database_url):
    container = bootstrap(settings(database_url))
    try:
        item = patent_item(1)
        fields = patent_fields([party(1)])
        with acting_as(IP_OFFICE):
            container.registry.put_ip_right(item.kind, item.number, fields)
        with container.db.write() as conn:  # as a store from before the contract looks
            conn.execute(delete(store_metadata))
    finally:
        container.close()

    with pytest.raises(EventContractRefused) as refused:
        bootstrap(settings(database_url))

    message = str(refused.value)
    assert "event contract 1" in message and "1 events" in message
    assert "ipledge migrate" in message and "ipledge demo" in message


def test_the_cli_refuses_a_pre_contract_store_with_exit_2_and_says_what_to_do(database_url):
    container = bootstrap(settings(database_url))
    item = patent_item(1)
    with acting_as(IP_OFFICE):
        container.registry.put_ip_right(item.kind, item.number, patent_fields([party(1)]))
    with container.db.write() as conn:
        conn.execute(delete(store_metadata))
    container.close()
    handlers = logging.getLogger().handlers[:]
    try:
        env = {"IPLEDGE_DATABASE_URL": database_url, "IPLEDGE_LOG_FORMAT": "json"}
        result = CliRunner().invoke(app, ["principals", "list"], env=env)
    finally:
        logging.getLogger().handlers[:] = handlers

    assert result.exit_code == 2
    assert "refusing the store" in result.stderr and "event contract 1" in result.stderr


def test_a_store_marked_with_another_contract_is_refused(database_url):
    container = bootstrap(settings(database_url))
    try:
        with container.db.write() as conn:
            conn.execute(store_metadata.update().values(value="2"))
    finally:
        container.close()

    with pytest.raises(EventContractRefused, match="contract 2"):
        bootstrap(settings(database_url))


def test_a_store_with_events_and_the_marker_opens(database_url):
    container = bootstrap(settings(database_url))
    item = patent_item(1)
    with acting_as(IP_OFFICE):
        container.registry.put_ip_right(item.kind, item.number, patent_fields([party(1)]))
    container.close()

    reopened = bootstrap(settings(database_url))
    try:
        assert reopened.store.max_position() == 1
    finally:
        reopened.close()


def marker(database_url: str) -> int | None:
    database = Database(DatabaseConfig.parse(database_url), pool_size=1)
    try:
        return stored_contract(database)
    finally:
        database.dispose()


def alembic(database_url: str, action: str, revision: str) -> None:
    config = DatabaseConfig.parse(database_url)
    database = Database(config, pool_size=1)
    try:
        alembic_config = Config()
        scripts = Path(migrations.__file__).resolve().parent
        alembic_config.set_main_option("script_location", str(scripts))
        with database.engine.connect() as conn:
            alembic_config.attributes["connection"] = conn
            getattr(command, action)(alembic_config, revision)
            conn.commit()
    finally:
        database.dispose()


def test_the_marker_migration_leaves_a_store_holding_events_unmarked(database_url):
    container = bootstrap(settings(database_url))
    item = patent_item(1)
    with acting_as(IP_OFFICE):
        container.registry.put_ip_right(item.kind, item.number, patent_fields([party(1)]))
    container.close()
    alembic(database_url, "downgrade", "0007")  # the store as it was before the marker

    alembic(database_url, "upgrade", "head")

    assert marker(database_url) is None
    with pytest.raises(EventContractRefused):
        bootstrap(settings(database_url))


def test_the_marker_migration_marks_an_empty_store(database_url):
    alembic(database_url, "downgrade", "0007")

    alembic(database_url, "upgrade", "head")

    assert marker(database_url) == 1
