"""The two dual-track disposal paths over HTTP (contract §5-§7), figures worked out by hand.

Both start the same way: a 5,000,000.00 pledge of one patent enrolled with the Hubei fund at a
40 % share; the loan defaults with 4,200,000.00 outstanding; the fund advances
0.40 x 4,200,000.00 = 1,680,000.00; the collateral (appraised 3,000,000.00) is listed on
2026-01-10 at 2,800,000.00 (>= 90 % of appraisal, so no approval is needed).
"""

from __future__ import annotations

from tests.api.support import assert_problem, register_patent
from tests.builders import credit_code, filing, party
from tests.conftest import auth

BUYER = {"name": "Hubei Changjiang Tech Investment Co., Ltd.", "credit_code": credit_code(900)}
RIVAL = {"name": "Wuhan Photonics Capital Co., Ltd.", "credit_code": credit_code(901)}
PLATFORM_BUYER = {"name": "Hubei IP Operation Fund (public)", "credit_code": credit_code(902)}


async def post(client, key, url, body=None, expected=(200, 201)):
    response = await client.post(url, json=body or {}, headers=auth(key))
    assert response.status_code in expected, response.text
    return response.json()


async def listed_collateral(client, keys) -> dict:
    """Registered -> defaulted -> claim advanced -> disposal -> listing. Returns the ids."""
    number = await register_patent(client, keys, 1)
    pledge = await post(
        client,
        keys.bank_a,
        "/v1/pledges",
        filing(
            party(1),
            [{"kind": "invention_patent", "number": number}],
            risk_compensation={"fund_id": "HB-RCF", "share": "0.40"},
        ),
    )
    await post(
        client,
        keys.bank_a,
        f"/v1/pledges/{pledge['id']}/default",
        {"declared_on": "2026-01-05", "outstanding_amount": "4200000.00"},
    )
    claim = await post(client, keys.bank_a, f"/v1/pledges/{pledge['id']}/compensation-claims")
    assert claim["advance_due"] == "1680000.00"
    await post(
        client,
        keys.fund,
        f"/v1/compensation-claims/{claim['id']}/advance",
        {"paid_on": "2026-01-05"},
    )
    disposal = await post(
        client,
        keys.bank_a,
        "/v1/disposals",
        {"pledge_id": pledge["id"], "route": "exchange_listing", "appraised_value": "3000000.00"},
    )
    listing = await post(
        client,
        keys.trading_centre,
        "/v1/listings",
        {"disposal_id": disposal["id"], "asking_price": "2800000.00", "listed_on": "2026-01-05"},
    )
    assert listing["status"] == "listed" and listing["no_taker_deadline"] == "2026-07-04"
    return {
        "pledge": pledge["id"],
        "claim": claim["id"],
        "disposal": disposal["id"],
        "listing": listing["id"],
        "number": number,
    }


async def test_sale_to_a_taker_settles_recovery_and_clears_the_fund(client, keys):
    ids = await listed_collateral(client, keys)
    listing = f"/v1/listings/{ids['listing']}"
    first = await post(
        client,
        keys.trading_centre,
        f"{listing}/intentions",
        {"bidder": BUYER, "registered_on": "2026-01-05"},
    )
    assert first["listing"]["status"] == "taken"
    second = await post(
        client,
        keys.trading_centre,
        f"{listing}/intentions",
        {"bidder": RIVAL, "registered_on": "2026-01-05"},
    )
    assert second["listing"]["status"] == "bidding"
    sold = await post(
        client,
        keys.trading_centre,
        f"{listing}/sale",
        {"buyer": BUYER, "price": "3100000.00", "sold_on": "2026-01-05"},
    )
    assert sold["status"] == "sold"

    settled = await post(
        client,
        keys.trading_centre,
        f"/v1/disposals/{ids['disposal']}/settlement",
        {"proceeds": "3100000.00", "costs": "100000.00", "settled_on": "2026-01-05"},
    )

    # net 3,000,000.00 < outstanding 4,200,000.00: all of it is recovery, no surplus.
    assert (settled["status"], settled["recovery"], settled["surplus_to_pledgor"]) == (
        "settled",
        "3000000.00",
        "0.00",
    )
    claim = (
        await client.get(f"/v1/compensation-claims/{ids['claim']}", headers=auth(keys.fund))
    ).json()
    # loss 1,200,000.00; fund's share 480,000.00; advanced 1,680,000.00 -> bank returns 1,200,000.00
    assert claim["status"] == "cleared"
    assert claim["cleared"]["final_share"] == "480000.00"
    assert claim["refund_due"] == "1200000.00"
    pledge = (await client.get(f"/v1/pledges/{ids['pledge']}", headers=auth(keys.bank_a))).json()
    assert pledge["status"] == "disposed"
    right = (
        await client.get(
            f"/v1/ip-rights/invention_patent/{ids['number']}", headers=auth(keys.bank_a)
        )
    ).json()
    assert right["holders"] == [BUYER] and right["encumbrance"] is None


async def test_no_taker_in_180_days_goes_to_government_buyback(client, keys):
    ids = await listed_collateral(client, keys)
    listing = f"/v1/listings/{ids['listing']}"
    hidden = await client.get(listing, headers=auth(keys.platform))
    assert_problem(hidden, 404, "not_found")  # nothing for the platform before the deadline

    moved = await post(client, keys.admin, "/v1/_clock", {"advance_days": 181})

    assert moved["fired"][:2] == ["listing.expired", "buyback.requested"]
    pending = (await client.get(listing, headers=auth(keys.platform))).json()
    assert pending["status"] == "buyback_pending"
    bought = await post(
        client,
        keys.platform,
        f"{listing}/buyback",
        {"price": "2500000.00", "bought_on": "2026-07-05", "buyer": PLATFORM_BUYER},
    )
    assert bought["status"] == "bought_back"

    settled = await post(
        client,
        keys.trading_centre,
        f"/v1/disposals/{ids['disposal']}/settlement",
        {"proceeds": "2500000.00", "costs": "50000.00", "settled_on": "2026-07-05"},
    )

    # net 2,450,000.00 recovered; loss 1,750,000.00; fund's share 700,000.00;
    # advanced 1,680,000.00 -> bank returns 980,000.00.
    assert (settled["recovery"], settled["surplus_to_pledgor"]) == ("2450000.00", "0.00")
    claim = (
        await client.get(f"/v1/compensation-claims/{ids['claim']}", headers=auth(keys.bank_a))
    ).json()
    assert (claim["cleared"]["final_share"], claim["refund_due"]) == ("700000.00", "980000.00")
    right = (
        await client.get(
            f"/v1/ip-rights/invention_patent/{ids['number']}", headers=auth(keys.regulator)
        )
    ).json()
    assert right["holders"] == [PLATFORM_BUYER]


async def test_an_intention_stops_the_buyback_clock(client, keys):
    ids = await listed_collateral(client, keys)
    await post(
        client,
        keys.trading_centre,
        f"/v1/listings/{ids['listing']}/intentions",
        {"bidder": BUYER, "registered_on": "2026-01-05"},
    )

    moved = await post(client, keys.admin, "/v1/_clock", {"advance_days": 200})

    assert "buyback.requested" not in moved["fired"]
    listing = (
        await client.get(f"/v1/listings/{ids['listing']}", headers=auth(keys.trading_centre))
    ).json()
    assert listing["status"] == "taken"


async def test_read_models_follow_the_disposal_to_its_end(client, keys):
    ids = await listed_collateral(client, keys)
    listing = f"/v1/listings/{ids['listing']}"
    await post(
        client,
        keys.trading_centre,
        f"{listing}/intentions",
        {"bidder": BUYER, "registered_on": "2026-01-05"},
    )
    await post(
        client,
        keys.trading_centre,
        f"{listing}/sale",
        {"buyer": BUYER, "price": "2800000.00", "sold_on": "2026-01-05"},
    )
    settled = await client.post(
        f"/v1/disposals/{ids['disposal']}/settlement",
        headers=auth(keys.trading_centre),
        json={"proceeds": "2800000.00", "costs": "0.00", "settled_on": "2026-01-05"},
    )
    position = settled.headers["X-Log-Position"]

    pledges = await client.get(
        "/v1/pledges",
        headers=auth(keys.bank_a),
        params={"status": "disposed", "min_position": position},
    )
    listings = await client.get(
        "/v1/listings",
        headers=auth(keys.trading_centre),
        params={"status": "sold", "min_position": position},
    )

    assert [p["id"] for p in pledges.json()["items"]] == [ids["pledge"]]
    assert [x["id"] for x in listings.json()["items"]] == [ids["listing"]]
    assert listings.json()["items"][0]["days_remaining"] is None


async def defaulted_pledge(client, keys) -> tuple[dict, str]:
    number = await register_patent(client, keys, 1)
    pledge = await post(
        client,
        keys.bank_a,
        "/v1/pledges",
        filing(party(1), [{"kind": "invention_patent", "number": number}]),
    )
    await post(
        client,
        keys.bank_a,
        f"/v1/pledges/{pledge['id']}/default",
        {"declared_on": "2026-01-05", "outstanding_amount": "2000000.00"},
    )
    return pledge, number


async def test_an_acquisition_is_concluded_then_settled_without_a_listing(client, keys):
    pledge, number = await defaulted_pledge(client, keys)
    disposal = await post(
        client,
        keys.bank_a,
        "/v1/disposals",
        {"pledge_id": pledge["id"], "route": "acquisition", "appraised_value": "2500000.00"},
    )

    concluded = await post(
        client,
        keys.trading_centre,
        f"/v1/disposals/{disposal['id']}/conclusion",
        {"counterparty": BUYER, "price": "2600000.00", "concluded_on": "2026-01-05"},
    )
    settled = await post(
        client,
        keys.trading_centre,
        f"/v1/disposals/{disposal['id']}/settlement",
        {"proceeds": "2600000.00", "costs": "100000.00", "settled_on": "2026-01-05"},
    )

    # net 2,500,000.00 > outstanding 2,000,000.00: 500,000.00 goes back to the pledgor.
    assert concluded["status"] == "concluded"
    assert (settled["recovery"], settled["surplus_to_pledgor"]) == ("2000000.00", "500000.00")
    right = (
        await client.get(f"/v1/ip-rights/invention_patent/{number}", headers=auth(keys.bank_a))
    ).json()
    assert right["holders"] == [BUYER]


async def test_a_reverse_licence_must_name_its_licence(client, keys):
    pledge, _ = await defaulted_pledge(client, keys)
    disposal = await post(
        client,
        keys.bank_a,
        "/v1/disposals",
        {"pledge_id": pledge["id"], "route": "reverse_licence", "appraised_value": "2500000.00"},
    )
    url = f"/v1/disposals/{disposal['id']}/conclusion"
    body = {"counterparty": PLATFORM_BUYER, "price": "1800000.00", "concluded_on": "2026-01-05"}

    missing = await client.post(url, json=body, headers=auth(keys.trading_centre))
    licensed = await post(
        client,
        keys.trading_centre,
        url,
        {
            **body,
            "licence": {
                "licensee": party(1),
                "terms": "exclusive licence back to the pledgor, 5 % royalty",
                "term_years": 5,
            },
        },
    )

    assert_problem(missing, 422, "validation_error")
    assert licensed["conclusion"]["licence"]["licensee"] == party(1)
