"""The regulator reads: the dashboard's charts, a record's state moved back in time with the
as-of control, the quarterly report and its CSV, the audit checkpoint verified in the browser.
The administrator creates a principal (its key shown once) and revokes it, which ends the
revoked principal's console session at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import no_serious_accessibility_violations, shot, sign_in

pytestmark = pytest.mark.e2e  # a real `ipledge serve` and a real browser


def test_the_dashboard_draws_charts_by_month_kind_and_bank(page, console):
    sign_in(page, console.keys["regulator"])
    assert page.url.endswith("/console/regulator")
    charts = page.locator("figure.chart svg[role=img]")
    assert charts.count() == 12
    assert page.locator("figure.chart rect.bar").count() > 12
    no_serious_accessibility_violations(page)
    shot(page, "dashboard")


def test_the_as_of_control_shows_a_pledge_as_it_stood_before_its_amendment(page, console):
    sign_in(page, console.keys["regulator"])
    page.goto("/console/regulator/records")
    shot(page, "records")
    page.locator("#recent a").first.click()
    events = page.locator("ol.timeline li")
    assert events.count() >= 2
    latest_version = page.locator("#record-version").inner_text()
    first_event_time = events.first.locator("time").get_attribute("datetime")
    # 2024-12-02T01:00:00Z is 09:00:00 in China Standard Time, the control's zone.
    hour = int(first_event_time[11:13]) + 8
    page.fill("#as_of", f"{first_event_time[:10]}T{hour:02d}{first_event_time[13:19]}")
    page.get_by_role("button", name="显示").click()
    assert page.locator("#record-version").inner_text() == "1"
    assert latest_version != "1"
    no_serious_accessibility_violations(page)
    shot(page, "record-as-of")


def test_the_quarterly_report_shows_npl_tolerance_and_downloads_as_csv(page, console):
    sign_in(page, console.keys["regulator"])
    page.goto("/console/regulator/report")
    page.select_option("#year", "2024")
    page.select_option("#quarter", "4")
    page.get_by_role("button", name="显示").click()
    assert page.locator("#npl tbody tr").count() >= 2
    no_serious_accessibility_violations(page)
    shot(page, "quarterly-report")
    with page.expect_download() as download:
        page.click("#csv")
    assert download.value.suggested_filename == "ipledge-2024-Q4.csv"
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert "registration" in content and "BANK-HBB" in content


def test_the_audit_panel_verifies_the_latest_checkpoint_in_the_browser(page, console):
    sign_in(page, console.keys["regulator"])
    page.goto("/console/regulator/audit")
    page.wait_for_selector("#verification[data-result]")
    assert page.locator("#verification").get_attribute("data-result") == "verified"
    assert int(page.locator("#tree-size").inner_text()) > 0
    no_serious_accessibility_violations(page)
    shot(page, "audit")


def test_a_new_key_is_shown_once_and_revoking_it_ends_its_session(page, browser, console):
    sign_in(page, console.keys["admin"])
    page.fill("#p-name", "Console test bank")
    page.select_option("#p-role", "bank")
    page.fill("#p-inst", "BANK-TEST")
    page.get_by_role("button", name="创建").click()
    key = page.locator("#new-key").inner_text()
    assert key.startswith("ipk_")
    no_serious_accessibility_violations(page)
    shot(page, "principal-created")
    page.goto("/console/admin/principals")
    assert page.locator("#new-key").count() == 0

    other = browser.new_context(base_url=console.url, locale="zh-CN")
    bank_page = other.new_page()
    sign_in(bank_page, key)
    assert bank_page.url.endswith("/console/bank/pledges")
    page.get_by_role("button", name="吊销 Console test bank").click()
    bank_page.goto("/console/bank/pledges")
    assert bank_page.url.endswith("/console/sign-in")
    other.close()
