"""The quarterly supervision report and banks' NPL submissions over HTTP (contract §9).

The scenario, every business date 2026-01-05 (2026-Q1), figures worked out by hand:
  P1 BANK-A  patent 1 + trademark 1  5,000,000.00, defaulted with 4,200,000.00 outstanding
  P2 BANK-A  patent 2                3,000,000.00
  P3 BANK-B  patent 3                2,000,000.00, defaulted with 1,500,000.00 outstanding,
             disposal appraised 1,600,000.00, sold for 1,550,000.00, settled (ended)
  P4 BANK-B  trademark 2             4,000,000.00, released (ended)
  P5 BANK-B  patent 4                1,000,000.00
At the quarter's end BANK-A has 8,000,000.00 live of which 4,200,000.00 outstanding in
default: 0.5250 (52.50 %); BANK-B has only P5 live and nothing in default: 0.0000.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from events.projections.report_queries import npl_figures
from tests.api.support import assert_problem, register_patent
from tests.builders import credit_code, filing, party, trademark_entry
from tests.conftest import auth

BUYER = {"name": "Hubei Changjiang Tech Investment Co., Ltd.", "credit_code": credit_code(900)}
ON = "2026-01-05"
ZERO = {"count": 0, "amount": "0.00"}


async def call(client, method, key, url, body=None, expected=(200, 201)):
    response = await client.request(method, url, json=body, headers=auth(key))
    assert response.status_code in expected, response.text
    return response


async def pledge(client, key, items, amount) -> str:
    body = filing(party(1), items, secured_amount=amount)
    response = await call(client, "POST", key, "/v1/pledges", body)
    assert response.json()["status"] == "registered"
    return response.json()["id"]


async def default(client, key, pledge_id, outstanding):
    body = {"declared_on": ON, "outstanding_amount": outstanding}
    await call(client, "POST", key, f"/v1/pledges/{pledge_id}/default", body)


async def sell_and_settle(client, keys, pledge_id) -> str:
    disposal = await call(
        client,
        "POST",
        keys.bank_b,
        "/v1/disposals",
        {"pledge_id": pledge_id, "route": "exchange_listing", "appraised_value": "1600000.00"},
    )
    listing = await call(
        client,
        "POST",
        keys.trading_centre,
        "/v1/listings",
        {"disposal_id": disposal.json()["id"], "asking_price": "1500000.00", "listed_on": ON},
    )
    url = f"/v1/listings/{listing.json()['id']}"
    tc = keys.trading_centre
    await call(client, "POST", tc, f"{url}/intentions", {"bidder": BUYER, "registered_on": ON})
    await call(
        client, "POST", tc, f"{url}/sale", {"buyer": BUYER, "price": "1550000.00", "sold_on": ON}
    )
    settled = await call(
        client,
        "POST",
        tc,
        f"/v1/disposals/{disposal.json()['id']}/settlement",
        {"proceeds": "1550000.00", "costs": "50000.00", "settled_on": ON},
    )
    return settled.headers["X-Log-Position"]


@pytest.fixture
async def position(client, keys) -> str:
    """Builds the scenario; returns the log position of its last event."""
    patents = [await register_patent(client, keys, n) for n in (1, 2, 3, 4)]
    for mark in ("10000001", "10000002"):
        entry = trademark_entry([party(1)])
        await call(client, "PUT", keys.ip_office, f"/v1/ip-rights/trademark/{mark}", entry)
    patent = [{"kind": "invention_patent", "number": n} for n in patents]
    marks = [{"kind": "trademark", "number": n} for n in ("10000001", "10000002")]

    p1 = await pledge(client, keys.bank_a, [patent[0], marks[0]], "5000000.00")
    await pledge(client, keys.bank_a, [patent[1]], "3000000.00")
    p3 = await pledge(client, keys.bank_b, [patent[2]], "2000000.00")
    p4 = await pledge(client, keys.bank_b, [marks[1]], "4000000.00")
    await pledge(client, keys.bank_b, [patent[3]], "1000000.00")
    await default(client, keys.bank_a, p1, "4200000.00")
    await default(client, keys.bank_b, p3, "1500000.00")
    await call(
        client,
        "POST",
        keys.bank_b,
        f"/v1/pledges/{p4}/release",
        {"released_on": ON, "reason": "repaid"},
    )
    return await sell_and_settle(client, keys, p3)


async def submit_npl(client, key, bank, period, ratio="0.0150"):
    url = f"/v1/banks/{bank}/npl/{period}"
    return await client.put(url, json={"overall_npl_ratio": ratio}, headers=auth(key))


async def report(client, keys, position="0", year=2026, quarter=1, accept="application/json"):
    params = {"year": year, "quarter": quarter, "min_position": position}
    headers = {**auth(keys.regulator), "Accept": accept}
    response = await client.get("/v1/reports/quarterly", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response


def facts(**counted):
    return {
        f: counted.get(f, ZERO)
        for f in ("registration", "release", "default", "disposal", "sale", "buyback")
    }


def n(count, amount):
    return {"count": count, "amount": amount}


async def test_the_report_counts_and_amounts_each_fact_in_total_by_kind_and_by_bank(
    client, keys, position
):
    body = (await report(client, keys, position)).json()

    assert (body["period"], body["from"], body["to"]) == ("2026-Q1", "2026-01-01", "2026-03-31")
    assert body["totals"] == facts(
        registration=n(5, "15000000.00"),
        release=n(1, "4000000.00"),
        default=n(2, "5700000.00"),
        disposal=n(1, "1600000.00"),
        sale=n(1, "1550000.00"),
    )
    # P1 holds a patent and a trademark: it counts under both kinds.
    assert body["by_kind"] == [
        {
            "kind": "invention_patent",
            "facts": facts(
                registration=n(4, "11000000.00"),
                default=n(2, "5700000.00"),
                disposal=n(1, "1600000.00"),
                sale=n(1, "1550000.00"),
            ),
        },
        {
            "kind": "trademark",
            "facts": facts(
                registration=n(2, "9000000.00"),
                release=n(1, "4000000.00"),
                default=n(1, "4200000.00"),
            ),
        },
    ]
    assert any("counts under each" in note for note in body["notes"])
    assert [(b["bank"], b["facts"]) for b in body["by_bank"]] == [
        ("BANK-A", facts(registration=n(2, "8000000.00"), default=n(1, "4200000.00"))),
        (
            "BANK-B",
            facts(
                registration=n(3, "7000000.00"),
                release=n(1, "4000000.00"),
                default=n(1, "1500000.00"),
                disposal=n(1, "1600000.00"),
                sale=n(1, "1550000.00"),
            ),
        ),
    ]


async def test_a_bank_far_above_its_overall_ratio_is_out_of_tolerance_another_within(
    client, keys, position
):
    assert (await submit_npl(client, keys.bank_a, "BANK-A", "2026-Q1")).status_code == 201
    assert (await submit_npl(client, keys.bank_b, "BANK-B", "2026-Q1")).status_code == 201

    banks = {b["bank"]: b for b in (await report(client, keys, position)).json()["by_bank"]}

    npl = ("live_secured_amount", "defaulted_outstanding_amount", "ip_pledge_npl_ratio")
    verdict = ("overall_npl_ratio", "difference_pp", "within_tolerance")
    assert [banks["BANK-A"][k] for k in npl] == ["8000000.00", "4200000.00", "0.5250"]
    assert [banks["BANK-A"][k] for k in verdict] == ["0.0150", "51.00", False]
    # P3 was disposed of before the quarter's end: its default no longer counts.
    assert [banks["BANK-B"][k] for k in npl] == ["1000000.00", "0.00", "0.0000"]
    assert [banks["BANK-B"][k] for k in verdict] == ["0.0150", "-1.50", True]


async def test_without_a_submission_there_is_no_overall_ratio_and_no_verdict(
    client, keys, position
):
    banks = {b["bank"]: b for b in (await report(client, keys, position)).json()["by_bank"]}

    assert banks["BANK-A"]["ip_pledge_npl_ratio"] == "0.5250"
    assert [
        banks["BANK-A"][k] for k in ("overall_npl_ratio", "difference_pp", "within_tolerance")
    ] == [
        None,
        None,
        None,
    ]


async def test_a_bank_with_no_live_pledge_has_no_ip_pledge_npl_ratio(client, keys, position):
    await submit_npl(client, keys.bank_a, "BANK-A", "2025-Q4")

    body = (await report(client, keys, position, year=2025, quarter=4)).json()

    assert body["totals"] == facts()
    assert body["by_kind"] == []
    [bank] = body["by_bank"]
    assert (bank["bank"], bank["ip_pledge_npl_ratio"], bank["overall_npl_ratio"]) == (
        "BANK-A",
        None,
        "0.0150",
    )
    assert (bank["difference_pp"], bank["within_tolerance"]) == (None, None)


@pytest.mark.parametrize(
    ("ratio", "overall", "difference", "within"),
    [("0.0450", "0.0150", "3.00", True), ("0.0451", "0.0150", "3.01", False)],
)
def test_tolerance_allows_exactly_three_percentage_points_above(ratio, overall, difference, within):
    figures = npl_figures(Decimal("10000.00"), Decimal(ratio) * 10000, overall)

    assert (figures["ip_pledge_npl_ratio"], figures["difference_pp"]) == (ratio, difference)
    assert figures["within_tolerance"] is within


async def test_the_report_is_csv_when_the_client_prefers_it(client, keys, position):
    await submit_npl(client, keys.bank_a, "BANK-A", "2026-Q1")

    response = await report(client, keys, position, accept="text/csv, application/json;q=0.5")

    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    lines = response.text.splitlines()
    assert lines[0] == "year,quarter,section,key,measure,count,value"
    # 6 facts x (total + 2 kinds + 2 banks) + 6 NPL measures x 2 banks
    assert len(lines) == 1 + 6 * 5 + 6 * 2
    assert "2026,1,total,,registration,5,15000000.00" in lines
    assert "2026,1,kind,trademark,registration,2,9000000.00" in lines
    assert "2026,1,bank,BANK-B,sale,1,1550000.00" in lines
    assert "2026,1,npl,BANK-A,ip_pledge_npl_ratio,,0.5250" in lines
    assert "2026,1,npl,BANK-A,within_tolerance,,false" in lines
    assert "2026,1,npl,BANK-B,within_tolerance,," in lines


@pytest.mark.parametrize("accept", ["*/*", "application/json, text/csv;q=0.9", "text/html"])
async def test_json_stays_the_answer_unless_csv_is_preferred(client, keys, accept):
    response = await report(client, keys, accept=accept)

    assert response.headers["content-type"] == "application/json"
    assert response.json()["period"] == "2026-Q1"


async def test_only_a_regulator_may_read_the_report(client, keys):
    for key in (keys.bank_a, keys.admin, keys.ip_office, keys.partner):
        response = await client.get(
            "/v1/reports/quarterly", params={"year": 2026, "quarter": 1}, headers=auth(key)
        )
        assert_problem(response, 403, "forbidden")


async def test_a_bank_submits_its_npl_ratio_then_replaces_it(client, keys):
    first = await submit_npl(client, keys.bank_a, "BANK-A", "2026-Q1", "0.0150")
    second = await submit_npl(client, keys.bank_a, "BANK-A", "2026-Q1", "0.018")

    assert first.status_code == 201 and second.status_code == 200
    body = second.json()
    assert {k: body[k] for k in ("institution_id", "period", "year", "quarter")} == {
        "institution_id": "BANK-A",
        "period": "2026-Q1",
        "year": 2026,
        "quarter": 1,
    }
    assert body["overall_npl_ratio"] == "0.018"
    banks = (await report(client, keys)).json()["by_bank"]
    assert [(b["bank"], b["overall_npl_ratio"]) for b in banks] == [("BANK-A", "0.018")]


async def test_a_bank_cannot_submit_for_another_institution(client, keys):
    assert_problem(await submit_npl(client, keys.bank_b, "BANK-A", "2026-Q1"), 403, "forbidden")
    assert_problem(await submit_npl(client, keys.regulator, "HB-FSB", "2026-Q1"), 403, "forbidden")


@pytest.mark.parametrize("period", ["2026-Q5", "2026Q1", "26-Q1", "2026-q1", "0000-Q1"])
async def test_a_malformed_period_is_a_validation_error(client, keys, period):
    response = await submit_npl(client, keys.bank_a, "BANK-A", period)

    body = assert_problem(response, 422, "validation_error")
    assert body["errors"][0]["field"] == "period"


@pytest.mark.parametrize("ratio", ["1.5", "-0.01", "0.1234567", "1.5%", 0.015])
async def test_a_ratio_outside_0_to_1_with_6_decimals_is_a_validation_error(client, keys, ratio):
    response = await submit_npl(client, keys.bank_a, "BANK-A", "2026-Q1", ratio)

    body = assert_problem(response, 422, "validation_error")
    assert body["errors"][0]["field"] == "overall_npl_ratio"


async def test_a_quarter_that_has_not_begun_is_rejected(client, keys):
    future = await client.get(
        "/v1/reports/quarterly", params={"year": 2026, "quarter": 2}, headers=auth(keys.regulator)
    )
    assert_problem(future, 422, "validation_error")
    assert_problem(
        await submit_npl(client, keys.bank_a, "BANK-A", "2026-Q2"), 422, "validation_error"
    )
