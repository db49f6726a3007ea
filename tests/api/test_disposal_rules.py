"""Disposal, listing and compensation rules over HTTP (contract §1-§2, §5-§7).

Every bad request is a problem document with a stable code and writes nothing; who may see
which disposal and listing. The manual clock stands at 2026-01-05 09:00 CST; a listing made
that day has its no-taker deadline on 2026-07-04.
"""

from __future__ import annotations

from typing import Any

import httpx

from api.bootstrap import Container
from tests.api.support import assert_problem, file_pledge, register_patent
from tests.builders import credit_code
from tests.conftest import START, auth

TODAY = "2026-01-05"
TOMORROW = "2026-01-06"
FUND = {"fund_id": "HB-RCF", "share": "0.40"}
BIDDER = {"name": "Hubei Changjiang Tech Investment Co., Ltd.", "credit_code": credit_code(900)}
RIVAL = {"name": "Wuhan Photonics Capital Co., Ltd.", "credit_code": credit_code(901)}
STRANGER = {"name": "Jiangxia Optics Trading Co., Ltd.", "credit_code": credit_code(903)}
PUBLIC_BUYER = {"name": "Hubei IP Operation Fund (public)", "credit_code": credit_code(902)}
BUYBACK = {"price": "2500000.00", "bought_on": "2026-07-05", "buyer": PUBLIC_BUYER}


# ---- steps ---------------------------------------------------------------------------


async def ok(
    client: httpx.AsyncClient, key: str, url: str, body: dict | None = None, **headers: str
) -> httpx.Response:
    response = await client.post(url, json=body or {}, headers={**auth(key), **headers})
    assert response.status_code in (200, 201), response.text
    return response


async def refused(
    client: httpx.AsyncClient,
    container: Container,
    key: str,
    url: str,
    body: dict | None,
    status: int,
    code: str,
    **headers: str,
) -> dict[str, Any]:
    """POSTs, expects the problem ``status``/``code``, and checks that nothing was written."""
    before = container.store.max_position()
    response = await client.post(url, json=body or {}, headers={**auth(key), **headers})
    problem = assert_problem(response, status, code)
    assert container.store.max_position() == before
    return problem


async def get(client: httpx.AsyncClient, key: str, url: str, **params: Any) -> httpx.Response:
    return await client.get(url, params=params, headers=auth(key))


async def defaulted_pledge(
    client, keys, serial: int = 1, bank: str | None = None, enrolled: bool = False
) -> dict:
    bank = bank or keys.bank_a
    number = await register_patent(client, keys, serial)
    extra = {"risk_compensation": FUND} if enrolled else {}
    pledge = (await file_pledge(client, bank, number, **extra)).json()
    assert pledge["status"] == "registered", pledge
    await ok(
        client,
        bank,
        f"/v1/pledges/{pledge['id']}/default",
        {"declared_on": TODAY, "outstanding_amount": "4200000.00"},
    )
    return pledge


async def open_disposal(client, keys, serial: int = 1, bank: str | None = None) -> dict:
    pledge = await defaulted_pledge(client, keys, serial, bank)
    body = {"pledge_id": pledge["id"], "route": "exchange_listing", "appraised_value": "3000000.00"}
    return (await ok(client, bank or keys.bank_a, "/v1/disposals", body)).json()


def listing_body(disposal: dict, **overrides: Any) -> dict:
    return {
        "disposal_id": disposal["id"],
        "asking_price": "2800000.00",
        "listed_on": TODAY,
        **overrides,
    }


async def listed(client, keys, serial: int = 1, bank: str | None = None) -> dict:
    """A listing (asking 2,800,000.00 of 3,000,000.00 appraised) of a defaulted pledge."""
    disposal = await open_disposal(client, keys, serial, bank)
    return (await ok(client, keys.trading_centre, "/v1/listings", listing_body(disposal))).json()


async def taken(client, keys, serial: int = 1) -> dict:
    listing = await listed(client, keys, serial)
    body = {"bidder": BIDDER, "registered_on": TODAY}
    await ok(client, keys.trading_centre, f"/v1/listings/{listing['id']}/intentions", body)
    return listing


async def expired(client, keys, serial: int = 1) -> dict:
    """A listing with no taker, moved past its deadline: buyback_pending."""
    listing = await listed(client, keys, serial)
    moved = (await ok(client, keys.admin, "/v1/_clock", {"advance_days": 181})).json()
    assert moved["fired"] == ["listing.expired", "buyback.requested"]
    return listing


async def claimed(client, keys) -> dict:
    pledge = await defaulted_pledge(client, keys, enrolled=True)
    url = f"/v1/pledges/{pledge['id']}/compensation-claims"
    return (await ok(client, keys.bank_a, url)).json()


def ids(page: dict) -> list[str]:
    return [item["id"] for item in page["items"]]


# ---- roles (403) ---------------------------------------------------------------------


async def test_a_bank_cannot_create_a_listing(client, keys, container):
    disposal = await open_disposal(client, keys)

    await refused(
        client, container, keys.bank_a, "/v1/listings", listing_body(disposal), 403, "forbidden"
    )


async def test_the_trading_centre_cannot_buy_back(client, keys, container):
    listing = await expired(client, keys)

    url = f"/v1/listings/{listing['id']}/buyback"
    await refused(client, container, keys.trading_centre, url, BUYBACK, 403, "forbidden")


async def test_a_partner_cannot_open_a_disposal(client, keys, container):
    pledge = await defaulted_pledge(client, keys)
    body = {"pledge_id": pledge["id"], "route": "exchange_listing", "appraised_value": "3000000.00"}

    await refused(client, container, keys.partner, "/v1/disposals", body, 403, "forbidden")


# ---- another institution's records (404) ---------------------------------------------


async def test_another_banks_pledge_cannot_be_put_to_disposal(client, keys, container):
    pledge = await defaulted_pledge(client, keys)
    body = {"pledge_id": pledge["id"], "route": "exchange_listing", "appraised_value": "3000000.00"}

    await refused(client, container, keys.bank_b, "/v1/disposals", body, 404, "not_found")


async def test_another_banks_pledge_cannot_be_claimed_on(client, keys, container):
    pledge = await defaulted_pledge(client, keys, enrolled=True)

    url = f"/v1/pledges/{pledge['id']}/compensation-claims"
    await refused(client, container, keys.bank_b, url, None, 404, "not_found")


# ---- disposals -----------------------------------------------------------------------


async def test_a_pledge_not_in_default_cannot_be_put_to_disposal(client, keys, container):
    number = await register_patent(client, keys, 1)
    pledge = (await file_pledge(client, keys.bank_a, number)).json()
    body = {"pledge_id": pledge["id"], "route": "exchange_listing", "appraised_value": "3000000.00"}

    await refused(client, container, keys.bank_a, "/v1/disposals", body, 409, "invalid_state")


async def test_a_second_disposal_for_the_same_pledge_is_refused(client, keys, container):
    disposal = await open_disposal(client, keys)
    body = {"pledge_id": disposal["pledge_id"], "route": "auction", "appraised_value": "3000000.00"}

    await refused(client, container, keys.bank_a, "/v1/disposals", body, 409, "invalid_state")


# ---- listings ------------------------------------------------------------------------


async def test_asking_below_ninety_percent_of_appraisal_needs_an_approval(client, keys, container):
    disposal = await open_disposal(client, keys)
    body = listing_body(disposal, asking_price="2699999.99")

    await refused(
        client, container, keys.trading_centre, "/v1/listings", body, 422, "approval_required"
    )


async def test_asking_below_ninety_percent_with_an_approval_is_listed(client, keys):
    disposal = await open_disposal(client, keys)
    body = listing_body(disposal, asking_price="2000000.00", approval_reference="HB-SASAC-2026-7")

    response = await ok(client, keys.trading_centre, "/v1/listings", body)

    assert response.status_code == 201
    listing = response.json()
    assert (listing["status"], listing["approval_reference"]) == ("listed", "HB-SASAC-2026-7")
    assert listing["no_taker_deadline"] == "2026-07-04"


async def test_asking_exactly_ninety_percent_needs_no_approval(client, keys):
    disposal = await open_disposal(client, keys)

    response = await ok(
        client, keys.trading_centre, "/v1/listings", listing_body(disposal, asking_price="2700000")
    )

    assert response.status_code == 201


async def test_a_second_listing_while_one_is_open_is_refused(client, keys, container):
    listing = await listed(client, keys)
    body = {"disposal_id": listing["disposal_id"], "asking_price": "2900000.00", "listed_on": TODAY}

    await refused(
        client, container, keys.trading_centre, "/v1/listings", body, 409, "invalid_state"
    )


async def test_a_sale_below_the_asking_price_is_refused(client, keys, container):
    listing = await taken(client, keys)
    body = {"buyer": BIDDER, "price": "2799999.99", "sold_on": TODAY}

    url = f"/v1/listings/{listing['id']}/sale"
    await refused(client, container, keys.trading_centre, url, body, 422, "price_below_asking")


async def test_a_buyer_without_an_intention_cannot_buy(client, keys, container):
    listing = await taken(client, keys)
    body = {"buyer": STRANGER, "price": "3000000.00", "sold_on": TODAY}

    url = f"/v1/listings/{listing['id']}/sale"
    await refused(client, container, keys.trading_centre, url, body, 422, "buyer_without_intention")


async def test_the_platform_cannot_buy_back_before_the_deadline(client, keys, container):
    listing = await listed(client, keys)

    url = f"/v1/listings/{listing['id']}/buyback"
    await refused(client, container, keys.platform, url, BUYBACK, 404, "not_found")


async def test_the_platform_buys_back_once_the_listing_expired(client, keys):
    listing = await expired(client, keys)

    response = await ok(client, keys.platform, f"/v1/listings/{listing['id']}/buyback", BUYBACK)

    bought = response.json()
    assert (bought["status"], bought["buyback"]["buyer"]) == ("bought_back", PUBLIC_BUYER)


async def test_an_intention_after_withdrawal_is_refused(client, keys, container):
    listing = await listed(client, keys)
    url = f"/v1/listings/{listing['id']}"
    await ok(client, keys.trading_centre, f"{url}/withdrawal", {"reason": "pledgor repaid"})

    body = {"bidder": BIDDER, "registered_on": TODAY}
    await refused(
        client, container, keys.trading_centre, f"{url}/intentions", body, 409, "invalid_state"
    )


async def test_a_stale_if_match_on_a_listing_action_is_refused(client, keys, container):
    listing = await listed(client, keys)
    url = f"/v1/listings/{listing['id']}"
    etag = (await get(client, keys.trading_centre, url)).headers["ETag"]
    await ok(
        client, keys.trading_centre, f"{url}/intentions", {"bidder": BIDDER, "registered_on": TODAY}
    )

    body = {"bidder": RIVAL, "registered_on": TODAY}
    await refused(
        client,
        container,
        keys.trading_centre,
        f"{url}/intentions",
        body,
        412,
        "version_mismatch",
        **{"If-Match": etag},
    )


# ---- settlement ----------------------------------------------------------------------


async def test_settlement_before_a_sale_or_buyback_is_refused(client, keys, container):
    listing = await taken(client, keys)
    body = {"proceeds": "3000000.00", "costs": "0.00", "settled_on": TODAY}

    url = f"/v1/disposals/{listing['disposal_id']}/settlement"
    await refused(client, container, keys.trading_centre, url, body, 409, "invalid_state")


async def test_costs_greater_than_proceeds_are_refused(client, keys, container):
    listing = await taken(client, keys)
    sale = {"buyer": BIDDER, "price": "2800000.00", "sold_on": TODAY}
    await ok(client, keys.trading_centre, f"/v1/listings/{listing['id']}/sale", sale)
    body = {"proceeds": "2800000.00", "costs": "2800000.01", "settled_on": TODAY}

    url = f"/v1/disposals/{listing['disposal_id']}/settlement"
    problem = await refused(
        client, container, keys.trading_centre, url, body, 422, "validation_error"
    )
    assert [e["field"] for e in problem["errors"]] == ["costs"]


# ---- risk compensation ---------------------------------------------------------------


async def test_a_claim_on_a_pledge_without_risk_compensation_is_refused(client, keys, container):
    pledge = await defaulted_pledge(client, keys, enrolled=False)

    url = f"/v1/pledges/{pledge['id']}/compensation-claims"
    await refused(client, container, keys.bank_a, url, None, 422, "not_enrolled")


async def test_a_second_claim_on_a_pledge_is_refused(client, keys, container):
    claim = await claimed(client, keys)

    url = f"/v1/pledges/{claim['pledge_id']}/compensation-claims"
    await refused(client, container, keys.bank_a, url, None, 409, "invalid_state")


async def test_another_fund_cannot_advance_a_claim(client, keys, container):
    claim = await claimed(client, keys)
    _, other_fund = container.principals.create(
        "Shanghai fund", "compensation_fund", "SH-RCF", START
    )

    url = f"/v1/compensation-claims/{claim['id']}/advance"
    await refused(client, container, other_fund, url, {"paid_on": TODAY}, 404, "not_found")


async def test_a_claim_is_advanced_only_once(client, keys, container):
    claim = await claimed(client, keys)
    url = f"/v1/compensation-claims/{claim['id']}/advance"
    await ok(client, keys.fund, url, {"paid_on": TODAY})

    await refused(client, container, keys.fund, url, {"paid_on": TODAY}, 409, "invalid_state")


# ---- dates in the future (422 date_in_future) ------------------------------------


async def test_a_listing_dated_in_the_future_is_refused(client, keys, container):
    disposal = await open_disposal(client, keys)
    body = listing_body(disposal, listed_on=TOMORROW)

    await refused(
        client, container, keys.trading_centre, "/v1/listings", body, 422, "date_in_future"
    )


async def test_an_intention_dated_in_the_future_is_refused(client, keys, container):
    listing = await listed(client, keys)
    body = {"bidder": BIDDER, "registered_on": TOMORROW}

    url = f"/v1/listings/{listing['id']}/intentions"
    await refused(client, container, keys.trading_centre, url, body, 422, "date_in_future")


async def test_a_sale_dated_in_the_future_is_refused(client, keys, container):
    listing = await taken(client, keys)
    body = {"buyer": BIDDER, "price": "2800000.00", "sold_on": TOMORROW}

    url = f"/v1/listings/{listing['id']}/sale"
    await refused(client, container, keys.trading_centre, url, body, 422, "date_in_future")


async def test_a_buyback_dated_in_the_future_is_refused(client, keys, container):
    listing = await expired(client, keys)  # today is now 2026-07-05
    body = {**BUYBACK, "bought_on": "2026-07-06"}

    url = f"/v1/listings/{listing['id']}/buyback"
    await refused(client, container, keys.platform, url, body, 422, "date_in_future")


async def test_an_advance_dated_in_the_future_is_refused(client, keys, container):
    claim = await claimed(client, keys)

    url = f"/v1/compensation-claims/{claim['id']}/advance"
    await refused(client, container, keys.fund, url, {"paid_on": TOMORROW}, 422, "date_in_future")


async def test_a_settlement_dated_in_the_future_is_refused(client, keys, container):
    listing = await taken(client, keys)
    sale = {"buyer": BIDDER, "price": "2800000.00", "sold_on": TODAY}
    await ok(client, keys.trading_centre, f"/v1/listings/{listing['id']}/sale", sale)
    body = {"proceeds": "2800000.00", "costs": "0.00", "settled_on": TOMORROW}

    url = f"/v1/disposals/{listing['disposal_id']}/settlement"
    await refused(client, container, keys.trading_centre, url, body, 422, "date_in_future")


# ---- visibility (contract §2) ------------------------------------------------------------


async def listings_page(client, key: str, container, **params: Any) -> dict:
    """GET /v1/listings once the read model holds every write so far."""
    response = await get(
        client, key, "/v1/listings", min_position=container.store.max_position(), **params
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_bank_sees_its_own_disposals_and_listings(client, keys, container):
    listing = await listed(client, keys)

    disposal = await get(client, keys.bank_a, f"/v1/disposals/{listing['disposal_id']}")
    single = await get(client, keys.bank_a, f"/v1/listings/{listing['id']}")
    page = await listings_page(client, keys.bank_a, container)

    assert (disposal.status_code, single.status_code) == (200, 200)
    assert single.json()["id"] == listing["id"]
    assert ids(page) == [listing["id"]]


async def test_a_bank_sees_neither_the_disposals_nor_the_listings_of_another_bank(
    client, keys, container
):
    listing = await listed(client, keys)

    disposal = await get(client, keys.bank_b, f"/v1/disposals/{listing['disposal_id']}")
    single = await get(client, keys.bank_b, f"/v1/listings/{listing['id']}")
    page = await listings_page(client, keys.bank_b, container)

    assert_problem(disposal, 404, "not_found")
    assert_problem(single, 404, "not_found")
    assert ids(page) == []


async def test_the_platform_sees_a_listing_only_once_it_awaits_buyback(client, keys, container):
    listing = await listed(client, keys)
    url = f"/v1/listings/{listing['id']}"
    hidden = await get(client, keys.platform, url)
    hidden_page = await listings_page(client, keys.platform, container)

    await ok(client, keys.admin, "/v1/_clock", {"advance_days": 181})

    assert_problem(hidden, 404, "not_found")
    assert ids(hidden_page) == []
    shown = await get(client, keys.platform, url)
    assert (shown.status_code, shown.json()["status"]) == (200, "buyback_pending")
    assert ids(await listings_page(client, keys.platform, container)) == [listing["id"]]


async def test_the_trading_centre_sees_every_banks_listings(client, keys, container):
    mine = await listed(client, keys, serial=1, bank=keys.bank_a)
    theirs = await listed(client, keys, serial=2, bank=keys.bank_b)

    page = await listings_page(client, keys.trading_centre, container)

    assert ids(page) == [mine["id"], theirs["id"]]
    for listing in (mine, theirs):
        single = await get(client, keys.trading_centre, f"/v1/listings/{listing['id']}")
        assert single.status_code == 200


async def test_the_deadline_watch_lists_only_listed_listings_due_within_30_days(
    client, keys, container
):
    due_soon = await listed(client, keys, serial=1)  # deadline 2026-07-04
    taken_early = await taken(client, keys, serial=2)  # deadline 2026-07-04, but taken
    later = await open_disposal(client, keys, serial=3)
    await ok(client, keys.admin, "/v1/_clock", {"advance_days": 27})  # 2026-02-01
    body = listing_body(later, listed_on="2026-02-01")  # deadline 2026-07-31
    await ok(client, keys.trading_centre, "/v1/listings", body)
    moved = await ok(client, keys.admin, "/v1/_clock", {"now": "2026-06-10T09:00:00+08:00"})
    assert moved.json()["fired"] == []

    page = await listings_page(client, keys.trading_centre, container, deadline_within_days=30)

    assert ids(page) == [due_soon["id"]]
    assert taken_early["id"] not in ids(page)
    assert page["items"][0]["status"] == "listed"
    assert page["items"][0]["days_remaining"] == 24  # 2026-06-10 -> 2026-07-04


async def test_an_idempotent_listing_creation_replays_the_same_listing(client, keys, container):
    disposal = await open_disposal(client, keys)
    headers = {"Idempotency-Key": "listing-0001"}
    first = await ok(client, keys.trading_centre, "/v1/listings", listing_body(disposal), **headers)
    position = container.store.max_position()

    again = await client.post(
        "/v1/listings",
        json=listing_body(disposal),
        headers={**auth(keys.trading_centre), **headers},
    )

    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert container.store.max_position() == position
