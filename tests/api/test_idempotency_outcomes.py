"""Which outcomes an Idempotency-Key keeps: a completed request (2xx) is recorded before its
response leaves and replayed; anything else releases the key for a fresh try."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from api.idempotency_store import IdempotencyStore
from api.main import create_app
from events.clock import ManualClock
from events.tables import idempotency_keys
from kernel.errors import ConcurrencyConflict
from tests.api.asgi import exchange, json_headers
from tests.api.support import assert_problem, patent_filing, register_patent, registered_pledge
from tests.api.test_idempotency import request_hash
from tests.conftest import START, auth


@pytest.fixture
def wall() -> ManualClock:
    return ManualClock(START + timedelta(days=400))


@pytest.fixture
def app(container, wall):
    return create_app(container, run_worker=False, wall_clock=wall)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    # A 500 is answered as a problem, not raised into the test.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://ipledge.test") as c:
        yield c


def idempotent(key: str, idempotency_key: str) -> dict[str, str]:
    return {**auth(key), "Idempotency-Key": idempotency_key}


def stored_keys(container) -> list[str]:
    with container.db.read() as conn:
        return [row.key for row in conn.execute(select(idempotency_keys))]


class FailingOnce:
    """The registry, except that the next filing fails with ``error``."""

    def __init__(self, registry, error: Exception) -> None:
        self.registry, self.error = registry, error

    def __getattr__(self, name: str):
        return getattr(self.registry, name)

    def file_pledge(self, *args, **kwargs):
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        return self.registry.file_pledge(*args, **kwargs)


async def test_a_retry_sent_the_moment_the_response_arrives_is_a_replay(app, client, keys):
    number = await register_patent(client, keys, 1)
    body = json.dumps(patent_filing(number)).encode()
    headers = json_headers(keys.bank_a, body, ("idempotency-key", "filing-0001"))
    retries = []

    async def retry_on_arrival(message) -> None:
        if message["type"] == "http.response.body" and not retries:
            retries.append(await exchange(app, "POST", "/v1/pledges", headers, [body]))

    first = await exchange(app, "POST", "/v1/pledges", headers, [body], on_send=retry_on_arrival)

    assert first.status == 201, first.body
    assert retries[0].status == 201, retries[0].body
    assert retries[0].headers["idempotent-replayed"] == "true"
    assert retries[0].json()["id"] == first.json()["id"]


async def test_a_concurrency_conflict_releases_the_key_so_a_retry_runs_afresh(
    client, keys, container
):
    number = await register_patent(client, keys, 1)
    conflict = ConcurrencyConflict("filing kept conflicting with concurrent writes; try again")
    container.registry = FailingOnce(container.registry, conflict)
    headers = idempotent(keys.bank_a, "filing-0001")

    conflicted = await client.post("/v1/pledges", json=patent_filing(number), headers=headers)
    assert_problem(conflicted, 409, "concurrency_conflict")
    assert stored_keys(container) == []
    retried = await client.post("/v1/pledges", json=patent_filing(number), headers=headers)

    assert retried.status_code == 201, retried.text
    assert "Idempotent-Replayed" not in retried.headers
    assert stored_keys(container) == ["filing-0001"]


async def test_a_server_error_releases_the_key_so_a_retry_runs_afresh(client, keys, container):
    number = await register_patent(client, keys, 1)
    container.registry = FailingOnce(container.registry, RuntimeError("the disk is full"))
    headers = idempotent(keys.bank_a, "filing-0001")

    failed = await client.post("/v1/pledges", json=patent_filing(number), headers=headers)
    assert_problem(failed, 500, "internal_error")
    retried = await client.post("/v1/pledges", json=patent_filing(number), headers=headers)

    assert retried.status_code == 201, retried.text
    assert "Idempotent-Replayed" not in retried.headers


async def test_a_validation_error_releases_the_key(client, keys, container):
    number = await register_patent(client, keys, 1)
    headers = idempotent(keys.bank_a, "filing-0001")
    invalid = patent_filing(number, secured_amount="-1.00")

    refused = await client.post("/v1/pledges", json=invalid, headers=headers)
    assert_problem(refused, 422, "validation_error")
    assert stored_keys(container) == []
    corrected = await client.post("/v1/pledges", json=patent_filing(number), headers=headers)

    assert corrected.status_code == 201, corrected.text
    assert "Idempotent-Replayed" not in corrected.headers


async def test_an_invalid_state_conflict_releases_the_key(client, keys, container):
    pledge = await registered_pledge(client, keys, 1)
    url = f"/v1/pledges/{pledge['id']}/default"
    body = {"declared_on": "2026-01-05", "outstanding_amount": "4000000.00"}
    declared = await client.post(url, json=body, headers=idempotent(keys.bank_a, "default-1"))
    assert declared.status_code == 200, declared.text
    position = container.store.max_position()

    twice = await client.post(url, json=body, headers=idempotent(keys.bank_a, "default-2"))
    assert_problem(twice, 409, "invalid_state")
    again = await client.post(url, json=body, headers=idempotent(keys.bank_a, "default-2"))

    assert_problem(again, 409, "invalid_state")
    assert "Idempotent-Replayed" not in again.headers
    assert stored_keys(container) == ["default-1"]
    assert container.store.max_position() == position


async def test_a_stale_in_flight_claim_is_taken_over_after_5_minutes(client, keys, container, wall):
    number = await register_patent(client, keys, 1)
    body = json.dumps(patent_filing(number)).encode()
    bank = container.principals.authenticate(keys.bank_a)
    # A process claimed the key for this very request, then died.
    IdempotencyStore(container.db).claim(
        bank.id, "filing-0001", request_hash("/v1/pledges", body), wall.now()
    )
    headers = {**idempotent(keys.bank_a, "filing-0001"), "Content-Type": "application/json"}
    in_flight = await client.post("/v1/pledges", content=body, headers=headers)
    assert_problem(in_flight, 409, "idempotency_key_in_flight")

    wall.advance(timedelta(minutes=5))
    response = await client.post("/v1/pledges", content=body, headers=headers)

    assert response.status_code == 201, response.text
    assert "Idempotent-Replayed" not in response.headers


async def test_moving_the_business_clock_does_not_expire_a_key(client, keys, clock):
    number = await register_patent(client, keys, 1)
    headers = idempotent(keys.bank_a, "filing-0001")
    first = await client.post("/v1/pledges", json=patent_filing(number), headers=headers)
    assert first.status_code == 201, first.text

    clock.advance(timedelta(days=30))  # a manual business clock; the wall clock stands still
    again = await client.post("/v1/pledges", json=patent_filing(number), headers=headers)

    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]


async def test_a_client_gone_mid_body_claims_no_key_and_writes_nothing(
    app, client, keys, container
):
    number = await register_patent(client, keys, 1)
    body = json.dumps(patent_filing(number)).encode()
    headers = json_headers(keys.bank_a, body, ("idempotency-key", "filing-0001"))
    position = container.store.max_position()

    gone = await exchange(app, "POST", "/v1/pledges", headers, [body[:40]], disconnect=True)

    assert gone.status is None  # nobody to answer
    assert stored_keys(container) == []
    assert container.store.max_position() == position
