"""Bearer keys, roles and visibility (contract §1, §2): 401 without a live key, 403 for the wrong
role, 404 for another institution's records."""

from __future__ import annotations

import pytest

from tests.api.support import (
    assert_problem,
    file_pledge,
    patent_filing,
    register_patent,
    registered_pledge,
)
from tests.builders import party, patent_entry, patent_number
from tests.conftest import auth


async def create_principal(client, keys, role="bank", institution_id="BANK-C") -> dict:
    response = await client.post(
        "/v1/admin/principals",
        json={"name": f"{role} {institution_id}", "role": role, "institution_id": institution_id},
        headers=auth(keys.admin),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_request_without_key_is_unauthenticated(client, keys):
    response = await client.get("/v1/pledges")

    assert_problem(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_unknown_key_is_unauthenticated(client, keys):
    response = await client.get("/v1/pledges", headers=auth("ipk_not-a-key-we-issued"))

    assert_problem(response, 401, "unauthenticated")


async def test_malformed_authorization_header_is_unauthenticated(client, keys):
    response = await client.get("/v1/pledges", headers={"Authorization": f"Basic {keys.bank_a}"})

    assert_problem(response, 401, "unauthenticated")


async def test_write_without_key_is_unauthenticated_and_writes_nothing(client, keys, container):
    number = await register_patent(client, keys, 1)
    before = container.store.max_position()

    response = await client.post("/v1/pledges", json=patent_filing(number))

    assert_problem(response, 401, "unauthenticated")
    assert container.store.max_position() == before


async def test_revoked_key_is_unauthenticated(client, keys):
    principal = await create_principal(client, keys)
    assert (await client.get("/v1/pledges", headers=auth(principal["api_key"]))).status_code == 200

    revoked = await client.delete(
        f"/v1/admin/principals/{principal['id']}", headers=auth(keys.admin)
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked"] is True

    response = await client.get("/v1/pledges", headers=auth(principal["api_key"]))
    assert_problem(response, 401, "unauthenticated")


async def test_revoking_an_unknown_principal_is_not_found(client, keys):
    response = await client.delete(
        "/v1/admin/principals/00000000-0000-4000-8000-000000000000", headers=auth(keys.admin)
    )

    assert_problem(response, 404, "not_found")


async def test_bank_may_not_put_an_ip_right(client, keys):
    response = await client.put(
        f"/v1/ip-rights/invention_patent/{patent_number(1)}",
        json=patent_entry([party(1)]),
        headers=auth(keys.bank_a),
    )

    body = assert_problem(response, 403, "forbidden")
    assert "ip_office" in body["detail"]


async def test_partner_may_not_file_a_pledge(client, keys, container):
    number = await register_patent(client, keys, 1)
    before = container.store.max_position()

    response = await client.post(
        "/v1/pledges", json=patent_filing(number), headers=auth(keys.partner)
    )

    assert_problem(response, 403, "forbidden")
    assert container.store.max_position() == before


async def test_bank_may_not_create_principals(client, keys):
    response = await client.post(
        "/v1/admin/principals",
        json={"name": "Rogue", "role": "admin", "institution_id": "BANK-A"},
        headers=auth(keys.bank_a),
    )

    assert_problem(response, 403, "forbidden")


async def test_regulator_may_not_act_on_a_pledge(client, keys):
    pledge = await registered_pledge(client, keys, 1)

    response = await client.post(
        f"/v1/pledges/{pledge['id']}/default",
        json={"declared_on": "2026-01-07", "outstanding_amount": "4000000.00"},
        headers=auth(keys.regulator),
    )

    assert_problem(response, 403, "forbidden")


async def test_another_banks_pledge_is_not_found(client, keys):
    pledge = await registered_pledge(client, keys, 1)

    response = await client.get(f"/v1/pledges/{pledge['id']}", headers=auth(keys.bank_b))

    assert_problem(response, 404, "not_found")


async def test_another_banks_pledge_history_is_not_found(client, keys):
    pledge = await registered_pledge(client, keys, 1)

    response = await client.get(f"/v1/pledges/{pledge['id']}/history", headers=auth(keys.bank_b))

    assert_problem(response, 404, "not_found")


PLEDGEE_ACTIONS = {
    "amendments": {"secured_amount": "4000000.00", "reason": "partial repayment"},
    "release": {"released_on": "2026-01-06", "reason": "repaid"},
    "default": {"declared_on": "2026-01-07", "outstanding_amount": "4000000.00"},
    "annuity-prepayments": {
        "item": {"kind": "invention_patent", "number": patent_number(1)},
        "through_year": 13,
        "amount": "6000.00",
        "paid_on": "2026-01-06",
        "receipt_number": "R-0001",
    },
}


@pytest.mark.parametrize("action", sorted(PLEDGEE_ACTIONS))
async def test_another_banks_pledge_is_not_found_for_pledgee_actions(
    client, keys, container, action
):
    pledge = await registered_pledge(client, keys, 1)
    before = container.store.max_position()

    response = await client.post(
        f"/v1/pledges/{pledge['id']}/{action}",
        json=PLEDGEE_ACTIONS[action],
        headers=auth(keys.bank_b),
    )

    assert_problem(response, 404, "not_found")
    assert container.store.max_position() == before


async def test_another_banks_pledge_is_missing_from_its_list(client, keys, container):
    pledge = await registered_pledge(client, keys, 1)
    own = await registered_pledge(client, keys, 2, key=keys.bank_b)

    response = await client.get(
        "/v1/pledges",
        params={"min_position": container.store.max_position()},
        headers=auth(keys.bank_b),
    )

    assert response.status_code == 200, response.text
    ids = [p["id"] for p in response.json()["items"]]
    assert pledge["id"] not in ids
    assert own["id"] in ids


async def test_partner_sees_no_pledge(client, keys):
    pledge = await registered_pledge(client, keys, 1)

    response = await client.get(f"/v1/pledges/{pledge['id']}", headers=auth(keys.partner))

    assert_problem(response, 404, "not_found")


async def test_regulator_sees_every_banks_pledge(client, keys):
    of_a = await registered_pledge(client, keys, 1, key=keys.bank_a)
    of_b = await registered_pledge(client, keys, 2, key=keys.bank_b)

    for pledge in (of_a, of_b):
        response = await client.get(f"/v1/pledges/{pledge['id']}", headers=auth(keys.regulator))
        assert response.status_code == 200, response.text
        assert response.json()["pledgee"] == pledge["pledgee"]


async def test_regulator_lists_every_banks_pledge(client, keys):
    await registered_pledge(client, keys, 1, key=keys.bank_a)
    last = await file_pledge(client, keys.bank_b, await register_patent(client, keys, 2))

    response = await client.get(
        "/v1/pledges",
        params={"min_position": last.headers["X-Log-Position"]},
        headers=auth(keys.regulator),
    )

    assert response.status_code == 200, response.text
    assert sorted(p["pledgee"] for p in response.json()["items"]) == ["BANK-A", "BANK-B"]


async def test_created_principal_gets_a_working_key_once(client, keys):
    principal = await create_principal(client, keys, role="regulator", institution_id="SH-FSB")

    assert principal["api_key"]
    assert principal["role"] == "regulator"
    assert principal["institution_id"] == "SH-FSB"
    response = await client.get("/v1/pledges", headers=auth(principal["api_key"]))
    assert response.status_code == 200, response.text


async def test_principal_list_never_shows_keys(client, keys):
    principal = await create_principal(client, keys)

    response = await client.get("/v1/admin/principals", headers=auth(keys.admin))

    assert response.status_code == 200, response.text
    listed = {p["id"]: p for p in response.json()["items"]}
    assert principal["id"] in listed
    assert all("api_key" not in p for p in listed.values())
    for key in (principal["api_key"], keys.admin, keys.bank_a):
        assert key not in response.text


async def test_principal_with_unknown_role_is_a_validation_error(client, keys):
    response = await client.post(
        "/v1/admin/principals",
        json={"name": "Someone", "role": "superuser", "institution_id": "X"},
        headers=auth(keys.admin),
    )

    body = assert_problem(response, 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["role"]


async def test_malformed_body_without_a_key_is_unauthenticated_not_a_validation_error(client):
    response = await client.post(
        "/v1/pledges", content=b"{not json", headers={"Content-Type": "application/json"}
    )

    assert_problem(response, 401, "unauthenticated")


async def test_invalid_body_with_an_unknown_key_is_unauthenticated(client):
    response = await client.post(
        "/v1/pledges", json={"items": []}, headers=auth("ipk_not_a_real_key")
    )

    assert_problem(response, 401, "unauthenticated")


async def test_principal_list_pages_with_limit_and_cursor(client, keys, container):
    names, cursor, pages = [], None, 0
    while True:
        params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        page = (
            await client.get("/v1/admin/principals", params=params, headers=auth(keys.admin))
        ).json()
        names += [p["name"] for p in page["items"]]
        pages += 1
        if (cursor := page["next_cursor"]) is None:
            break

    every = [p.name for p in container.principals.list()]
    assert names == every and len(set(names)) == len(names)
    assert pages == -(-len(every) // 4)


async def test_a_partner_sees_the_pledges_of_its_own_institution(client, keys, container):
    pledge = await registered_pledge(client, keys, 1)
    _, core_system = container.principals.create(
        "Bank A core system", "partner", "BANK-A", container.clock.now()
    )

    response = await client.get(f"/v1/pledges/{pledge['id']}", headers=auth(core_system))

    assert response.status_code == 200
