"""A database outage is 503 store_unavailable with Retry-After, never a 500: whether it hits the
auth gate (a middleware) or a command (the event store), and on either store's driver."""

from __future__ import annotations

import sqlite3

import httpx
import psycopg
import pytest
import sqlalchemy.exc
from eventsourcing import persistence

from api.main import create_app
from tests.api.support import assert_problem, patent_filing, register_patent
from tests.conftest import auth


@pytest.fixture
async def served(container):
    """A client that gets the answer the server sends even when the app re-raises after it
    (Starlette's outermost handler sends the problem, then re-raises for the server's log)."""
    app = create_app(container, run_worker=False)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://ipledge.test") as c:
        yield c


OUTAGES = [
    sqlalchemy.exc.OperationalError("SELECT 1", {}, psycopg.OperationalError("too many clients")),
    sqlalchemy.exc.OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked")),
    persistence.OperationalError("connection refused"),
]


@pytest.mark.parametrize("outage", OUTAGES, ids=["postgres", "sqlite", "event-store"])
async def test_an_outage_while_authenticating_is_503_store_unavailable(
    served, keys, container, monkeypatch, outage
):
    def unreachable(_key: str) -> None:
        raise outage

    monkeypatch.setattr(container.principals, "authenticate", unreachable)
    response = await served.get("/v1/pledges", headers=auth(keys.bank_a))
    assert_problem(response, 503, "store_unavailable")
    assert response.headers["retry-after"] == "5"


async def test_an_outage_while_saving_is_503_and_records_nothing(
    client, served, keys, container, monkeypatch
):
    number = await register_patent(client, keys, 1)
    before = container.store.max_position()

    def refuse(*_aggregates: object, **_: object) -> None:
        raise persistence.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(container.store, "save", refuse)
    response = await served.post(
        "/v1/pledges", json=patent_filing(number), headers=auth(keys.bank_a)
    )
    assert_problem(response, 503, "store_unavailable")
    assert container.store.max_position() == before


async def test_a_bug_in_sql_is_still_a_500(served, keys, container, monkeypatch):
    def broken(_key: str) -> None:
        raise sqlalchemy.exc.ProgrammingError("SELEC 1", {}, Exception("syntax error"))

    monkeypatch.setattr(container.principals, "authenticate", broken)
    response = await served.get("/v1/pledges", headers=auth(keys.bank_a))
    assert_problem(response, 500, "internal_error")
