"""GET /v1/disposals and GET /v1/compensation-claims (extensions of contract §5, §6): keyset
pages, filters, min_position read-your-writes, and visibility as contract §2 says: a bank
sees its own pledges' disposals and claims, a fund the claims on its fund, the trading
centre every disposal, regulators everything; nobody learns of another bank's records.
"""

from __future__ import annotations

from tests.api.support import assert_problem, register_patent
from tests.builders import filing, party
from tests.conftest import auth


async def post(client, key, url, body=None):
    response = await client.post(url, json=body or {}, headers=auth(key))
    assert response.status_code in (200, 201), response.text
    return response


async def defaulted_case(client, keys, serial: int, bank: str, fund: str = "HB-RCF") -> dict:
    """A registered pledge of ``bank`` enrolled with ``fund``, defaulted, claimed and with a
    disposal opened. Returns the ids and the last write's log position."""
    number = await register_patent(client, keys, serial)
    body = filing(
        party(1),
        [{"kind": "invention_patent", "number": number}],
        risk_compensation={"fund_id": fund, "share": "0.40"},
    )
    pledge = (await post(client, bank, "/v1/pledges", body)).json()
    default = {"declared_on": "2026-01-05", "outstanding_amount": "4200000.00"}
    await post(client, bank, f"/v1/pledges/{pledge['id']}/default", default)
    claim = (await post(client, bank, f"/v1/pledges/{pledge['id']}/compensation-claims")).json()
    opened = await post(
        client,
        bank,
        "/v1/disposals",
        {"pledge_id": pledge["id"], "route": "exchange_listing", "appraised_value": "3000000.00"},
    )
    return {
        "pledge": pledge["id"],
        "claim": claim["id"],
        "disposal": opened.json()["id"],
        "position": opened.headers["X-Log-Position"],
    }


async def ids_listed(client, path: str, key: str, **params) -> list[str]:
    response = await client.get(path, params=params, headers=auth(key))
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_each_bank_lists_only_its_own_disposals(client, keys):
    mine = await defaulted_case(client, keys, 1, keys.bank_a)
    theirs = await defaulted_case(client, keys, 2, keys.bank_b)
    wait = {"min_position": theirs["position"]}

    assert await ids_listed(client, "/v1/disposals", keys.bank_a, **wait) == [mine["disposal"]]
    assert await ids_listed(client, "/v1/disposals", keys.bank_b) == [theirs["disposal"]]


async def test_trading_centre_and_regulator_list_every_disposal(client, keys):
    first = await defaulted_case(client, keys, 1, keys.bank_a)
    second = await defaulted_case(client, keys, 2, keys.bank_b)
    wait = {"min_position": second["position"]}
    both = [first["disposal"], second["disposal"]]

    assert await ids_listed(client, "/v1/disposals", keys.trading_centre, **wait) == both
    assert await ids_listed(client, "/v1/disposals", keys.regulator) == both


async def test_roles_without_disposal_visibility_list_none(client, keys):
    case = await defaulted_case(client, keys, 1, keys.bank_a)
    wait = {"min_position": case["position"]}

    for key in (keys.fund, keys.platform, keys.partner):
        assert await ids_listed(client, "/v1/disposals", key, **wait) == []


async def test_disposal_list_summarises_and_filters(client, keys):
    first = await defaulted_case(client, keys, 1, keys.bank_a)
    second = await defaulted_case(client, keys, 2, keys.bank_a)
    path, wait = "/v1/disposals", {"min_position": second["position"]}

    by_pledge = await client.get(
        path, params={"pledge_id": first["pledge"], **wait}, headers=auth(keys.bank_a)
    )
    assert by_pledge.json()["items"] == [
        {
            "id": first["disposal"],
            "pledge_id": first["pledge"],
            "pledgee": "BANK-A",
            "route": "exchange_listing",
            "status": "open",
            "appraised_value": "3000000.00",
            "outstanding_amount": "4200000.00",
            "opened_on": "2026-01-05",
            "recovery": None,
            "settled_on": None,
            "version": 1,
        }
    ]
    assert await ids_listed(client, path, keys.bank_a, status="settled") == []
    assert await ids_listed(client, path, keys.bank_a, route="auction") == []
    open_ = await ids_listed(client, path, keys.bank_a, status="open", route="exchange_listing")
    assert open_ == [first["disposal"], second["disposal"]]


async def test_disposal_pages_follow_the_cursor(client, keys):
    cases = [await defaulted_case(client, keys, n, keys.bank_a) for n in (1, 2, 3)]
    wait = {"min_position": cases[-1]["position"]}

    first = await client.get(
        "/v1/disposals", params={"limit": 2, **wait}, headers=auth(keys.bank_a)
    )
    cursor = first.json()["next_cursor"]
    second = await client.get("/v1/disposals", params={"cursor": cursor}, headers=auth(keys.bank_a))

    listed = [d["id"] for page in (first, second) for d in page.json()["items"]]
    assert listed == [case["disposal"] for case in cases]
    assert second.json()["next_cursor"] is None


async def test_claims_are_listed_to_their_bank_and_fund_only(client, keys):
    mine = await defaulted_case(client, keys, 1, keys.bank_a)
    theirs = await defaulted_case(client, keys, 2, keys.bank_b)
    other_fund = await defaulted_case(client, keys, 3, keys.bank_b, fund="SH-RCF")
    path, wait = "/v1/compensation-claims", {"min_position": other_fund["position"]}

    assert await ids_listed(client, path, keys.bank_a, **wait) == [mine["claim"]]
    assert await ids_listed(client, path, keys.bank_b) == [theirs["claim"], other_fund["claim"]]
    assert await ids_listed(client, path, keys.fund) == [mine["claim"], theirs["claim"]]
    everything = [mine["claim"], theirs["claim"], other_fund["claim"]]
    assert await ids_listed(client, path, keys.regulator) == everything
    for key in (keys.trading_centre, keys.platform, keys.partner):
        assert await ids_listed(client, path, key) == []


async def test_claim_list_follows_the_advance_and_filters(client, keys):
    first = await defaulted_case(client, keys, 1, keys.bank_a)
    second = await defaulted_case(client, keys, 2, keys.bank_a)
    advanced = await post(
        client,
        keys.fund,
        f"/v1/compensation-claims/{first['claim']}/advance",
        {"paid_on": "2026-01-05"},
    )
    path = "/v1/compensation-claims"
    wait = {"min_position": advanced.headers["X-Log-Position"]}

    response = await client.get(
        path, params={"status": "advanced", **wait}, headers=auth(keys.fund)
    )
    assert response.json()["items"] == [
        {
            "id": first["claim"],
            "pledge_id": first["pledge"],
            "pledgee": "BANK-A",
            "fund_id": "HB-RCF",
            "status": "advanced",
            "share": "0.40",
            "outstanding_amount": "4200000.00",
            "advance_due": "1680000.00",
            "claimed_on": "2026-01-05",
            "advanced_on": "2026-01-05",
            "refund_due": None,
            "balance_due": None,
            "settled_on": None,
            "version": 2,
        }
    ]
    assert await ids_listed(client, path, keys.bank_a, status="claimed") == [second["claim"]]
    assert await ids_listed(client, path, keys.bank_a, pledge_id=second["pledge"]) == [
        second["claim"]
    ]
    assert await ids_listed(client, path, keys.regulator, fund_id="SH-RCF") == []


async def test_settlement_clears_the_listed_claim_and_settles_the_disposal(client, keys):
    case = await defaulted_case(client, keys, 1, keys.bank_a)
    listing = await post(
        client,
        keys.trading_centre,
        "/v1/listings",
        {"disposal_id": case["disposal"], "asking_price": "2800000.00", "listed_on": "2026-01-05"},
    )
    url = f"/v1/listings/{listing.json()['id']}"
    buyer = party(9)
    await post(
        client,
        keys.trading_centre,
        f"{url}/intentions",
        {"bidder": buyer, "registered_on": "2026-01-05"},
    )
    await post(
        client,
        keys.trading_centre,
        f"{url}/sale",
        {"buyer": buyer, "price": "3100000.00", "sold_on": "2026-01-05"},
    )
    settled = await post(
        client,
        keys.trading_centre,
        f"/v1/disposals/{case['disposal']}/settlement",
        {"proceeds": "3100000.00", "costs": "100000.00", "settled_on": "2026-01-05"},
    )
    wait = {"min_position": settled.headers["X-Log-Position"]}

    disposals = await client.get("/v1/disposals", params=wait, headers=auth(keys.bank_a))
    claims = await client.get("/v1/compensation-claims", params=wait, headers=auth(keys.bank_a))

    [disposal] = disposals.json()["items"]
    assert (disposal["status"], disposal["recovery"], disposal["settled_on"]) == (
        "settled",
        "3000000.00",
        "2026-01-05",
    )
    [claim] = claims.json()["items"]
    # never advanced: the fund still owes its final share 0.40 x 1,200,000.00
    assert (claim["status"], claim["refund_due"], claim["balance_due"]) == (
        "cleared",
        "0.00",
        "480000.00",
    )


async def test_bad_list_filters_are_validation_errors(client, keys):
    for path, params in (
        ("/v1/disposals", {"status": "lost"}),
        ("/v1/disposals", {"pledge_id": "not-a-uuid"}),
        ("/v1/compensation-claims", {"status": "paid"}),
        ("/v1/compensation-claims", {"cursor": "garbage!"}),
    ):
        response = await client.get(path, params=params, headers=auth(keys.bank_a))
        assert_problem(response, 422, "validation_error")
