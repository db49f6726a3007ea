"""The webhook endpoints API over HTTP (contract §10): registration, the secret shown once, who may
see which endpoint, the SSRF guard, deletion, the delivery log, replay, rotation, re-enabling.

Targets are public IP literals (no DNS lookup); a fake transport stands in for the network.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook

from events.webhooks.addresses import AddressPolicy
from events.webhooks.transport import Reply
from events.webhooks.url_guard import TargetGuard
from tests.api.support import assert_problem, registered_pledge
from tests.conftest import auth
from tests.webhook_support import FakeTransport, manual_wall

URL = "https://93.184.216.34/hooks"
ENDPOINTS = "/v1/webhook-endpoints"


@pytest.fixture
def fake(container) -> FakeTransport:
    fake = FakeTransport()
    container.dispatcher.transport = fake
    return fake


async def create(client, key, url=URL, event_types=("pledge.registered",), **extra):
    return await client.post(
        ENDPOINTS,
        headers=auth(key),
        json={"url": url, "event_types": list(event_types), **extra},
    )


async def created(client, key, **kwargs) -> dict:
    response = await create(client, key, **kwargs)
    assert response.status_code == 201, response.text
    return response.json()


# ---- registration ------------------------------------------------------------------------


async def test_registering_an_endpoint_answers_201_with_a_whsec_secret(client, keys):
    response = await create(client, keys.bank_a, description="core banking")

    assert response.status_code == 201
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert (body["url"], body["event_types"], body["description"], body["status"]) == (
        URL,
        ["pledge.registered"],
        "core banking",
        "enabled",
    )
    assert response.headers["Location"] == f"{ENDPOINTS}/{body['id']}"


async def test_the_secret_is_not_shown_when_the_endpoint_is_read(client, keys):
    endpoint = await created(client, keys.bank_a)

    got = await client.get(f"{ENDPOINTS}/{endpoint['id']}", headers=auth(keys.bank_a))
    listed = await client.get(ENDPOINTS, headers=auth(keys.bank_a))

    assert got.status_code == 200 and "secret" not in got.json()
    assert [e["id"] for e in listed.json()["items"]] == [endpoint["id"]]
    assert all("secret" not in e for e in listed.json()["items"])


async def test_an_unknown_event_type_is_a_validation_error(client, keys):
    response = await create(client, keys.bank_a, event_types=["pledge.registered", "pledge.eaten"])

    body = assert_problem(response, 422, "validation_error")
    assert body["errors"][0]["field"] == "event_types"


async def test_an_empty_subscription_is_a_validation_error(client, keys):
    response = await create(client, keys.bank_a, event_types=[])

    assert_problem(response, 422, "validation_error")


async def test_the_wildcard_subscribes_to_every_event_type(client, keys):
    response = await create(client, keys.bank_a, event_types=["*"])

    assert response.status_code == 201 and response.json()["event_types"] == ["*"]


async def test_an_admin_may_not_register_an_endpoint(client, keys):
    assert_problem(await create(client, keys.admin), 403, "forbidden")


async def test_registering_needs_an_api_key(client):
    response = await client.post(ENDPOINTS, json={"url": URL, "event_types": ["*"]})

    assert_problem(response, 401, "unauthenticated")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hooks",
        "http://10.0.0.7/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:8080/hooks",
        "http://[fd00::7]/hooks",
    ],
)
async def test_a_private_target_is_refused_as_unsafe(client, keys, url):
    body = assert_problem(await create(client, keys.bank_a, url=url), 422, "unsafe_webhook_url")

    assert body["errors"][0]["field"] == "url"


async def test_credentials_in_the_url_are_refused_as_unsafe(client, keys):
    response = await create(client, keys.bank_a, url="https://user:pw@93.184.216.34/hooks")

    assert_problem(response, 422, "unsafe_webhook_url")


async def test_a_non_http_url_is_refused(client, keys):
    response = await create(client, keys.bank_a, url="ftp://93.184.216.34/hooks")

    assert response.status_code == 422


async def test_a_private_target_is_accepted_when_private_targets_are_allowed(
    client, keys, container
):
    container.webhooks.guard = TargetGuard(AddressPolicy(allow_private=True))

    response = await create(client, keys.bank_a, url="http://127.0.0.1:8080/hooks")

    assert response.status_code == 201


async def test_a_refused_registration_writes_nothing(client, keys):
    await create(client, keys.bank_a, url="http://127.0.0.1:8080/hooks")

    listed = await client.get(ENDPOINTS, headers=auth(keys.bank_a))

    assert listed.json()["items"] == []


# ---- whose endpoint ----------------------------------------------------------------------


async def test_a_principal_lists_only_its_own_endpoints(client, keys):
    await created(client, keys.bank_a)
    mine = await created(client, keys.bank_b)

    listed = await client.get(ENDPOINTS, headers=auth(keys.bank_b))

    assert [e["id"] for e in listed.json()["items"]] == [mine["id"]]


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("DELETE", "", None),
        ("GET", "/deliveries", None),
        ("POST", "/rotate-secret", {}),
        ("POST", "/replay", {"from_position": 1}),
        ("POST", "/enable", {}),
    ],
)
async def test_another_principals_endpoint_is_not_found(client, keys, method, suffix, body):
    endpoint = await created(client, keys.bank_a)

    response = await client.request(
        method, f"{ENDPOINTS}/{endpoint['id']}{suffix}", headers=auth(keys.bank_b), json=body
    )

    assert_problem(response, 404, "not_found")


# ---- deletion ----------------------------------------------------------------------------


async def test_deleting_an_endpoint_answers_204(client, keys):
    endpoint = await created(client, keys.bank_a)

    response = await client.delete(f"{ENDPOINTS}/{endpoint['id']}", headers=auth(keys.bank_a))

    assert response.status_code == 204 and response.content == b""


async def test_a_deleted_endpoint_is_not_found_any_more(client, keys):
    endpoint = await created(client, keys.bank_a)
    await client.delete(f"{ENDPOINTS}/{endpoint['id']}", headers=auth(keys.bank_a))

    got = await client.get(f"{ENDPOINTS}/{endpoint['id']}", headers=auth(keys.bank_a))
    again = await client.delete(f"{ENDPOINTS}/{endpoint['id']}", headers=auth(keys.bank_a))
    listed = await client.get(ENDPOINTS, headers=auth(keys.bank_a))

    assert_problem(got, 404, "not_found")
    assert_problem(again, 404, "not_found")
    assert listed.json()["items"] == []


# ---- deliveries --------------------------------------------------------------------------


async def deliveries(client, key, endpoint_id, **params) -> dict:
    response = await client.get(
        f"{ENDPOINTS}/{endpoint_id}/deliveries", headers=auth(key), params=params
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_deliveries_are_listed_newest_first_page_by_page(client, keys, container, fake):
    endpoint = await created(client, keys.bank_a)
    for serial in (1, 2, 3):
        await registered_pledge(client, keys, serial)
    container.dispatcher.drain()

    first = await deliveries(client, keys.bank_a, endpoint["id"], limit=2)
    second = await deliveries(client, keys.bank_a, endpoint["id"], cursor=first["next_cursor"])

    positions = [d["position"] for d in first["items"] + second["items"]]
    assert len(first["items"]) == 2 and second["next_cursor"] is None
    assert positions == sorted(positions, reverse=True) and len(set(positions)) == 3


async def test_a_delivery_lists_every_attempt_with_its_outcome(client, keys, container, fake):
    wall = manual_wall(container)
    endpoint = await created(client, keys.bank_a)
    fake.answer(URL, Reply(503, retry_after="30"), Reply(302))
    await registered_pledge(client, keys, 1)
    container.dispatcher.drain()
    wall.advance(timedelta(seconds=30))
    container.dispatcher.drain()
    wall.advance(timedelta(seconds=300))
    container.dispatcher.drain()

    [delivery] = (await deliveries(client, keys.bank_a, endpoint["id"]))["items"]

    history = delivery["attempt_history"]
    assert [(a["attempt"], a["status_code"]) for a in history] == [(1, 503), (2, 302), (3, 200)]
    assert (delivery["status"], delivery["attempts"], delivery["event_type"]) == (
        "delivered",
        3,
        "pledge.registered",
    )
    assert all(isinstance(a["webhook_timestamp"], int) for a in history)


async def test_an_unknown_deliveries_cursor_is_a_validation_error(client, keys):
    endpoint = await created(client, keys.bank_a)

    response = await client.get(
        f"{ENDPOINTS}/{endpoint['id']}/deliveries",
        headers=auth(keys.bank_a),
        params={"cursor": "not-ours"},
    )

    assert_problem(response, 422, "validation_error")


async def test_delivery_instants_are_utc_whatever_the_servers_time_zone(
    client, keys, container, fake, monkeypatch
):
    wall = manual_wall(container)
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        endpoint = await created(client, keys.bank_a)
        fake.answer(URL, Reply(500))
        await registered_pledge(client, keys, 1)
        container.dispatcher.drain()

        [delivery] = (await deliveries(client, keys.bank_a, endpoint["id"]))["items"]
    finally:
        monkeypatch.undo()
        time.tzset()

    due = datetime.fromisoformat(delivery["next_attempt_at"].replace("Z", "+00:00"))
    assert due == wall.now() + timedelta(seconds=5)


# ---- replay, rotation, re-enabling -------------------------------------------------------


async def test_replay_answers_how_many_deliveries_it_queued(client, keys, container, fake):
    endpoint = await created(client, keys.bank_a)
    for serial in (1, 2, 3):
        await registered_pledge(client, keys, serial)
    container.dispatcher.drain()
    [_, second, _] = [s.position for s in fake.to(URL)]

    response = await client.post(
        f"{ENDPOINTS}/{endpoint['id']}/replay",
        headers=auth(keys.bank_a),
        json={"from_position": second},
    )

    assert response.status_code == 200
    assert response.json() == {
        "endpoint_id": endpoint["id"],
        "from_position": second,
        "queued": 2,
    }


async def test_a_replay_from_position_zero_is_a_validation_error(client, keys):
    endpoint = await created(client, keys.bank_a)

    response = await client.post(
        f"{ENDPOINTS}/{endpoint['id']}/replay", headers=auth(keys.bank_a), json={"from_position": 0}
    )

    assert_problem(response, 422, "validation_error")


async def test_rotating_shows_a_new_secret_and_the_end_of_the_overlap(client, keys):
    endpoint = await created(client, keys.bank_a)
    before = datetime.now(UTC)

    response = await client.post(
        f"{ENDPOINTS}/{endpoint['id']}/rotate-secret", headers=auth(keys.bank_a)
    )

    body = response.json()
    assert response.status_code == 200
    assert body["secret"].startswith("whsec_") and body["secret"] != endpoint["secret"]
    until = datetime.fromisoformat(body["rotating_until"].replace("Z", "+00:00"))
    assert before + timedelta(hours=24) <= until <= datetime.now(UTC) + timedelta(hours=24)


async def test_after_a_rotation_deliveries_verify_with_the_old_and_the_new_secret(
    client, keys, container, fake
):
    endpoint = await created(client, keys.bank_a)
    rotated = await client.post(
        f"{ENDPOINTS}/{endpoint['id']}/rotate-secret", headers=auth(keys.bank_a)
    )
    await registered_pledge(client, keys, 1)

    container.dispatcher.drain()

    [sent] = fake.to(URL)
    Webhook(endpoint["secret"]).verify(sent.body, sent.headers)
    Webhook(rotated.json()["secret"]).verify(sent.body, sent.headers)


async def test_enabling_an_endpoint_disabled_by_410_sends_what_was_queued(
    client, keys, container, fake
):
    endpoint = await created(client, keys.bank_a)
    fake.answer(URL, Reply(410))
    await registered_pledge(client, keys, 1)
    container.dispatcher.drain()
    disabled = await client.get(f"{ENDPOINTS}/{endpoint['id']}", headers=auth(keys.bank_a))

    enabled = await client.post(f"{ENDPOINTS}/{endpoint['id']}/enable", headers=auth(keys.bank_a))
    container.dispatcher.drain()

    assert disabled.json()["status"] == "disabled"
    assert enabled.json()["status"] == "enabled" and enabled.json()["disabled_reason"] is None
    first, again = fake.to(URL)
    assert first.id == again.id
