"""The quarterly supervision report (contract §9) over the reports read model.

Quarters are calendar quarters of business dates. A fact counts in the quarter of its own
business date. A bank's IP-pledge NPL ratio is measured at the quarter's last day:
outstanding of its pledges in default then / secured amount of its pledges live then.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Connection, or_, select

from events.database import Database
from events.tables import npl_submissions, pledge_timeline, report_facts
from kernel.errors import InvalidValue
from registry.npl_tolerance import ip_pledge_npl_ratio, within_npl_tolerance

FACTS = ("registration", "release", "default", "disposal", "sale", "buyback")
CENT, PP = Decimal("0.01"), Decimal("0.01")
PERIOD = re.compile(r"^(\d{4})-Q([1-4])$")
MIN_YEAR, MAX_YEAR = 1900, 9999
NOTES = [
    "by_kind: a pledge with items of several IP kinds counts under each of them, "
    "so the by_kind figures may add up to more than the totals.",
    "amounts: registration and release at the secured amount (as last amended), default at "
    "the outstanding amount, disposal at the appraised value, sale and buyback at the price.",
    "ip_pledge_npl_ratio: outstanding of the bank's pledges in default at the quarter's end / "
    "secured amount of its pledges live then; within_tolerance: at most 3 percentage points "
    "above the bank's reported overall_npl_ratio.",
]


@dataclass(frozen=True)
class Quarter:
    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = PERIOD.match(text)
        if match is None or not MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
            raise InvalidValue(
                f"the period must look like 2026-Q1 (years {MIN_YEAR}-{MAX_YEAR})", field="period"
            )
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def label(self) -> str:
        return f"{self.year:04d}-Q{self.quarter}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        return date(self.year, 3 * self.quarter, 31 if self.quarter in (1, 4) else 30)

    def check_begun(self, today: date, field: str) -> None:
        if self.start > today:
            raise InvalidValue(f"{self.label} has not begun (today is {today})", field=field)


def money(amount: Decimal) -> str:
    return f"{amount.quantize(CENT):f}"


def quarterly_report(db: Database, quarter: Quarter) -> dict[str, Any]:
    with db.read() as conn:  # one snapshot for facts, positions and submissions
        facts = _facts(conn, quarter)
        live, in_default = _positions_at(conn, quarter.end)
        overall = _submissions(conn, quarter)
    totals, by_kind, by_bank = _tally(facts)
    banks = sorted(set(by_bank) | set(live) | set(overall))
    return {
        "year": quarter.year,
        "quarter": quarter.quarter,
        "period": quarter.label,
        "from": quarter.start.isoformat(),
        "to": quarter.end.isoformat(),
        "currency": "CNY",
        "totals": _figures(totals),
        "by_kind": [{"kind": k, "facts": _figures(by_kind[k])} for k in sorted(by_kind)],
        "by_bank": [
            {
                "bank": bank,
                "facts": _figures(by_bank[bank]),
                **npl_figures(live.get(bank), in_default.get(bank), overall.get(bank)),
            }
            for bank in banks
        ],
        "notes": NOTES,
    }


def npl_figures(
    live_secured: Decimal | None, defaulted: Decimal | None, overall: str | None
) -> dict[str, Any]:
    defaulted = defaulted or Decimal("0.00")
    ratio = ip_pledge_npl_ratio(defaulted, live_secured or Decimal("0.00"))
    difference = within = None
    if ratio is not None and overall is not None:
        difference = ((ratio - Decimal(overall)) * 100).quantize(PP, ROUND_HALF_UP)
        within = within_npl_tolerance(ratio, Decimal(overall))
    return {
        "live_secured_amount": money(live_secured or Decimal("0.00")),
        "defaulted_outstanding_amount": money(defaulted),
        "ip_pledge_npl_ratio": None if ratio is None else f"{ratio:f}",
        "overall_npl_ratio": overall,
        "difference_pp": None if difference is None else f"{difference:f}",
        "within_tolerance": within,
    }


Tally = dict[str, list[Any]]  # fact -> [count, amount]


def _tally(rows: list[Any]) -> tuple[Tally, dict[str, Tally], dict[str, Tally]]:
    def tally() -> Tally:
        return {fact: [0, Decimal("0.00")] for fact in FACTS}

    totals = tally()
    by_kind: dict[str, Tally] = defaultdict(tally)
    by_bank: dict[str, Tally] = defaultdict(tally)
    for fact, bank, kinds, amount in rows:
        for target in (totals, by_bank[bank], *(by_kind[k] for k in kinds.split(","))):
            target[fact][0] += 1
            target[fact][1] += amount
    return totals, by_kind, by_bank


def _figures(tally: Tally) -> dict[str, dict[str, Any]]:
    return {fact: {"count": n, "amount": money(amount)} for fact, (n, amount) in tally.items()}


def _facts(conn: Connection, quarter: Quarter) -> list[Any]:
    f = report_facts.c
    query = select(f.fact, f.bank, f.kinds, f.amount).where(
        f.on_date >= quarter.start, f.on_date <= quarter.end
    )
    return list(conn.execute(query.order_by(f.position)))


def _positions_at(conn: Connection, day: date) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Per bank: secured amount of pledges live at the end of ``day``, and the outstanding
    amount of those among them already in default."""
    t = pledge_timeline.c
    query = select(t.bank, t.secured_amount, t.outstanding_amount, t.defaulted_on).where(
        t.registered_on <= day, or_(t.ended_on.is_(None), t.ended_on > day)
    )
    live: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    in_default: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for bank, secured, outstanding, defaulted_on in conn.execute(query):
        live[bank] += secured
        if defaulted_on is not None and defaulted_on <= day:
            in_default[bank] += outstanding
    return dict(live), dict(in_default)


def _submissions(conn: Connection, quarter: Quarter) -> dict[str, str]:
    n = npl_submissions.c
    query = select(n.institution_id, n.overall_npl_ratio).where(
        n.year == quarter.year, n.quarter == quarter.quarter
    )
    return {bank: ratio for bank, ratio in conn.execute(query)}
