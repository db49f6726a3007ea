"""A page folded in memory (events/projections/page_writer.py, timer_book.py) writes exactly
the rows that applying its events one statement at a time writes, whatever the page's size,
for every projection and every kind of event: registrations, amendments, releases, defaults,
disposals, listings, claims, holder changes, fee payments and the annuity timers firing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from api.bootstrap import Container
from events.projections.page_writer import BulkWriteFailed, PageWriter
from events.projections.runner import ProjectionRunner
from events.tables import claims_view
from tests.application.test_projection_bulk_writes import read_models
from tests.application.test_reports_projection import supervised_workload
from tests.application.test_timers import prepay_year_12
from tests.application.timer_support import APR_DUE, FEB_DUE, HOLDER, end_of, pledged_patent
from tests.application.workload import put, types_after
from tests.builders import party
from tests.factories import BANK_A, patent_fields, patent_item
from tests.webhook_support import FUND, ensure_principal, no_taker_buyback

EXPECTED = {
    "pledge.amended",
    "pledge.items_released",
    "pledge.released",
    "pledge.defaulted",
    "pledge.collateral_at_risk",
    "disposal.opened",
    "disposal.settled",
    "listing.created",
    "listing.intention_registered",
    "listing.sold",
    "listing.expired",
    "buyback.completed",
    "compensation.claimed",
    "compensation.advanced",
    "ip_right.updated",
    "ip_right.encumbrance_released",
    "ip_right.lapsed",
    "annuity.due_soon",
    "annuity.overdue",
}


def everything(container: Container) -> None:
    """Fees falling due on two pledged patents (one paid, one lapsing), a holder change, the
    reports' workload (amend, release, default, sale, buyback) and a claimed fund."""
    pledged_patent(container, 20, **FEB_DUE)
    prepay_year_12(container, pledged_patent(container, 21, **APR_DUE), 21)  # planned again
    put(container, patent_item(22), patent_fields([HOLDER]))
    put(container, patent_item(22), patent_fields([HOLDER, party(2)]))  # holders reindexed
    container.advance_clock(end_of(date(2026, 2, 10)))  # due_soon of patent 20
    supervised_workload(container)
    ensure_principal(container, FUND)
    no_taker_buyback(container, BANK_A, 30)
    container.advance_clock(end_of(date(2027, 6, 1)))  # lapses, no-taker expiry
    assert set(types_after(container, 0)) >= EXPECTED, EXPECTED - set(types_after(container, 0))


def one_statement_at_a_time(container: Container, monkeypatch: pytest.MonkeyPatch) -> dict:
    folded = ProjectionRunner._apply

    def by_statement(self, projection, at, todo, bulk=True):  # type: ignore[no-untyped-def]
        return folded(self, projection, at, todo, bulk=False)

    with monkeypatch.context() as patch:
        patch.setattr(ProjectionRunner, "_apply", by_statement)
        patch.setattr("events.projections.runner.PAGE", 1)
        container.projections.rebuild()
    return read_models(container)


def test_pages_of_any_size_write_the_rows_of_one_statement_at_a_time(container, monkeypatch):
    everything(container)
    reference = one_statement_at_a_time(container, monkeypatch)
    assert reference["timers"] and reference["claims_view"] and reference["listings_view"]

    for page in (1, 2, 7, 500):
        monkeypatch.setattr("events.projections.runner.PAGE", page)
        container.projections.rebuild()
        assert read_models(container) == reference, page


def claim_row(claim_id: str, position: int) -> dict:
    return dict(
        id=claim_id,
        created_position=position,
        pledge_id="p",
        pledgee="BANK-A",
        fund_id="HB-RCF",
        status="claimed",
        share="0.4",
        outstanding_amount=Decimal("10.00"),
        advance_due=Decimal("4.00"),
        claimed_on=date(2026, 1, 5),
        version=1,
    )


def claims(container: Container) -> dict[str, tuple]:
    with container.db.read() as conn:
        found = conn.execute(select(claims_view))
        return {r.id: (r.status, r.version, r.advanced_on) for r in found}


def test_updates_in_a_page_run_in_order_with_the_inserts_they_follow_or_precede(container):
    with container.db.write() as conn:
        writer = PageWriter(conn)
        writer.update(claims_view, {"id": "a"}, {"status": "advanced"})  # no row yet: nothing
        writer.insert(claims_view, claim_row("a", 1))
        writer.insert(claims_view, claim_row("b", 2))
        writer.update(claims_view, {"id": "b"}, {"status": "advanced", "version": 2})  # folded
        writer.update(claims_view, {"id": "b"}, {"advanced_on": date(2026, 2, 1)})  # merged
        writer.update(claims_view, {"id": "b"}, {"version": 3})
        writer.flush()

    assert claims(container) == {
        "a": ("claimed", 1, None),
        "b": ("advanced", 3, date(2026, 2, 1)),
    }


def test_an_update_the_database_refuses_fails_the_bulk_write(container):
    with pytest.raises(BulkWriteFailed), container.db.write() as conn:
        conn.execute(insert(claims_view).values(**claim_row("a", 1)))
        writer = PageWriter(conn)
        writer.update(claims_view, {"id": "a"}, {"status": None})  # NOT NULL
        writer.flush()
