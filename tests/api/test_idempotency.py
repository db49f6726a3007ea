"""Idempotency-Key on every POST (contract §1): replay, reuse, in flight, per principal, 24 h."""

from __future__ import annotations

import hashlib
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
from tests.api.support import assert_problem, patent_filing, register_patent, registered_pledge
from tests.conftest import START, auth


def idempotent(key: str, idempotency_key: str) -> dict[str, str]:
    return {**auth(key), "Idempotency-Key": idempotency_key}


@pytest.fixture
def wall() -> ManualClock:
    """The wall clock that times idempotency keys (transport time, not the business clock)."""
    return ManualClock(START + timedelta(days=400))


@pytest.fixture
async def client(container, wall) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(container, run_worker=False, wall_clock=wall)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ipledge.test") as c:
        yield c


async def test_same_key_and_body_replays_the_original_response(client, keys, container):
    number = await register_patent(client, keys, 1)
    headers = idempotent(keys.bank_a, "filing-0001")
    first = await client.post("/v1/pledges", json=patent_filing(number), headers=headers)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    position = container.store.max_position()

    again = await client.post("/v1/pledges", json=patent_filing(number), headers=headers)

    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    for header in ("X-Log-Position", "ETag", "Location"):
        assert again.headers[header] == first.headers[header]
    assert container.store.max_position() == position


async def test_replay_of_an_action_writes_no_new_events(client, keys, container):
    pledge = await registered_pledge(client, keys, 1)
    headers = idempotent(keys.bank_a, "default-0001")
    body = {"declared_on": "2026-01-05", "outstanding_amount": "4000000.00"}
    url = f"/v1/pledges/{pledge['id']}/default"
    first = await client.post(url, json=body, headers=headers)
    assert first.status_code == 200, first.text
    position = container.store.max_position()

    again = await client.post(url, json=body, headers=headers)

    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert container.store.max_position() == position


async def test_a_refused_request_is_not_replayed_and_the_key_serves_the_corrected_one(
    client, keys, container
):
    number = await register_patent(client, keys, 1)
    headers = idempotent(keys.bank_a, "too-large")
    body = patent_filing(number, secured_amount="20000000.00")
    first = await client.post("/v1/pledges", json=body, headers=headers)
    assert_problem(first, 422, "appraisal_required")

    again = await client.post("/v1/pledges", json=body, headers=headers)
    corrected = await client.post("/v1/pledges", json=patent_filing(number), headers=headers)

    assert_problem(again, 422, "appraisal_required")
    assert "Idempotent-Replayed" not in again.headers
    assert corrected.status_code == 201, corrected.text
    assert "Idempotent-Replayed" not in corrected.headers


async def test_same_key_with_different_body_is_reused(client, keys, container):
    first_number = await register_patent(client, keys, 1)
    second_number = await register_patent(client, keys, 2)
    headers = idempotent(keys.bank_a, "filing-0001")
    first = await client.post("/v1/pledges", json=patent_filing(first_number), headers=headers)
    assert first.status_code == 201, first.text
    position = container.store.max_position()

    response = await client.post("/v1/pledges", json=patent_filing(second_number), headers=headers)

    assert_problem(response, 422, "idempotency_key_reused")
    assert container.store.max_position() == position


async def test_same_key_on_another_resource_is_reused(client, keys):
    pledge = await registered_pledge(client, keys, 1)
    other = await registered_pledge(client, keys, 2)
    headers = idempotent(keys.bank_a, "default-0001")
    body = {"declared_on": "2026-01-05", "outstanding_amount": "4000000.00"}
    first = await client.post(f"/v1/pledges/{pledge['id']}/default", json=body, headers=headers)
    assert first.status_code == 200, first.text

    response = await client.post(f"/v1/pledges/{other['id']}/default", json=body, headers=headers)

    assert_problem(response, 422, "idempotency_key_reused")


async def test_quoted_key_is_the_same_key_as_bare(client, keys, container):
    number = await register_patent(client, keys, 1)
    first = await client.post(
        "/v1/pledges",
        json=patent_filing(number),
        headers=idempotent(keys.bank_a, '"filing-0001"'),
    )
    assert first.status_code == 201, first.text
    position = container.store.max_position()

    again = await client.post(
        "/v1/pledges", json=patent_filing(number), headers=idempotent(keys.bank_a, "filing-0001")
    )

    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert container.store.max_position() == position


async def test_quoted_key_with_escapes_is_accepted(client, keys):
    number = await register_patent(client, keys, 1)
    headers = idempotent(keys.bank_a, r'"filing \"0001\""')
    first = await client.post("/v1/pledges", json=patent_filing(number), headers=headers)
    assert first.status_code == 201, first.text

    again = await client.post("/v1/pledges", json=patent_filing(number), headers=headers)

    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]


async def test_key_longer_than_255_characters_is_refused(client, keys, container):
    number = await register_patent(client, keys, 1)
    before = container.store.max_position()

    response = await client.post(
        "/v1/pledges", json=patent_filing(number), headers=idempotent(keys.bank_a, "k" * 256)
    )

    assert_problem(response, 400, "invalid_idempotency_key")
    assert container.store.max_position() == before


async def test_empty_quoted_key_is_refused(client, keys):
    number = await register_patent(client, keys, 1)

    response = await client.post(
        "/v1/pledges", json=patent_filing(number), headers=idempotent(keys.bank_a, '""')
    )

    assert_problem(response, 400, "invalid_idempotency_key")


async def test_key_is_scoped_to_the_principal(client, keys):
    number_a = await register_patent(client, keys, 1)
    number_b = await register_patent(client, keys, 2)
    first = await client.post(
        "/v1/pledges",
        json=patent_filing(number_a),
        headers=idempotent(keys.bank_a, "filing-0001"),
    )
    assert first.status_code == 201, first.text

    other = await client.post(
        "/v1/pledges",
        json=patent_filing(number_b),
        headers=idempotent(keys.bank_b, "filing-0001"),
    )

    assert other.status_code == 201, other.text
    assert "Idempotent-Replayed" not in other.headers
    assert other.json()["pledgee"] == "BANK-B"
    assert other.json()["id"] != first.json()["id"]


def request_hash(path: str, body: bytes) -> str:
    """The fingerprint the middleware keeps for a request: path, query string and body."""
    return hashlib.sha256(b"%s\n\n%s\n" % (path.encode(), body)).hexdigest()


async def test_key_in_flight_is_a_conflict(client, keys, container, wall):
    number = await register_patent(client, keys, 1)
    body = json.dumps(patent_filing(number)).encode()
    bank = container.principals.authenticate(keys.bank_a)
    # The first request with this key has been claimed and is still running.
    IdempotencyStore(container.db).claim(
        bank.id, "filing-0001", request_hash("/v1/pledges", body), wall.now()
    )
    before = container.store.max_position()

    response = await client.post(
        "/v1/pledges",
        content=body,
        headers={
            **idempotent(keys.bank_a, "filing-0001"),
            "Content-Type": "application/json",
        },
    )

    assert_problem(response, 409, "idempotency_key_in_flight")
    assert response.headers["Retry-After"]
    assert container.store.max_position() == before


async def test_key_is_reusable_after_24_hours(client, keys, container, wall):
    first_number = await register_patent(client, keys, 1)
    second_number = await register_patent(client, keys, 2)
    headers = idempotent(keys.bank_a, "filing-0001")
    first = await client.post("/v1/pledges", json=patent_filing(first_number), headers=headers)
    assert first.status_code == 201, first.text

    wall.advance(timedelta(hours=25))
    response = await client.post("/v1/pledges", json=patent_filing(second_number), headers=headers)

    assert response.status_code == 201, response.text
    assert "Idempotent-Replayed" not in response.headers
    assert response.json()["id"] != first.json()["id"]


async def test_key_is_still_honoured_within_24_hours(client, keys, container, wall):
    number = await register_patent(client, keys, 1)
    headers = idempotent(keys.bank_a, "filing-0001")
    first = await client.post("/v1/pledges", json=patent_filing(number), headers=headers)
    assert first.status_code == 201, first.text

    wall.advance(timedelta(hours=23))
    again = await client.post("/v1/pledges", json=patent_filing(number), headers=headers)

    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]


async def test_unauthenticated_request_does_not_claim_the_key(client, keys):
    number = await register_patent(client, keys, 1)
    unauthenticated = await client.post(
        "/v1/pledges",
        json=patent_filing(number),
        headers={"Idempotency-Key": "filing-0001", "Authorization": "Bearer ipk_unknown"},
    )
    assert_problem(unauthenticated, 401, "unauthenticated")

    response = await client.post(
        "/v1/pledges", json=patent_filing(number), headers=idempotent(keys.bank_a, "filing-0001")
    )

    assert response.status_code == 201, response.text
    assert "Idempotent-Replayed" not in response.headers


async def test_replayed_principal_creation_never_shows_the_api_key_again(client, keys, container):
    headers = idempotent(keys.admin, "principal-0001")
    body = {"name": "Bank C", "role": "bank", "institution_id": "BANK-C"}
    first = await client.post("/v1/admin/principals", json=body, headers=headers)
    assert first.status_code == 201, first.text
    api_key = first.json()["api_key"]

    again = await client.post("/v1/admin/principals", json=body, headers=headers)

    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["api_key"] is None
    assert api_key not in again.text
    with container.db.read() as conn:
        stored = [str(row) for row in conn.execute(select(idempotency_keys))]
    assert stored and not any(api_key in row for row in stored)
