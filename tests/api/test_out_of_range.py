"""Regressions of issue 8: numbers, dates and instants out of range and business dates out of
order are refused with a problem, write nothing, and never stall a read model."""

from __future__ import annotations

import base64
import json

import pytest

from tests.api.support import fields_of, patent_filing, refused, register_patent, registered_pledge
from tests.builders import party, patent_entry, patent_number
from tests.conftest import auth

HUGE = 10**20


# ---- 2. every number and date has a range -------------------------------------------


async def test_a_filing_date_in_year_9999_is_refused_and_the_right_still_reads(
    client, keys, container
):
    number = await register_patent(client, keys, 1)
    url = f"/v1/ip-rights/invention_patent/{number}"
    entry = patent_entry([party(1)], filing_date="9999-01-01", grant_date=None, status="pending")

    problem = await refused(
        client, container, "PUT", url, keys.ip_office, 422, "validation_error", json=entry
    )

    assert fields_of(problem) == ["filing_date"]
    assert (await client.get(url, headers=auth(keys.ip_office))).status_code == 200


async def test_a_filing_date_after_today_is_refused(client, keys, container):
    url = f"/v1/ip-rights/invention_patent/{patent_number(1)}"
    entry = patent_entry([party(1)], filing_date="2026-01-06", grant_date=None, status="pending")

    await refused(client, container, "PUT", url, keys.ip_office, 422, "date_in_future", json=entry)


@pytest.mark.parametrize(
    "loan_field, value", [("start_date", "1900-01-01"), ("maturity_date", "2101-01-01")]
)
async def test_loan_dates_outside_1985_to_2100_are_refused(
    client, keys, container, loan_field, value
):
    number = await register_patent(client, keys, 1)
    body = patent_filing(number)
    body["loan"][loan_field] = value

    problem = await refused(
        client, container, "POST", "/v1/pledges", keys.bank_a, 422, "validation_error", json=body
    )

    assert fields_of(problem) == [f"loan.{loan_field}"]


# ---- 3. huge integers and extreme instants ------------------------------------------


def cursor_of(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize("after", [HUGE, -1, True, 1.5, "7"])
async def test_a_list_cursor_outside_the_position_range_is_a_validation_error(
    client, keys, container, after
):
    problem = await refused(
        client,
        container,
        "GET",
        "/v1/pledges",
        keys.bank_a,
        422,
        "validation_error",
        params={"cursor": cursor_of({"after": after})},
    )

    assert fields_of(problem) == ["cursor"]


@pytest.mark.parametrize(
    "url, params, key",
    [
        ("/v1/feed", {"after": HUGE}, "bank_a"),
        ("/v1/audit/log", {"after": HUGE}, "regulator"),
        ("/v1/audit/proofs/inclusion", {"position": 1, "tree_size": HUGE}, "regulator"),
        ("/v1/audit/proofs/consistency", {"first": 1, "second": HUGE}, "regulator"),
        ("/v1/pledges", {"min_position": HUGE}, "bank_a"),
    ],
)
async def test_a_position_beyond_64_bits_is_a_validation_error(
    client, keys, container, url, params, key
):
    await refused(
        client, container, "GET", url, getattr(keys, key), 422, "validation_error", params=params
    )


async def test_webhook_positions_beyond_64_bits_are_validation_errors(client, keys, container):
    created = await client.post(
        "/v1/webhook-endpoints",
        headers=auth(keys.bank_a),
        json={"url": "https://93.184.216.34/hooks", "event_types": ["*"]},
    )
    endpoint = f"/v1/webhook-endpoints/{created.json()['id']}"

    await refused(
        client,
        container,
        "GET",
        f"{endpoint}/deliveries",
        keys.bank_a,
        422,
        "validation_error",
        params={"cursor": "99999999999999999999"},
    )
    await refused(
        client,
        container,
        "POST",
        f"{endpoint}/replay",
        keys.bank_a,
        422,
        "validation_error",
        json={"from_position": HUGE},
    )


@pytest.mark.parametrize("instant", ["9999-12-31T23:59:00-12:00", "0001-01-01T00:00:00+14:00"])
async def test_an_as_of_outside_1985_to_2100_is_a_validation_error(
    client, keys, container, instant
):
    pledge = await registered_pledge(client, keys, 1)

    problem = await refused(
        client,
        container,
        "GET",
        f"/v1/pledges/{pledge['id']}",
        keys.bank_a,
        422,
        "validation_error",
        params={"as_of": instant},
    )

    assert fields_of(problem) == ["as_of"]


@pytest.mark.parametrize(
    "move, field",
    [
        ({"now": "9999-12-31T23:59:00-12:00"}, "now"),
        ({"now": "2100-12-31T23:59:00-12:00"}, "now"),  # already 2101 in Beijing
        ({"advance_days": 36600}, "advance_days"),
        ({"advance_days": HUGE}, "advance_days"),
    ],
)
async def test_the_clock_cannot_be_moved_past_2100(client, keys, container, move, field):
    problem = await refused(
        client, container, "POST", "/v1/_clock", keys.admin, 422, "validation_error", json=move
    )

    assert fields_of(problem) == [field]


# ---- 11. one rule for business dates -------------------------------------------------


@pytest.mark.parametrize(
    "action, body, status, code",
    [
        ("default", {"declared_on": "9999-12-31", "outstanding_amount": "1.00"}, 422, None),
        ("default", {"declared_on": "2026-01-06", "outstanding_amount": "1.00"}, 422, None),
        ("release", {"released_on": "9999-12-31", "reason": "repaid"}, 422, None),
        ("release", {"released_on": "2026-01-06", "reason": "repaid"}, 422, None),
        ("release", {"released_on": "2026-01-04", "reason": "repaid"}, 422, None),
    ],
)
async def test_a_pledge_command_dated_in_the_future_or_before_registration_is_refused(
    client, keys, container, action, body, status, code
):
    pledge = await registered_pledge(client, keys, 1)
    day = next(v for k, v in body.items() if k.endswith("_on"))
    expected = {
        "9999-12-31": "validation_error",
        "2026-01-06": "date_in_future",
        "2026-01-04": "date_before_registration",
    }[day]

    await refused(
        client,
        container,
        "POST",
        f"/v1/pledges/{pledge['id']}/{action}",
        keys.bank_a,
        status,
        expected,
        json=body,
    )


async def test_an_annuity_prepayment_paid_tomorrow_is_refused(client, keys, container):
    pledge = await registered_pledge(client, keys, 1)
    payment = {
        "item": {"kind": "invention_patent", "number": patent_number(1)},
        "through_year": 13,
        "amount": "6000.00",
        "paid_on": "2026-01-06",
        "receipt_number": "CNIPA-FEE-1",
    }

    await refused(
        client,
        container,
        "POST",
        f"/v1/pledges/{pledge['id']}/annuity-prepayments",
        keys.bank_a,
        422,
        "date_in_future",
        json=payment,
    )
