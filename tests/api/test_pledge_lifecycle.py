"""A pledge's life over HTTP: amend, prepay annual fees, release, default, history, as_of."""

from __future__ import annotations

from datetime import timedelta

from tests.api.support import assert_problem, register_patent
from tests.builders import filing, party, trademark_entry
from tests.conftest import auth


async def pledge_of_patent_and_trademark(client, keys) -> dict:
    holder = party(1)
    number = await register_patent(client, keys, 1)
    await client.put(
        "/v1/ip-rights/trademark/12345678",
        json=trademark_entry([holder]),
        headers=auth(keys.ip_office),
    )
    items = [
        {"kind": "invention_patent", "number": number},
        {"kind": "trademark", "number": "12345678"},
    ]
    response = await client.post(
        "/v1/pledges", json=filing(holder, items), headers=auth(keys.bank_a)
    )
    assert response.json()["status"] == "registered", response.text
    return response.json()


async def test_amendment_changes_amount_and_maturity(client, keys):
    pledge = await pledge_of_patent_and_trademark(client, keys)

    response = await client.post(
        f"/v1/pledges/{pledge['id']}/amendments",
        json={"secured_amount": "4000000.00", "maturity_date": "2029-01-14", "reason": "extended"},
        headers=auth(keys.bank_a),
    )

    assert response.status_code == 200, response.text
    assert response.json()["secured_amount"] == "4000000.00"
    assert response.json()["loan"]["maturity_date"] == "2029-01-14"
    assert response.headers["ETag"] == '"2"'


async def test_maturity_beyond_an_items_protection_is_refused(client, keys):
    pledge = await pledge_of_patent_and_trademark(client, keys)

    response = await client.post(
        f"/v1/pledges/{pledge['id']}/amendments",
        json={"maturity_date": "2034-01-01", "reason": "extended"},  # trademark ends 2033-08-13
        headers=auth(keys.bank_a),
    )

    assert_problem(response, 422, "term_exceeds_protection")


async def test_partial_release_frees_only_the_named_item(client, keys):
    pledge = await pledge_of_patent_and_trademark(client, keys)

    response = await client.post(
        f"/v1/pledges/{pledge['id']}/release",
        json={
            "released_on": "2026-01-05",
            "reason": "other",
            "items": [{"kind": "trademark", "number": "12345678"}],
        },
        headers=auth(keys.bank_a),
    )

    assert response.json()["status"] == "registered"
    assert [i["released"] for i in response.json()["items"]] == [False, True]
    trademark = await client.get("/v1/ip-rights/trademark/12345678", headers=auth(keys.bank_a))
    assert trademark.json()["encumbrance"] is None


async def test_release_of_a_released_pledge_is_invalid_state(client, keys):
    pledge = await pledge_of_patent_and_trademark(client, keys)
    url = f"/v1/pledges/{pledge['id']}/release"
    body = {"released_on": "2026-01-05", "reason": "repaid"}
    await client.post(url, json=body, headers=auth(keys.bank_a))

    response = await client.post(url, json=body, headers=auth(keys.bank_a))

    assert_problem(response, 409, "invalid_state")


async def test_annuity_prepayment_with_the_computed_amount_updates_the_register(client, keys):
    pledge = await pledge_of_patent_and_trademark(client, keys)
    patent = {"kind": "invention_patent", "number": pledge["items"][0]["number"]}
    # Filed 2015-03-10, paid through year 12: years 13 and 14 cost 6000 each.
    response = await client.post(
        f"/v1/pledges/{pledge['id']}/annuity-prepayments",
        json={
            "item": patent,
            "through_year": 14,
            "amount": "12000.00",
            "paid_on": "2026-01-05",
            "receipt_number": "FEE-1",
        },
        headers=auth(keys.bank_a),
    )

    assert response.status_code == 201, response.text
    assert response.json()["from_year"] == 13
    right = await client.get(
        f"/v1/ip-rights/invention_patent/{patent['number']}", headers=auth(keys.bank_a)
    )
    assert right.json()["annuity_paid_through_year"] == 14


async def test_annuity_prepayment_with_a_wrong_amount_states_the_expected_one(client, keys):
    pledge = await pledge_of_patent_and_trademark(client, keys)

    response = await client.post(
        f"/v1/pledges/{pledge['id']}/annuity-prepayments",
        json={
            "item": {"kind": "invention_patent", "number": pledge["items"][0]["number"]},
            "through_year": 14,
            "amount": "11000.00",
            "paid_on": "2026-01-05",
            "receipt_number": "FEE-1",
        },
        headers=auth(keys.bank_a),
    )

    assert assert_problem(response, 422, "amount_mismatch")["expected"] == "12000.00"


async def test_default_moves_the_pledge_to_in_default(client, keys):
    pledge = await pledge_of_patent_and_trademark(client, keys)

    response = await client.post(
        f"/v1/pledges/{pledge['id']}/default",
        json={"declared_on": "2026-01-05", "outstanding_amount": "4200000.00"},
        headers=auth(keys.bank_a),
    )

    assert response.json()["status"] == "in_default"
    assert response.json()["default"]["outstanding_amount"] == "4200000.00"


async def test_history_lists_the_pledges_events_as_envelopes_in_pages(client, keys):
    pledge = await pledge_of_patent_and_trademark(client, keys)
    await client.post(
        f"/v1/pledges/{pledge['id']}/default",
        json={"declared_on": "2026-01-05", "outstanding_amount": "4200000.00"},
        headers=auth(keys.bank_a),
    )
    url = f"/v1/pledges/{pledge['id']}/history"

    first = (await client.get(url, params={"limit": 1}, headers=auth(keys.bank_a))).json()
    second = await client.get(
        url, params={"limit": 1, "cursor": first["next_cursor"]}, headers=auth(keys.bank_a)
    )

    events = first["items"] + second.json()["items"]
    assert [e["type"] for e in events] == ["pledge.registered", "pledge.defaulted"]
    assert [e["version"] for e in events] == [1, 2]
    assert events[1]["actor"]["institution_id"] == "BANK-A"
    assert events[1]["data"]["outstanding_amount"] == "4200000.00"
    assert events[0]["position"] < events[1]["position"]
    assert second.json()["next_cursor"] is None


async def test_as_of_shows_the_state_before_a_later_change(client, keys, clock):
    pledge = await pledge_of_patent_and_trademark(client, keys)
    registered_at = clock.now()
    clock.advance(timedelta(days=1))
    await client.post(
        f"/v1/pledges/{pledge['id']}/default",
        json={"declared_on": "2026-01-05", "outstanding_amount": "4200000.00"},
        headers=auth(keys.bank_a),
    )

    then = await client.get(
        f"/v1/pledges/{pledge['id']}",
        params={"as_of": (registered_at + timedelta(hours=1)).isoformat()},
        headers=auth(keys.bank_a),
    )
    before = await client.get(
        f"/v1/pledges/{pledge['id']}",
        params={"as_of": (registered_at - timedelta(hours=1)).isoformat()},
        headers=auth(keys.bank_a),
    )

    assert then.json()["status"] == "registered"
    assert then.headers["ETag"] == '"1"'
    assert_problem(before, 404, "not_found")
