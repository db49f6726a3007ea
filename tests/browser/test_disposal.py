"""The disposal side in the browser: the trading centre lists a defaulted pledge's collateral,
registers a taker, sells and settles; the clock passes 180 days and the disposal platform buys
another listing back; the fund sees its claims."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.conftest import (
    Console,
    Shots,
    no_serious_accessibility_violations,
    serve_a_copy,
    shot,
    sign_in,
)
from tests.builders import party

pytestmark = pytest.mark.e2e  # a real `ipledge serve` and a real browser


@pytest.fixture(scope="module")
def console(demo_template, tmp_path_factory):
    """Its own server: this module moves the clock 181 days."""
    template, keys = demo_template
    server = serve_a_copy(template, tmp_path_factory.mktemp("console-disposal"))
    yield Console(server, keys)
    server.stop()


TAKER = party(9201, "Wuhan East Lake Venture Capital Co., Ltd.")
TODAY = "2026-01-05"


def open_disposal(console, bank_label: str = "bank:BANK-HBB") -> str:
    """A registered pledge of the bank, declared in default, its disposal opened (by API)."""
    bank = {"Authorization": f"Bearer {console.keys[bank_label]}"}
    base = console.url
    pledge = httpx.get(
        f"{base}/v1/pledges", params={"status": "registered", "limit": 1}, headers=bank
    ).json()["items"][0]
    declared = httpx.post(
        f"{base}/v1/pledges/{pledge['id']}/default",
        json={"declared_on": TODAY, "outstanding_amount": pledge["secured_amount"]},
        headers=bank,
    )
    assert declared.status_code == 200, declared.text
    disposal = httpx.post(
        f"{base}/v1/disposals",
        json={
            "pledge_id": pledge["id"],
            "route": "exchange_listing",
            "appraised_value": "1500000.00",
        },
        headers=bank,
    )
    assert disposal.status_code == 201, disposal.text
    return disposal.json()["id"]


def list_it(page, disposal_id: str, price: str) -> None:
    page.goto("/console/listings")
    page.fill("#disposal_id", disposal_id)
    page.fill("#asking_price", price)
    page.get_by_role("button", name="挂牌", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("status").count() == 1, page.content()[:1500]
    assert page.get_by_role("status").inner_text() == "已完成。"


def fill_party(page, prefix: str) -> None:
    page.fill(f"#{prefix}-name", TAKER["name"])
    page.fill(f"#{prefix}-code", TAKER["credit_code"])


def test_the_trading_centre_lists_registers_a_taker_sells_and_settles(page, console):
    disposal_id = open_disposal(console)
    sign_in(page, console.keys["trading_centre"])
    shot(page, "listings-board")
    no_serious_accessibility_violations(page)
    list_it(page, disposal_id, "1500000.00")
    assert page.locator("#days-left").inner_text() == "180"

    fill_party(page, "int")
    page.get_by_role("button", name="登记意向").click()
    assert TAKER["name"] in page.locator("dl.facts").inner_text()
    fill_party(page, "sale")
    page.fill("#sale-price", "1600000.00")
    page.get_by_role("button", name="登记成交").click()
    shot(page, "sold")
    page.fill("#st-costs", "20000.00")
    page.get_by_role("button", name="结算").click()
    settled = page.locator("#settlement").inner_text()
    assert "1600000.00" in settled and "20000.00" in settled
    no_serious_accessibility_violations(page)
    shot(page, "settled-with-figures")


@pytest.fixture
def admin_page(browser, console, request):
    """A second browser, signed in apart from ``page``."""
    context = browser.new_context(base_url=console.url, locale="zh-CN")
    admin = context.new_page()
    admin.shots = Shots(f"{request.node.name}-admin")
    yield admin
    context.close()


def test_after_180_days_without_a_taker_the_platform_buys_back(page, console, admin_page):
    disposal_id = open_disposal(console)
    sign_in(page, console.keys["trading_centre"])
    list_it(page, disposal_id, "1500000.00")
    listing_url = page.url.split("?")[0]

    sign_in(admin_page, console.keys["admin"])
    admin_page.goto("/console/admin/clock")
    admin_page.fill("#advance_days", "181")
    admin_page.get_by_role("button", name="垫付").click()  # "Advance"
    assert admin_page.locator("#clock-today").inner_text() == "2026-07-05"
    shot(admin_page, "clock-moved")

    sign_in(page, console.keys["disposal_platform"])
    shot(page, "buyback-queue")
    no_serious_accessibility_violations(page)
    page.goto(listing_url)
    fill_party(page, "bb")
    page.get_by_role("button", name="回购").click()
    assert "已回购" in page.locator("h1").inner_text()
    shot(page, "bought-back")


def defaulted_today_with_compensation(console) -> dict:
    """A pledge this module declared in default whose loan is enrolled with the fund."""
    bank = {"Authorization": f"Bearer {console.keys['bank:BANK-HBB']}"}
    listed = httpx.get(f"{console.url}/v1/pledges", params={"limit": 500}, headers=bank).json()
    for summary in listed["items"]:
        pledge = httpx.get(f"{console.url}/v1/pledges/{summary['id']}", headers=bank).json()
        default = pledge.get("default") or {}
        live = pledge["status"] in ("in_default", "under_disposal")
        if live and pledge["risk_compensation"] and default.get("declared_on") == TODAY:
            return pledge
    raise AssertionError("no pledge defaulted today with risk compensation")


def test_a_bank_claims_compensation_and_the_fund_advances_it(page, console):
    open_disposal(console)  # at least one pledge defaulted today
    pledge = defaulted_today_with_compensation(console)
    sign_in(page, console.keys["bank:BANK-HBB"])
    page.goto(f"/console/bank/pledges/{pledge['id']}")
    page.get_by_role("button", name="申请风险补偿").click()
    assert page.get_by_role("status").inner_text() == "已完成。"

    sign_in(page, console.keys["compensation_fund"])
    assert page.locator("h1").inner_text() == "风险补偿申请"
    to_advance = page.locator("table").first.locator("tbody tr")
    assert to_advance.count() >= 1
    no_serious_accessibility_violations(page)
    shot(page, "claims-to-advance")
    to_advance.first.get_by_role("button", name="垫付").click()
    assert page.get_by_role("status").inner_text() == "已完成。"
    shot(page, "claim-advanced")
