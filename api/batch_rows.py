"""The input of `ipledge pledges file`: one loan per row, CSV or JSON Lines, turned into the
body of `POST /v1/pledges` (docs/batch-filing.md describes the layout).

Only the layout is checked here (required columns, `kind:number;kind:number`); every value is
sent as written (money stays a string) and the service judges it, so a row is refused for the
same reasons with the same codes as any other filing."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REQUIRED = (
    "contract_number",
    "pledgor_name",
    "pledgor_credit_code",
    "principal",
    "start_date",
    "maturity_date",
    "secured_amount",
    "items",
    "valuation_amount",
    "valuation_method",
)
OPTIONAL = (
    "debtor_name",
    "debtor_credit_code",
    "appraiser",
    "co_owner_consents",
    "risk_fund_id",
    "risk_share",
)
COLUMNS = REQUIRED + OPTIONAL


@dataclass
class Row:
    """Row ``number`` (1-based, header excluded; a JSONL line number) of the input."""

    number: int
    contract_number: str
    body: dict[str, Any] | None = None
    errors: list[str] = field(default_factory=list)


def pairs(text: str, column: str, first: str, second: str) -> list[dict[str, str]]:
    """``a:b;c:d`` -> ``[{first: a, second: b}, ...]``; the first ``:`` splits (a number or a
    reference may contain more)."""
    found = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        left, colon, right = part.partition(":")
        if not colon or not left.strip() or not right.strip():
            raise ValueError(f"{column}: {part!r} is not {first}:{second}")
        found.append({first: left.strip(), second: right.strip()})
    return found


def _party(values: dict[str, str], who: str) -> dict[str, str]:
    return {"name": values[f"{who}_name"], "credit_code": values[f"{who}_credit_code"]}


def _both_or_neither(values: dict[str, str], *columns: str) -> bool:
    given = [bool(values.get(c)) for c in columns]
    if any(given) and not all(given):
        raise ValueError(f"give {' and '.join(columns)} together, or neither")
    return all(given)


def filing_from_columns(values: dict[str, str]) -> dict[str, Any]:
    missing = [c for c in REQUIRED if not values.get(c)]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    items = [
        {"kind": i["kind"], "number": i["number"]}
        for i in pairs(values["items"], "items", "kind", "number")
    ]
    if not items:
        raise ValueError("items: none given (kind:number;kind:number)")
    body: dict[str, Any] = {
        "pledgor": _party(values, "pledgor"),
        "loan": {
            "contract_number": values["contract_number"],
            "principal": values["principal"],
            "start_date": values["start_date"],
            "maturity_date": values["maturity_date"],
        },
        "secured_amount": values["secured_amount"],
        "items": items,
        "valuation": {
            "amount": values["valuation_amount"],
            "method": values["valuation_method"],
            "appraiser": values.get("appraiser") or None,
        },
    }
    if _both_or_neither(values, "debtor_name", "debtor_credit_code"):
        body["debtor"] = _party(values, "debtor")
    if values.get("co_owner_consents"):
        body["co_owner_consents"] = pairs(
            values["co_owner_consents"], "co_owner_consents", "credit_code", "reference"
        )
    if _both_or_neither(values, "risk_fund_id", "risk_share"):
        body["risk_compensation"] = {
            "fund_id": values["risk_fund_id"],
            "share": values["risk_share"],
        }
    return body


def csv_rows(path: Path) -> Iterator[Row]:
    with path.open(newline="", encoding="utf-8-sig") as source:  # -sig: Excel's BOM
        reader = csv.DictReader(source)
        header = set(reader.fieldnames or ())
        unknown = sorted(header - set(COLUMNS))
        if unknown:
            raise ValueError(f"unknown columns {', '.join(unknown)} (docs/batch-filing.md)")
        absent = [c for c in REQUIRED if c not in header]
        if absent:
            raise ValueError(f"the header lacks {', '.join(absent)} (docs/batch-filing.md)")
        for number, record in enumerate(reader, start=1):
            values = {k: (v or "").strip() for k, v in record.items() if k is not None}
            row = Row(number, values.get("contract_number", ""))
            try:
                if None in record:
                    raise ValueError("more values than columns (quote a value holding a comma)")
                row.body = filing_from_columns(values)
            except ValueError as e:
                row.errors.append(str(e))
            yield row


def jsonl_rows(path: Path) -> Iterator[Row]:
    """Each line is the JSON body of `POST /v1/pledges` itself."""
    with path.open(encoding="utf-8-sig") as source:
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            try:
                body = json.loads(line)
            except json.JSONDecodeError as e:
                yield Row(number, "", errors=[f"not JSON: {e.msg}"])
                continue
            loan = body.get("loan") if isinstance(body, dict) else None
            contract = loan.get("contract_number") if isinstance(loan, dict) else None
            if not isinstance(contract, str) or not contract.strip():
                yield Row(number, "", errors=["missing loan.contract_number"])
                continue
            yield Row(number, contract, body=body)
