"""Test data: valid numbers and credit codes, register entries and filings."""

from __future__ import annotations

from typing import Any

from registry.numbers import make_credit_code, patent_check_char


def credit_code(n: int) -> str:
    """A valid unified social credit code, distinct for each n."""
    return make_credit_code(f"91310000{n:09d}")


def patent_number(serial: int, kind_digit: str = "1", year: int = 2015) -> str:
    body = f"{year}{kind_digit}{serial:07d}"
    return f"{body}.{patent_check_char(body)}"


def party(n: int, name: str | None = None) -> dict[str, str]:
    return {"name": name or f"Holder {n} Technology Co., Ltd.", "credit_code": credit_code(n)}


def patent_entry(holders: list[dict[str, str]], **overrides: Any) -> dict[str, Any]:
    entry = {
        "title": "Method for low-temperature lithium battery electrolyte",
        "holders": holders,
        "filing_date": "2015-03-10",
        "grant_date": "2017-06-20",
        "status": "in_force",
        "annuity_paid_through_year": 12,
        "valid_until": None,
        "dispute_hold": False,
        "invalidation_pending": False,
    }
    entry.update(overrides)
    return entry


def trademark_entry(holders: list[dict[str, str]], **overrides: Any) -> dict[str, Any]:
    entry = {
        "title": "光谷 GUANGGU (class 9)",
        "holders": holders,
        "filing_date": "2012-05-01",
        "grant_date": "2013-08-14",
        "status": "in_force",
        "annuity_paid_through_year": None,
        "valid_until": "2033-08-13",
        "dispute_hold": False,
        "invalidation_pending": False,
    }
    entry.update(overrides)
    return entry


def filing(
    pledgor: dict[str, str], items: list[dict[str, str]], **overrides: Any
) -> dict[str, Any]:
    body = {
        "pledgor": pledgor,
        "loan": {
            "contract_number": "WHB-2026-0001",
            "principal": "5000000.00",
            "start_date": "2026-01-15",
            "maturity_date": "2028-01-14",
        },
        "secured_amount": "5000000.00",
        "items": items,
        "valuation": {"amount": "8000000.00", "method": "internal", "appraiser": None},
    }
    body.update(overrides)
    return body
