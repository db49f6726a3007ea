"""From the console's plain HTML forms to the API's JSON bodies (shapes only: the API checks
every value and answers a problem in words when one is wrong)."""

from __future__ import annotations

from typing import Any


def blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def party(form: dict[str, str], prefix: str) -> dict[str, Any] | None:
    name, code = (
        blank_to_none(form.get(f"{prefix}_name")),
        blank_to_none(form.get(f"{prefix}_code")),
    )
    if name is None and code is None:
        return None
    return {"name": name or "", "credit_code": code or ""}


def items(text: str | None) -> list[dict[str, str]]:
    """One item a line: ``kind number`` (e.g. ``invention_patent ZL202310123456.6``)."""
    parsed = []
    for line in (text or "").splitlines():
        kind, _, number = line.strip().partition(" ")
        if kind:
            parsed.append({"kind": kind, "number": number.strip()})
    return parsed


def item(value: str | None) -> dict[str, str]:
    kind, _, number = (value or "").partition(":")
    return {"kind": kind, "number": number}


def pledge_filing(form: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "pledgor": party(form, "pledgor") or {"name": "", "credit_code": ""},
        "loan": {
            "contract_number": form.get("contract_number", "").strip(),
            "principal": form.get("principal", "").strip(),
            "start_date": form.get("start_date", "").strip(),
            "maturity_date": form.get("maturity_date", "").strip(),
        },
        "secured_amount": form.get("secured_amount", "").strip(),
        "items": items(form.get("items")),
        "valuation": {
            "amount": form.get("valuation_amount", "").strip(),
            "method": form.get("valuation_method", "").strip(),
            "appraiser": blank_to_none(form.get("appraiser")),
        },
    }
    if (debtor := party(form, "debtor")) is not None:
        body["debtor"] = debtor
    if fund := blank_to_none(form.get("fund_id")):
        body["risk_compensation"] = {"fund_id": fund, "share": form.get("fund_share", "").strip()}
    return body


def pledge_action(action: str, form: dict[str, str]) -> dict[str, Any]:
    """The body of a release, amendment, annual-fee prepayment or default declaration."""
    if action == "release":
        return {"released_on": form.get("released_on", ""), "reason": form.get("reason", "")}
    if action == "amendments":
        changes = {
            "secured_amount": blank_to_none(form.get("secured_amount")),
            "maturity_date": blank_to_none(form.get("maturity_date")),
            "loan_contract_number": blank_to_none(form.get("loan_contract_number")),
        }
        return {**{k: v for k, v in changes.items() if v}, "reason": form.get("reason", "")}
    if action == "annuity-prepayments":
        year = form.get("through_year", "").strip()
        return {
            "item": item(form.get("item")),
            "through_year": int(year) if year.isdigit() else year,
            "amount": form.get("amount", "").strip(),
            "paid_on": form.get("paid_on", "").strip(),
            "receipt_number": form.get("receipt_number", "").strip(),
        }
    if action == "compensation-claims":
        return {}  # the claim's figures come from the pledge: share x outstanding
    return {
        "declared_on": form.get("declared_on", "").strip(),
        "outstanding_amount": form.get("outstanding_amount", "").strip(),
    }
