"""Read models: rebuilt from position 0 they give the same rows; each event is applied once."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Table, select

from api.bootstrap import Container
from events.jsonable import jsonable
from events.projections.runner import ProjectionRunner
from registry.actors import acting_as
from registry.values import FeePrepayment, Item, LoanAmendment
from tests.application.workload import file, put
from tests.builders import party
from tests.factories import (
    BANK_A,
    BANK_B,
    consent,
    domain_party,
    patent_fields,
    patent_item,
    trademark_fields,
    trademark_item,
)

HOLDER, CO_OWNER, BUYER = party(1), party(2), domain_party(3)
ON = date(2026, 1, 5)


def mixed_workload(container: Container) -> None:
    """Rights, then pledges registered, refused, partly and fully released, amended,
    prepaid and defaulted, and a register update that changes the holders."""
    p1, p2, p3, p4 = (patent_item(n) for n in (1, 2, 3, 4))
    mark = trademark_item()
    put(container, p1, patent_fields([HOLDER]))
    put(container, p2, patent_fields([HOLDER, CO_OWNER]))
    put(container, p3, patent_fields([HOLDER]))
    put(container, p4, patent_fields([HOLDER], status="pending", grant_date=None))
    put(container, mark, trademark_fields([HOLDER]))
    registry = container.registry

    kept = file(container, BANK_A, HOLDER, [p1, mark])
    with acting_as(BANK_A):
        registry.release_pledge(kept.id, ON, "other", [mark])
        registry.amend_pledge(
            kept.id, LoanAmendment(secured_amount=Decimal("4500000.00")), "paid down"
        )
    payment = FeePrepayment(
        item=p1,
        through_year=13,
        amount=Decimal("6000.00"),
        paid_on=ON,
        receipt_number="R-1",
    )
    with acting_as(BANK_A):
        registry.prepay_annuity(kept.id, payment)

    file(container, BANK_B, HOLDER, [p1, p4])  # refused: pledged, and not granted
    repaid = file(container, BANK_B, HOLDER, [p2], consents=[consent(CO_OWNER)])
    with acting_as(BANK_B):
        registry.release_pledge(repaid.id, ON, "repaid", None)
    bad = file(container, BANK_A, HOLDER, [p3, mark])
    with acting_as(BANK_A):
        registry.declare_default(bad.id, ON, Decimal("3200000.00"))
    put(container, p2, patent_fields([BUYER]))


def snapshot(container: Container) -> dict[str, list[dict[str, Any]]]:
    def rows(table: Table) -> list[dict[str, Any]]:
        query = select(table).order_by(*table.primary_key.columns)
        return [dict(r._mapping) for r in conn.execute(query)]

    tables = [t for p in container.projections.projections for t in p.tables]
    with container.db.read() as conn:
        return {table.name: rows(table) for table in tables}


def drain(runner: ProjectionRunner) -> int:
    """Runs pages until there is nothing left; returns the events applied (per projection)."""
    applied = 0
    while (step := runner.run_once()) > 0:
        applied += step
    return applied


def second_runner(container: Container) -> ProjectionRunner:
    fresh = [type(p)() for p in container.projections.projections]
    return ProjectionRunner(container.store, container.db, fresh)


@pytest.fixture
def workload(container: Container) -> Container:
    mixed_workload(container)
    return container


def test_the_workload_reaches_every_pledge_state(workload):
    workload.projections.catch_up()

    statuses = sorted(row["status"] for row in snapshot(workload)["pledges_view"])
    assert statuses == ["in_default", "refused", "registered", "released"]


def test_a_rebuild_gives_exactly_the_rows_of_the_incremental_read_models(workload):
    workload.projections.catch_up()
    before = snapshot(workload)

    workload.projections.rebuild()

    assert snapshot(workload) == before
    assert workload.projections.position() == workload.store.max_position()


def test_the_holder_index_follows_a_change_of_holders(workload):
    workload.projections.catch_up()

    codes = {
        row["credit_code"]
        for row in snapshot(workload)["ip_right_holders_view"]
        if row["number"] == patent_item(2).number
    }
    assert codes == {BUYER.credit_code}


def test_catching_up_twice_applies_each_event_once(workload):
    events = workload.store.max_position()

    first = drain(workload.projections)
    rows = snapshot(workload)
    second = drain(workload.projections)

    assert (first, second) == (len(workload.projections.projections) * events, 0)
    assert snapshot(workload) == rows


def test_two_runners_on_one_database_apply_each_event_once(workload, monkeypatch):
    monkeypatch.setattr("events.projections.runner.PAGE", 3)  # many pages, many races
    runners = [workload.projections, second_runner(workload)]
    barrier = threading.Barrier(len(runners))
    applied = [0] * len(runners)

    def run(index: int) -> None:
        barrier.wait(timeout=10)
        applied[index] = drain(runners[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(runners))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    applied.append(drain(runners[0]))
    rows = snapshot(workload)
    lost_races = [p for r in runners for p in r.progress().values() if p.failing]
    workload.projections.rebuild()

    projections = len(workload.projections.projections)
    assert sum(applied) == projections * workload.store.max_position()
    assert snapshot(workload) == rows
    assert lost_races == []  # a page another runner applied first is no failure


def test_the_read_models_agree_with_the_aggregates(workload):
    workload.projections.catch_up()
    rows = snapshot(workload)

    for row in rows["pledges_view"]:
        pledge = workload.registry.pledge(UUID(row["id"]))
        assert (row["status"], row["version"]) == (pledge.status, pledge.version)
        assert row["secured_amount"] == pledge.secured_amount
        assert row["maturity_date"] == pledge.loan.maturity_date
    for row in rows["pledge_items_view"]:
        pledge = workload.registry.pledge(UUID(row["pledge_id"]))
        item = Item(row["kind"], row["number"])
        assert row["released"] == (item not in pledge.active_items or pledge.status == "refused")
    for row in rows["ip_rights_view"]:
        right = workload.registry.ip_right(row["kind"], row["number"])
        pledge_id = right.encumbrance and right.encumbrance.pledge_id
        assert (row["encumbered_by"], row["version"]) == (pledge_id, right.version)
        assert row["annuity_paid_through_year"] == right.annuity_paid_through_year
        assert row["holders"] == jsonable(right.holders)
