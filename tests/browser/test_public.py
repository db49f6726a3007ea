"""The public encumbrance search, its certificate checked in the browser, and sign-in."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import no_serious_accessibility_violations, shot, sign_in

pytestmark = pytest.mark.e2e  # a real `ipledge serve` and a real browser


def pledged_patent(console) -> str:
    import httpx

    bank = console.keys["bank:BANK-HBB"]
    page = httpx.get(
        f"{console.url}/v1/pledges",
        params={"status": "registered", "limit": 1},
        headers={"Authorization": f"Bearer {bank}"},
    ).json()
    pledge = httpx.get(
        f"{console.url}/v1/pledges/{page['items'][0]['id']}",
        headers={"Authorization": f"Bearer {bank}"},
    ).json()
    return next(i["number"] for i in pledge["items"] if i["kind"] == "invention_patent")


def test_anyone_searches_a_patent_and_the_browser_verifies_its_certificate(page, console):
    number = pledged_patent(console)
    page.goto("/console/search")
    page.get_by_label("号码").fill("ZL" + number.replace(".", ""))  # another accepted spelling
    page.get_by_role("button", name="查询").click()
    verdict = page.locator("#verification")
    page.wait_for_selector("#verification[data-result]")
    assert verdict.get_attribute("data-result") == "verified"
    assert "已出质" in page.locator("#encumbrance").inner_text()
    no_serious_accessibility_violations(page)
    shot(page, "certificate-verified")
    page.emulate_media(media="print")
    shot(page, "certificate-print")
    assert page.locator("form[role=search]").is_hidden()


def test_a_tampered_certificate_is_shown_as_not_verified(page, console):
    number = pledged_patent(console)
    page.goto(f"/console/search?kind=invention_patent&number={number}")
    page.wait_for_selector("#verification[data-result]")
    page.evaluate(
        """async () => {
            const source = document.getElementById('certificate-json');
            const answer = JSON.parse(source.textContent);
            answer.encumbered = false;
            source.textContent = JSON.stringify(answer);
            document.getElementById('verification').removeAttribute('data-result');
            await window.ipledgeVerify();
        }"""
    )
    assert page.locator("#verification").get_attribute("data-result") == "failed"
    shot(page, "certificate-tampered")


def test_the_console_speaks_english_when_asked_and_remembers_it(page):
    page.goto("/console/search?lang=en")
    assert page.get_by_role("heading", name="Encumbrance search").is_visible()
    page.goto("/console/search")
    assert page.locator("html").get_attribute("lang") == "en"
    no_serious_accessibility_violations(page)
    shot(page, "search-english")


def test_signing_in_keeps_only_an_httponly_strict_session_cookie(page, console):
    sign_in(page, console.keys["regulator"])
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["ipledge_console"]
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    assert console.keys["regulator"] not in str(page.context.cookies())
    assert not page.evaluate("document.cookie").count("ipledge_console=")
    assert re.search(r"/console/regulator", page.url)
    page.goto("/console/search")
    page.get_by_role("button", name="退出登录").click()
    assert "ipledge_console" not in {c["name"] for c in page.context.cookies()}
    page.goto("/console/regulator")
    assert page.url.endswith("/console/sign-in")


def test_a_wrong_key_is_refused_in_words(page):
    sign_in(page, "ipk_not_a_key")
    assert "API 密钥无效或已被吊销" in page.get_by_role("alert").inner_text()


def test_a_sign_in_posted_from_elsewhere_is_refused(page, console):
    response = page.request.post(
        "/console/sign-in", form={"api_key": console.keys["regulator"], "csrf": "forged"}
    )
    assert response.status == 403
    assert "ipledge_console" not in {c["name"] for c in page.context.cookies()}


def test_the_keyboard_reaches_the_skip_link_first_and_it_leads_to_the_content(page):
    page.goto("/console/search")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    shot(page, "skip-link-focused")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
