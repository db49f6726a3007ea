"""Administrators and other principals' webhook endpoints over HTTP (contract §10): revoking a
principal disables its endpoints at once and stops its feed; an admin lists, reads, disables
and deletes any endpoint; nobody else may."""

from __future__ import annotations

import pytest

from tests.api.support import assert_problem, register_patent, registered_pledge
from tests.conftest import auth
from tests.webhook_support import FakeTransport, fake_transport

ADMIN_ENDPOINTS = "/v1/admin/webhook-endpoints"
ENDPOINTS = "/v1/webhook-endpoints"
URL = "https://93.184.216.34/hooks"


@pytest.fixture
def fake(container) -> FakeTransport:
    return fake_transport(container)


async def created(client, key, url=URL, event_types=("pledge.registered",)) -> dict:
    response = await client.post(
        ENDPOINTS, headers=auth(key), json={"url": url, "event_types": list(event_types)}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def principal_id(client, keys, institution: str) -> str:
    listed = await client.get("/v1/admin/principals?limit=500", headers=auth(keys.admin))
    return next(p["id"] for p in listed.json()["items"] if p["institution_id"] == institution)


async def revoke(client, keys, institution: str) -> None:
    found = await principal_id(client, keys, institution)
    response = await client.delete(f"/v1/admin/principals/{found}", headers=auth(keys.admin))
    assert response.status_code == 200, response.text


async def admin_get(client, keys, endpoint_id: str) -> dict:
    response = await client.get(f"{ADMIN_ENDPOINTS}/{endpoint_id}", headers=auth(keys.admin))
    assert response.status_code == 200, response.text
    return response.json()


# ---- revocation --------------------------------------------------------------------------


async def test_revoking_a_principal_disables_its_endpoints_at_once(client, keys, fake):
    endpoint = await created(client, keys.bank_a)

    await revoke(client, keys, "BANK-A")

    got = await admin_get(client, keys, endpoint["id"])
    assert (got["status"], got["principal_revoked"]) == ("disabled", True)
    assert "revoked" in got["disabled_reason"]


async def test_a_revoked_principals_endpoints_stop_receiving(client, keys, container, fake):
    await created(client, keys.bank_a, event_types=["*"])
    await register_patent(client, keys, 1)  # the public register: every bank sees it
    container.dispatcher.drain()
    assert len(fake.to(URL)) == 1

    await revoke(client, keys, "BANK-A")
    await register_patent(client, keys, 2)
    container.dispatcher.drain()

    assert len(fake.to(URL)) == 1


async def test_a_revoked_key_gets_401_from_the_feed(client, keys):
    await revoke(client, keys, "BANK-A")

    response = await client.get("/v1/feed", headers=auth(keys.bank_a))

    assert_problem(response, 401, "unauthenticated")


async def test_revoking_an_unknown_principal_is_not_found(client, keys):
    response = await client.delete("/v1/admin/principals/nobody", headers=auth(keys.admin))

    assert_problem(response, 404, "not_found")


# ---- listing and reading -----------------------------------------------------------------


async def test_an_admin_lists_every_principals_endpoints_oldest_first(client, keys):
    mine = await created(client, keys.bank_a)
    theirs = await created(client, keys.bank_b)

    listed = await client.get(ADMIN_ENDPOINTS, headers=auth(keys.admin))

    body = listed.json()
    assert [e["id"] for e in body["items"]] == [mine["id"], theirs["id"]]
    assert body["next_cursor"] is None
    assert [e["institution_id"] for e in body["items"]] == ["BANK-A", "BANK-B"]
    assert all("secret" not in e for e in body["items"])


async def test_the_admin_list_filters_by_principal_and_status(client, keys):
    await created(client, keys.bank_a)
    kept = await created(client, keys.bank_b)
    gone = await created(client, keys.bank_b)
    await client.delete(f"{ENDPOINTS}/{gone['id']}", headers=auth(keys.bank_b))
    bank_b = await principal_id(client, keys, "BANK-B")

    of_b = await client.get(
        ADMIN_ENDPOINTS, headers=auth(keys.admin), params={"principal_id": bank_b}
    )
    deleted = await client.get(
        ADMIN_ENDPOINTS, headers=auth(keys.admin), params={"status": "deleted"}
    )

    assert [e["id"] for e in of_b.json()["items"]] == [kept["id"]]
    assert [e["id"] for e in deleted.json()["items"]] == [gone["id"]]


async def test_the_admin_list_pages_with_a_cursor(client, keys):
    ids = [(await created(client, key))["id"] for key in (keys.bank_a, keys.bank_b, keys.fund)]

    first = (
        await client.get(ADMIN_ENDPOINTS, headers=auth(keys.admin), params={"limit": 2})
    ).json()
    rest = (
        await client.get(
            ADMIN_ENDPOINTS, headers=auth(keys.admin), params={"cursor": first["next_cursor"]}
        )
    ).json()

    assert [e["id"] for e in first["items"] + rest["items"]] == ids
    assert rest["next_cursor"] is None


@pytest.mark.parametrize(
    "params", [{"cursor": "not-ours"}, {"status": "sleeping"}, {"limit": 0}, {"limit": 501}]
)
async def test_bad_admin_list_parameters_are_validation_errors(client, keys, params):
    response = await client.get(ADMIN_ENDPOINTS, headers=auth(keys.admin), params=params)

    assert_problem(response, 422, "validation_error")


async def test_an_unknown_endpoint_is_not_found_for_an_admin(client, keys):
    response = await client.get(f"{ADMIN_ENDPOINTS}/nothing", headers=auth(keys.admin))

    assert_problem(response, 404, "not_found")


# ---- disabling and deleting --------------------------------------------------------------


async def test_an_admin_disables_any_endpoint_and_nothing_more_is_sent(
    client, keys, container, fake
):
    endpoint = await created(client, keys.bank_a)

    response = await client.post(
        f"{ADMIN_ENDPOINTS}/{endpoint['id']}/disable",
        headers=auth(keys.admin),
        json={"reason": "receiver compromised"},
    )
    await registered_pledge(client, keys, 1)
    container.dispatcher.drain()

    assert response.status_code == 200
    assert response.json()["status"] == "disabled"
    assert (
        response.json()["disabled_reason"] == "disabled by an administrator: receiver compromised"
    )
    assert fake.to(URL) == []


async def test_an_admin_may_disable_without_a_body(client, keys):
    endpoint = await created(client, keys.bank_a)

    response = await client.post(
        f"{ADMIN_ENDPOINTS}/{endpoint['id']}/disable", headers=auth(keys.admin)
    )

    assert response.json()["disabled_reason"] == "disabled by an administrator"


async def test_an_admin_deletes_any_endpoint(client, keys, container, fake):
    endpoint = await created(client, keys.bank_a)

    response = await client.delete(f"{ADMIN_ENDPOINTS}/{endpoint['id']}", headers=auth(keys.admin))
    owner_view = await client.get(f"{ENDPOINTS}/{endpoint['id']}", headers=auth(keys.bank_a))
    await registered_pledge(client, keys, 1)
    container.dispatcher.drain()

    assert response.status_code == 204 and response.content == b""
    assert_problem(owner_view, 404, "not_found")
    assert fake.to(URL) == []


@pytest.mark.parametrize(("method", "suffix"), [("POST", "/disable"), ("DELETE", "")])
async def test_disabling_or_deleting_a_deleted_endpoint_is_an_invalid_state(
    client, keys, method, suffix
):
    endpoint = await created(client, keys.bank_a)
    await client.delete(f"{ENDPOINTS}/{endpoint['id']}", headers=auth(keys.bank_a))

    response = await client.request(
        method, f"{ADMIN_ENDPOINTS}/{endpoint['id']}{suffix}", headers=auth(keys.admin)
    )

    assert_problem(response, 409, "invalid_state")


@pytest.mark.parametrize(("method", "suffix"), [("POST", "/disable"), ("DELETE", "")])
async def test_acting_on_an_unknown_endpoint_is_not_found(client, keys, method, suffix):
    response = await client.request(
        method, f"{ADMIN_ENDPOINTS}/nothing{suffix}", headers=auth(keys.admin)
    )

    assert_problem(response, 404, "not_found")


async def test_a_disable_reason_with_unknown_fields_is_a_validation_error(client, keys):
    endpoint = await created(client, keys.bank_a)

    response = await client.post(
        f"{ADMIN_ENDPOINTS}/{endpoint['id']}/disable", headers=auth(keys.admin), json={"why": "x"}
    )

    assert_problem(response, 422, "validation_error")


# ---- admins only -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("GET", ""), ("GET", "/{id}"), ("POST", "/{id}/disable"), ("DELETE", "/{id}")],
)
@pytest.mark.parametrize("role", ["bank_a", "regulator", "ip_office", "partner"])
async def test_only_an_admin_may_manage_every_endpoint(client, keys, method, suffix, role):
    endpoint = await created(client, keys.bank_a)
    path = ADMIN_ENDPOINTS + suffix.format(id=endpoint["id"])

    response = await client.request(method, path, headers=auth(getattr(keys, role)))
    anonymous = await client.request(method, path)

    assert_problem(response, 403, "forbidden")
    assert_problem(anonymous, 401, "unauthenticated")
    assert (await admin_get(client, keys, endpoint["id"]))["status"] == "enabled"
