"""Request bodies for the benchmarks: valid numbers and credit codes, register lines, filings.
Both the orchestrator and the load process derive them from an index, so nothing is shipped
between them but numbers."""

from __future__ import annotations

import json
from typing import Any

from registry.numbers import make_credit_code, patent_check_char

HOLDER = {
    "name": "Bench Holder Technology Co., Ltd.",
    "credit_code": make_credit_code("91310000000000001"),
}


def patent_number(serial: int, year: int = 2015) -> str:
    body = f"{year}1{serial:07d}"
    return f"{body}.{patent_check_char(body)}"


def register_entry(serial: int) -> dict[str, Any]:
    return {
        "kind": "invention_patent",
        "number": patent_number(serial),
        "title": "Method for low-temperature lithium battery electrolyte",
        "holders": [HOLDER],
        "filing_date": "2015-03-10",
        "grant_date": "2017-06-20",
        "status": "in_force",
        "annuity_paid_through_year": 12,
        "valid_until": None,
        "dispute_hold": False,
        "invalidation_pending": False,
    }


def import_lines(first: int, count: int) -> bytes:
    return "\n".join(json.dumps(register_entry(i)) for i in range(first, first + count)).encode()


def filing(index: int) -> dict[str, Any]:
    """The index-th filing: one pledge over rights 2*index and 2*index + 1."""
    items = [{"kind": "invention_patent", "number": patent_number(2 * index + k)} for k in (0, 1)]
    return {
        "pledgor": HOLDER,
        "loan": {
            "contract_number": f"BENCH-{index}",
            "principal": "5000000.00",
            "start_date": "2026-01-15",
            "maturity_date": "2028-01-14",
        },
        "secured_amount": "5000000.00",
        "items": items,
        "valuation": {"amount": "8000000.00", "method": "internal", "appraiser": None},
    }
