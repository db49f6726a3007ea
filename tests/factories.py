"""Domain-typed test data (dates, Decimals, Actors) for tests that skip the HTTP layer.

``tests/builders.py`` gives JSON bodies; these give what the domain and services take.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from registry.actors import Actor
from registry.filings import Filing
from registry.ip_rights import IPRight
from tests.builders import patent_entry, patent_number, trademark_entry

INVENTION = "invention_patent"
TRADEMARK = "trademark"
TODAY = date(2026, 1, 5)
NOW = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
START = date(2026, 1, 15)
MATURITY = date(2028, 1, 14)

IP_OFFICE = Actor("p-ip-office", "ip_office", "CNIPA-HB")
BANK_A = Actor("p-bank-a", "bank", "BANK-A")
BANK_B = Actor("p-bank-b", "bank", "BANK-B")

_DATE_FIELDS = ("filing_date", "grant_date", "valid_until")


def bank(n: int) -> Actor:
    return Actor(f"p-bank-{n}", "bank", f"BANK-{n:02d}")


def _typed(entry: dict[str, Any]) -> dict[str, Any]:
    fields = dict(entry)
    for name in _DATE_FIELDS:
        if fields[name] is not None:
            fields[name] = date.fromisoformat(fields[name])
    return fields


def patent_fields(holders: list[dict[str, str]], **overrides: Any) -> dict[str, Any]:
    """An invention patent filed 2015-03-10, in force, fees paid through year 12
    (protected until 2035-03-09)."""
    return {**_typed(patent_entry(holders)), **overrides}


def trademark_fields(holders: list[dict[str, str]], **overrides: Any) -> dict[str, Any]:
    """A trademark in force until 2033-08-13."""
    return {**_typed(trademark_entry(holders)), **overrides}


def patent_item(serial: int) -> dict[str, str]:
    return {"kind": INVENTION, "number": patent_number(serial)}


def trademark_item(number: str = "12345678") -> dict[str, str]:
    return {"kind": TRADEMARK, "number": number}


def ip_right(item: dict[str, str], fields: dict[str, Any]) -> IPRight:
    return IPRight(item["kind"], item["number"], fields, NOW)


def make_filing(
    pledgor: dict[str, str],
    items: list[dict[str, str]],
    *,
    consents: list[dict[str, str]] | None = None,
    start: date = START,
    maturity: date = MATURITY,
    secured_amount: Decimal = Decimal("5000000.00"),
    method: str = "internal",
) -> Filing:
    return Filing(
        pledgor=pledgor,
        debtor=pledgor,
        co_owner_consents=consents or [],
        loan={
            "contract_number": "WHB-2026-0001",
            "principal": secured_amount,
            "start_date": start,
            "maturity_date": maturity,
        },
        secured_amount=secured_amount,
        items=items,
        valuation={
            "amount": Decimal("8000000.00"),
            "method": method,
            "appraiser": "Hubei Appraisal Co." if method == "appraisal" else None,
        },
    )


def consent(holder: dict[str, str]) -> dict[str, str]:
    return {"credit_code": holder["credit_code"], "reference": f"consent of {holder['name']}"}
