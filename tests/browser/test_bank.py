"""A bank files a pledge from the form: a refusal with its reasons in words, then a
registration; it amends it; its session cannot open another bank's pledge, and a form posted
without its CSRF token changes nothing."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.conftest import no_serious_accessibility_violations, shot, sign_in
from tests.builders import party, patent_entry, patent_number

pytestmark = pytest.mark.e2e  # a real `ipledge serve` and a real browser

PLEDGOR = party(9101, "Wuhan Optics Valley Photonics Co., Ltd.")
GRANTED = patent_number(7000001, year=2016)
PENDING = patent_number(7000002, year=2016)


@pytest.fixture(scope="module")
def register(console) -> None:
    """Two patents of the pledgor, one granted (fee year 12 due within 90 days), one pending."""
    office = {"Authorization": f"Bearer {console.keys['ip_office']}"}
    entries = {
        GRANTED: patent_entry([PLEDGOR], filing_date="2015-03-10", annuity_paid_through_year=11),
        PENDING: patent_entry([PLEDGOR], grant_date=None, status="pending"),
    }
    for number, entry in entries.items():
        url = f"{console.url}/v1/ip-rights/invention_patent/{number}"
        assert httpx.put(url, json=entry, headers=office).status_code == 201


def fill_filing(page, items: str) -> None:
    page.goto("/console/bank/pledges/new")
    fields = {
        "#pledgor_name": PLEDGOR["name"],
        "#pledgor_code": PLEDGOR["credit_code"],
        "#contract_number": "HBB-2025-7781",
        "#principal": "3000000.00",
        "#start_date": "2025-12-01",
        "#maturity_date": "2027-11-30",
        "#secured_amount": "3000000.00",
        "#items": items,
        "#valuation_amount": "4500000.00",
    }
    for selector, value in fields.items():
        page.fill(selector, value)
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()


def test_a_bank_sees_a_refusal_with_its_reasons_then_registers(page, console, register):
    sign_in(page, console.keys["bank:BANK-HBB"])
    shot(page, "pledges-list")
    no_serious_accessibility_violations(page)
    page.select_option("#status", "refused")
    page.get_by_role("button", name="筛选").click()
    statuses = page.locator("tbody td:nth-child(2)").all_inner_texts()
    assert statuses and all(s == "不予登记" for s in statuses)
    fill_filing(page, f"invention_patent ZL{GRANTED}\ninvention_patent {PENDING}")
    result = page.locator("#examination")
    assert "不予登记" in result.inner_text()
    assert "尚未授权" in result.inner_text() and PENDING in result.inner_text()
    shot(page, "refused-with-reasons")

    fill_filing(page, f"invention_patent {GRANTED}")
    assert "已登记" in page.locator("#examination").inner_text()
    fees = page.locator("tr.due-soon")
    assert fees.count() == 1 and "2026-03-10" in fees.inner_text()
    no_serious_accessibility_violations(page)
    shot(page, "registered-with-fee-schedule")

    page.fill("#amend_amount", "2800000.00")
    page.fill("#amend_reason", "partial repayment")
    page.get_by_role("button", name="变更").click()
    assert page.get_by_role("status").inner_text() == "已完成。"
    assert "2800000.00" in page.locator("dl.facts").inner_text()
    shot(page, "amended")


def test_a_bank_cannot_open_another_banks_pledge(page, console):
    other = {"Authorization": f"Bearer {console.keys['bank:BANK-SHRCB']}"}
    theirs = httpx.get(f"{console.url}/v1/pledges", params={"limit": 1}, headers=other).json()
    sign_in(page, console.keys["bank:BANK-HBB"])
    response = page.goto(f"/console/bank/pledges/{theirs['items'][0]['id']}")
    assert response.status == 404
    shot(page, "other-banks-pledge-404")
    assert page.goto("/console/regulator").status == 403  # not a bank's page


def test_a_form_posted_without_its_csrf_token_is_refused_and_changes_nothing(page, console):
    sign_in(page, console.keys["bank:BANK-HBB"])
    bank = {"Authorization": f"Bearer {console.keys['bank:BANK-HBB']}"}
    mine = httpx.get(
        f"{console.url}/v1/pledges", params={"limit": 1, "status": "registered"}, headers=bank
    ).json()["items"][0]
    response = page.request.post(
        f"/console/bank/pledges/{mine['id']}/default",
        form={"declared_on": "2026-01-05", "outstanding_amount": "1.00"},
    )
    assert response.status == 403
    after = httpx.get(f"{console.url}/v1/pledges/{mine['id']}", headers=bank).json()
    assert after["status"] == "registered" and after["version"] == mine["version"]


def test_a_bank_adds_a_webhook_endpoint_and_reads_its_delivery_log(page, console):
    sign_in(page, console.keys["bank:BANK-HBB"])
    page.goto("/console/webhooks")
    page.fill("#wh-url", "http://127.0.0.1:9/ipledge-events")  # nobody listens: attempts fail
    page.fill("#wh-types", "*")
    page.get_by_role("button", name="添加").click()
    assert page.locator("#new-secret").inner_text().startswith("whsec_")

    bank = {"Authorization": f"Bearer {console.keys['bank:BANK-HBB']}"}
    mine = httpx.get(
        f"{console.url}/v1/pledges", params={"limit": 1, "status": "registered"}, headers=bank
    ).json()["items"][0]
    amended = httpx.post(
        f"{console.url}/v1/pledges/{mine['id']}/amendments",
        json={"reason": "rate reset", "loan_contract_number": "HBB-2026-0001"},
        headers=bank,
    )
    assert amended.status_code == 200, amended.text
    for _ in range(40):
        page.goto("/console/webhooks")
        if page.locator("section.card tbody tr code").count():
            break
        page.wait_for_timeout(250)
    assert "pledge.amended" in page.locator("section.card tbody").inner_text()
    no_serious_accessibility_violations(page)
    shot(page, "webhooks-delivery-log")
