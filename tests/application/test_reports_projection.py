"""The reports read model (contract §9): dated facts and each pledge's timeline, from events.

The workload, through the services (business dates in brackets):
  A  BANK-A, a patent and a trademark, 5,000,000.00 [01-05], amended to 4,500,000.00,
     defaulted with 3,200,000.00 outstanding [03-20], disposal appraised 3,000,000.00 [04-02],
     sold for 2,900,000.00 [04-02], settled [04-03];
  B  BANK-B, one patent, 2,000,000.00 [01-05], released in full [02-16];
  C  BANK-A, two patents, 1,000,000.00 [01-05], one item released [02-16], defaulted with
     800,000.00 outstanding [03-20], disposal appraised 700,000.00 [04-02], listed with no
     taker for 180 days, bought back for 600,000.00 [10-01], settled [10-01];
  and a filing by BANK-B refused (its patent is already pledged to A).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from api.bootstrap import Container
from events.clock import CST
from events.tables import pledge_timeline, report_facts
from registry.actors import SYSTEM, Actor, acting_as
from registry.values import LoanAmendment
from tests.application.workload import file, put
from tests.builders import party
from tests.factories import (
    BANK_A,
    BANK_B,
    domain_party,
    patent_fields,
    patent_item,
    trademark_fields,
    trademark_item,
)

HOLDER, BUYER, PUBLIC_BUYER = party(1), domain_party(7), domain_party(8)
TRADING_CENTRE = Actor("p-tc", "trading_centre", "WHOTC")
PLATFORM = Actor("p-platform", "disposal_platform", "HB-IPDP")
INVENTION_AND_MARK = "invention_patent,trademark"


def on(month: int, day: int) -> date:
    return date(2026, month, day)


def move_to(container: Container, day: date) -> None:
    container.clock.set(datetime(day.year, day.month, day.day, 10, 0, tzinfo=CST))


def sell_collateral(container: Container, pledge_id: Any, appraised: str, price: str) -> Any:
    disposals = container.disposals
    with acting_as(BANK_A):
        disposal = disposals.open_disposal(pledge_id, "exchange_listing", Decimal(appraised))
    with acting_as(TRADING_CENTRE):
        listing = disposals.create_listing(
            disposal.value.id, Decimal(price), container.clock.today(), None
        ).value
        disposals.register_intention(listing.id, BUYER, container.clock.today())
        disposals.sell(listing.id, BUYER, Decimal(price), container.clock.today())
    return disposal.value.id


def supervised_workload(container: Container) -> dict[str, str]:
    p1, p2, p3, p4, mark = (*(patent_item(n) for n in (1, 2, 3, 4)), trademark_item())
    for item in (p1, p2, p3, p4):
        put(container, item, patent_fields([HOLDER]))
    put(container, mark, trademark_fields([HOLDER]))
    registry = container.registry

    a = file(container, BANK_A, HOLDER, [p1, mark])
    b = file(container, BANK_B, HOLDER, [p2], secured_amount=Decimal("2000000.00"))
    c = file(container, BANK_A, HOLDER, [p3, p4], secured_amount=Decimal("1000000.00"))
    assert file(container, BANK_B, HOLDER, [p1]).status == "refused"
    with acting_as(BANK_A):
        registry.amend_pledge(
            a.id, LoanAmendment(secured_amount=Decimal("4500000.00")), "paid down"
        )

    move_to(container, on(2, 16))
    with acting_as(BANK_A):
        registry.release_pledge(c.id, on(2, 16), "other", [p4])
    with acting_as(BANK_B):
        registry.release_pledge(b.id, on(2, 16), "repaid", None)

    move_to(container, on(3, 20))
    with acting_as(BANK_A):
        registry.declare_default(a.id, on(3, 20), Decimal("3200000.00"))
        registry.declare_default(c.id, on(3, 20), Decimal("800000.00"))

    move_to(container, on(4, 2))
    disposal_a = sell_collateral(container, a.id, "3000000.00", "2900000.00")
    disposals = container.disposals
    with acting_as(BANK_A):
        disposal_c = disposals.open_disposal(c.id, "exchange_listing", Decimal("700000.00"))
    with acting_as(TRADING_CENTRE):
        listing_c = disposals.create_listing(
            disposal_c.value.id, Decimal("650000.00"), on(4, 2), None
        ).value
    move_to(container, on(4, 3))
    with acting_as(TRADING_CENTRE):
        disposals.settle(disposal_a, Decimal("2900000.00"), Decimal("0.00"), on(4, 3))

    move_to(container, on(10, 1))  # past the no-taker deadline 2026-09-29
    with acting_as(SYSTEM):
        assert disposals.expire_listing(listing_c.id).value == [
            "listing.expired",
            "buyback.requested",
        ]
    with acting_as(PLATFORM):
        disposals.buy_back(listing_c.id, PUBLIC_BUYER, Decimal("600000.00"), on(10, 1))
    with acting_as(TRADING_CENTRE):
        disposals.settle(disposal_c.value.id, Decimal("600000.00"), Decimal("0.00"), on(10, 1))
    return {str(a.id): "A", str(b.id): "B", str(c.id): "C"}


def rows(container: Container, table: Any) -> list[dict[str, Any]]:
    with container.db.read() as conn:
        query = select(table).order_by(*table.primary_key.columns)
        return [dict(r._mapping) for r in conn.execute(query)]


@pytest.fixture
def names(container: Container) -> dict[str, str]:
    names = supervised_workload(container)
    container.projections.catch_up()
    return names


def test_each_fact_is_recorded_once_with_its_business_date_bank_amount_and_kinds(container, names):
    facts = [
        (r["fact"], r["on_date"], r["bank"], names[r["pledge_id"]], r["amount"], r["kinds"])
        for r in rows(container, report_facts)
    ]

    m = Decimal
    assert facts == [
        ("registration", on(1, 5), "BANK-A", "A", m("5000000.00"), INVENTION_AND_MARK),
        ("registration", on(1, 5), "BANK-B", "B", m("2000000.00"), "invention_patent"),
        ("registration", on(1, 5), "BANK-A", "C", m("1000000.00"), "invention_patent"),
        ("release", on(2, 16), "BANK-B", "B", m("2000000.00"), "invention_patent"),
        ("default", on(3, 20), "BANK-A", "A", m("3200000.00"), INVENTION_AND_MARK),
        ("default", on(3, 20), "BANK-A", "C", m("800000.00"), "invention_patent"),
        ("disposal", on(4, 2), "BANK-A", "A", m("3000000.00"), INVENTION_AND_MARK),
        ("sale", on(4, 2), "BANK-A", "A", m("2900000.00"), INVENTION_AND_MARK),
        ("disposal", on(4, 2), "BANK-A", "C", m("700000.00"), "invention_patent"),
        ("buyback", on(10, 1), "BANK-A", "C", m("600000.00"), "invention_patent"),
    ]


def test_the_timeline_follows_amendments_defaults_and_the_end_of_each_pledge(container, names):
    timeline = {
        names[r["pledge_id"]]: (
            r["bank"],
            r["kinds"],
            r["secured_amount"],
            r["outstanding_amount"],
            r["registered_on"],
            r["defaulted_on"],
            r["ended_on"],
        )
        for r in rows(container, pledge_timeline)
    }

    m = Decimal
    assert timeline == {
        "A": (
            "BANK-A",
            INVENTION_AND_MARK,
            m("4500000.00"),
            m("3200000.00"),
            on(1, 5),
            on(3, 20),
            on(4, 3),
        ),
        "B": ("BANK-B", "invention_patent", m("2000000.00"), None, on(1, 5), None, on(2, 16)),
        "C": (
            "BANK-A",
            "invention_patent",
            m("1000000.00"),
            m("800000.00"),
            on(1, 5),
            on(3, 20),
            on(10, 1),
        ),
    }


def test_a_rebuild_gives_exactly_the_same_report_rows(container, names):
    projection = next(p for p in container.projections.projections if p.name == "reports")
    before = {t.name: rows(container, t) for t in projection.tables}

    container.projections.rebuild()

    assert {t.name: rows(container, t) for t in projection.tables} == before
    assert len(before["report_facts"]) == 10
