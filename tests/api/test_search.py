"""The public encumbrance search (contract §9): no key needed, a certificate anyone can check with
the audit public key alone, the log size it reflects, and a per-address rate limit.

The test app runs no background worker: the search's read model moves only when a request
passes ?min_position (or another read catches it up), which lets a test hold it behind.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

import api.rate_limit_buckets
from api.bootstrap import Container
from api.main import create_app
from api.rate_limit_buckets import TokenBuckets
from tests.api.support import (
    assert_problem,
    patent_filing,
    register_patent,
    registered_pledge,
)
from tests.conftest import auth

PATENT = "invention_patent"


async def search(client: httpx.AsyncClient, number: str, **params: Any) -> dict[str, Any]:
    response = await client.get("/v1/search", params={"kind": PATENT, "number": number, **params})
    assert response.status_code == 200, response.text
    return response.json()


async def public_key(client: httpx.AsyncClient) -> Ed25519PublicKey:
    body = (await client.get("/v1/audit/public-key")).json()
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(body["public_key"]))


def verifies(key: Ed25519PublicKey, answer: dict[str, Any]) -> bool:
    """The §9 check, written from the spec: the JCS of the answer without the signature."""
    unsigned = copy.deepcopy(answer)
    signature = base64.b64decode(unsigned["certificate"].pop("signature"))
    try:
        key.verify(signature, b"ipledge-search/v1\n" + rfc8785.dumps(unsigned))
    except InvalidSignature:
        return False
    return True


async def release(client: httpx.AsyncClient, key: str, pledge_id: str) -> int:
    response = await client.post(
        f"/v1/pledges/{pledge_id}/release",
        json={"released_on": "2026-01-05", "reason": "repaid"},
        headers=auth(key),
    )
    assert response.status_code == 200, response.text
    return int(response.headers["X-Log-Position"])


# ---- answers ---------------------------------------------------------------------------


async def test_search_needs_no_key_and_shows_the_live_pledge(client, keys, container):
    pledge = await registered_pledge(client, keys, 1)
    number = pledge["items"][0]["number"]

    answer = await search(client, number, min_position=container.store.max_position())

    assert answer["kind"] == PATENT and answer["number"] == number
    assert answer["encumbered"] is True
    assert answer["pledges"] == [
        {
            "registration_number": pledge["registration_number"],
            "registered_on": "2026-01-05",
            "pledgee": "BANK-A",
            "status": "registered",
        }
    ]
    assert {"issued_at", "log_size", "signature"} <= set(answer["certificate"])


async def test_unpledged_right_is_not_encumbered(client, keys):
    number = await register_patent(client, keys, 1)

    answer = await search(client, number)

    assert answer["encumbered"] is False
    assert answer["pledges"] == []


async def test_released_pledge_is_listed_but_no_longer_encumbers(client, keys, container):
    pledge = await registered_pledge(client, keys, 1)
    position = await release(client, keys.bank_a, pledge["id"])

    answer = await search(client, pledge["items"][0]["number"], min_position=position)

    assert answer["encumbered"] is False
    assert [(p["registration_number"], p["status"]) for p in answer["pledges"]] == [
        (pledge["registration_number"], "released")
    ]


async def test_pledges_over_time_are_listed_oldest_first(client, keys):
    first = await registered_pledge(client, keys, 1)
    number = first["items"][0]["number"]
    await release(client, keys.bank_a, first["id"])
    second = await client.post(
        "/v1/pledges",
        json=patent_filing(number),
        headers=auth(keys.bank_b),
    )
    assert second.json()["status"] == "registered", second.text

    answer = await search(client, number, min_position=second.headers["X-Log-Position"])

    assert answer["encumbered"] is True
    assert [(p["pledgee"], p["status"]) for p in answer["pledges"]] == [
        ("BANK-A", "released"),
        ("BANK-B", "registered"),
    ]


async def test_number_is_canonicalised_before_searching(client, keys, container):
    pledge = await registered_pledge(client, keys, 1)
    number = pledge["items"][0]["number"]

    answer = await search(
        client, f"  zl{number.lower()} ", min_position=container.store.max_position()
    )

    assert answer["number"] == number
    assert answer["encumbered"] is True


async def test_malformed_number_is_a_validation_error(client):
    response = await client.get("/v1/search", params={"kind": PATENT, "number": "12-34"})

    assert_problem(response, 422, "validation_error")


# ---- the certificate -------------------------------------------------------------------


async def test_certificate_verifies_with_only_the_published_public_key(client, keys, container):
    pledge = await registered_pledge(client, keys, 1)
    answer = await search(
        client, pledge["items"][0]["number"], min_position=container.store.max_position()
    )

    key = await public_key(client)

    assert verifies(key, answer)
    assert answer["certificate"]["issued_at"] == "2026-01-05T01:00:00Z"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("encumbered",), False),
        (("number",), "201510000002.X"),
        (("kind",), "utility_model"),
        (("pledges", 0, "status"), "released"),
        (("pledges", 0, "pledgee"), "BANK-B"),
        (("pledges", 0, "registration_number"), "Y20260000000001"),
        (("pledges", 0, "registered_on"), "2026-01-04"),
        (("certificate", "log_size"), 1),
        (("certificate", "issued_at"), "2027-01-05T01:00:00Z"),
    ],
)
async def test_changing_any_field_breaks_the_signature(client, keys, container, path, value):
    pledge = await registered_pledge(client, keys, 1)
    answer = await search(
        client, pledge["items"][0]["number"], min_position=container.store.max_position()
    )
    key = await public_key(client)
    forged = copy.deepcopy(answer)
    target = forged
    for step in path[:-1]:
        target = target[step]
    assert target[path[-1]] != value

    target[path[-1]] = value

    assert verifies(key, answer)
    assert not verifies(key, forged)


async def test_dropping_a_pledge_breaks_the_signature(client, keys, container):
    pledge = await registered_pledge(client, keys, 1)
    answer = await search(
        client, pledge["items"][0]["number"], min_position=container.store.max_position()
    )

    forged = {**answer, "pledges": [], "encumbered": False}

    assert not verifies(await public_key(client), forged)


async def test_log_size_is_the_read_models_position_and_lags_with_it(client, keys, container):
    pledge = await registered_pledge(client, keys, 1)
    number = pledge["items"][0]["number"]
    registered_at = container.store.max_position()
    registered = await search(client, number, min_position=registered_at)
    released_at = await release(client, keys.bank_a, pledge["id"])

    behind = await search(client, number)  # nothing has caught the read model up yet
    caught_up = await search(client, number, min_position=released_at)

    assert registered["certificate"]["log_size"] == registered_at
    assert behind["certificate"]["log_size"] == registered_at < released_at
    assert behind["encumbered"] is True  # what was true at that log size, and signed as such
    assert verifies(await public_key(client), behind)
    assert caught_up["certificate"]["log_size"] == released_at
    assert caught_up["encumbered"] is False
    assert container.projections.positions()["pledges"] == released_at


# ---- rate limit ------------------------------------------------------------------------


@pytest.fixture
def frozen_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stops the token buckets' clock (only theirs), so no token trickles back mid-test."""
    monkeypatch.setattr(api.rate_limit_buckets, "time", SimpleNamespace(monotonic=lambda: 1e6))


@pytest.fixture
async def limited_client(
    container: Container, frozen_time: None
) -> AsyncIterator[httpx.AsyncClient]:
    container.search_limits = TokenBuckets(per_minute=60, burst=3)
    app = create_app(container, run_worker=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://ipledge.test") as c:
        yield c


async def test_fourth_rapid_search_from_one_address_is_rate_limited(
    limited_client, container, keys
):
    params = {"kind": PATENT, "number": await register_patent(limited_client, keys, 1)}

    allowed = [await limited_client.get("/v1/search", params=params) for _ in range(3)]
    fourth = await limited_client.get("/v1/search", params=params)

    assert [r.status_code for r in allowed] == [200, 200, 200]
    assert_problem(fourth, 429, "rate_limited")
    assert fourth.headers["Retry-After"] == "1"  # one token a second at 60 a minute


async def test_rate_limit_is_per_client_address(limited_client, container, keys):
    params = {"kind": PATENT, "number": await register_patent(limited_client, keys, 1)}
    for _ in range(3):
        assert (await limited_client.get("/v1/search", params=params)).status_code == 200
    other = httpx.ASGITransport(
        app=create_app(container, run_worker=False), client=("198.51.100.9", 1)
    )

    async with httpx.AsyncClient(transport=other, base_url="http://ipledge.test") as neighbour:
        response = await neighbour.get("/v1/search", params=params)

    assert response.status_code == 200
    assert (await limited_client.get("/v1/search", params=params)).status_code == 429
