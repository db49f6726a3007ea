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
from registry.values import Consent, Item, Loan, Party, RegisterEntry, Valuation
from tests.builders import party as builders_party
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


def to_party(party: dict[str, str] | Party) -> Party:
    """A party from a JSON-shaped dict (tests/builders.py) or as it is."""
    return party if isinstance(party, Party) else Party(party["name"], party["credit_code"])


def _typed(entry: dict[str, Any]) -> RegisterEntry:
    fields = dict(entry)
    for name in _DATE_FIELDS:
        if isinstance(fields[name], str):
            fields[name] = date.fromisoformat(fields[name])
    fields["holders"] = tuple(to_party(h) for h in fields["holders"])
    return RegisterEntry(**fields)


def patent_fields(holders: list[dict[str, str]], **overrides: Any) -> RegisterEntry:
    """An invention patent filed 2015-03-10, in force, fees paid through year 12
    (protected until 2035-03-09)."""
    return _typed({**patent_entry(holders), **overrides})


def trademark_fields(holders: list[dict[str, str]], **overrides: Any) -> RegisterEntry:
    """A trademark in force until 2033-08-13."""
    return _typed({**trademark_entry(holders), **overrides})


def patent_item(serial: int) -> Item:
    return Item(INVENTION, patent_number(serial))


def trademark_item(number: str = "12345678") -> Item:
    return Item(TRADEMARK, number)


def ip_right(item: Item, fields: RegisterEntry) -> IPRight:
    return IPRight(item.kind, item.number, fields, NOW)


def make_filing(
    pledgor: dict[str, str] | Party,
    items: list[Item],
    *,
    consents: list[Consent] | None = None,
    start: date = START,
    maturity: date = MATURITY,
    secured_amount: Decimal = Decimal("5000000.00"),
    method: str = "internal",
) -> Filing:
    return Filing(
        pledgor=to_party(pledgor),
        debtor=to_party(pledgor),
        co_owner_consents=tuple(consents or ()),
        loan=Loan(
            contract_number="WHB-2026-0001",
            principal=secured_amount,
            start_date=start,
            maturity_date=maturity,
        ),
        secured_amount=secured_amount,
        items=tuple(items),
        valuation=Valuation(
            amount=Decimal("8000000.00"),
            method=method,
            appraiser="Hubei Appraisal Co." if method == "appraisal" else None,
        ),
    )


def consent(holder: dict[str, str] | Party) -> Consent:
    party = to_party(holder)
    return Consent(credit_code=party.credit_code, reference=f"consent of {party.name}")


def domain_party(n: int, name: str | None = None) -> Party:
    """``tests.builders.party`` as the domain's value object."""
    return to_party(builders_party(n, name))
