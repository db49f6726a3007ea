"""Fixtures: every storage-touching test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from api.bootstrap import Container, bootstrap
from api.main import create_app
from api.settings import Settings
from events.clock import ManualClock
from tests.api.contract_check import ContractCheck
from tests.stores import PostgresStore, SqliteStore

START = datetime.fromisoformat("2026-01-05T09:00:00+08:00")
STORES = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def sqlite_store(tmp_path_factory: pytest.TempPathFactory) -> SqliteStore:
    return SqliteStore(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_store() -> Iterator[PostgresStore]:
    store = PostgresStore()
    yield store
    store.close()


@pytest.fixture(params=STORES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    store = request.getfixturevalue(f"{request.param}_store")
    return store.fresh_url(tmp_path)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def container(database_url: str, clock: ManualClock) -> Iterator[Container]:
    settings = Settings(database_url=database_url, clock="manual", run_worker=False)
    container = bootstrap(settings, clock=clock)
    yield container
    container.close()


@pytest.fixture
def other(database_url: str, container: Container, clock: ManualClock) -> Iterator[Container]:
    """A second process on the same database (its own pools and caches)."""
    settings = Settings(database_url=database_url, clock="manual", run_worker=False)
    other = bootstrap(settings, clock=clock)
    yield other
    other.close()


@dataclass
class Keys:
    admin: str
    ip_office: str
    bank_a: str
    bank_b: str
    regulator: str
    partner: str
    fund: str
    trading_centre: str
    platform: str


@pytest.fixture
def keys(container: Container) -> Keys:
    def key(role: str, institution: str) -> str:
        return container.principals.create(f"{role} {institution}", role, institution, START)[1]

    return Keys(
        admin=key("admin", "ipledge"),
        ip_office=key("ip_office", "CNIPA-HB"),
        bank_a=key("bank", "BANK-A"),
        bank_b=key("bank", "BANK-B"),
        regulator=key("regulator", "HB-FSB"),
        partner=key("partner", "INSURER-1"),
        fund=key("compensation_fund", "HB-RCF"),
        trading_centre=key("trading_centre", "WHOTC"),
        platform=key("disposal_platform", "HB-IPDP"),
    )


@pytest.fixture
async def client(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(container, run_worker=False)
    transport = httpx.ASGITransport(app=app)
    contract = ContractCheck(app.openapi())  # every response as the document says
    hooks = {"response": [contract.on_response]}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://ipledge.test", event_hooks=hooks
    ) as c:
        yield c
    assert not contract.violations, "\n".join(contract.violations)


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
