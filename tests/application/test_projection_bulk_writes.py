"""Read models written in bulk (events/projections/page_writer.py): a page's inserts go out as
one executemany per table. The rows are the same as one event at a time, and a row the
database refuses still stops the projection exactly at the event that wrote it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from api.bootstrap import Container
from events.projections.timers import _arm
from events.tables import audit_nodes, timers
from registry.actors import acting_as
from registry.values import LoanAmendment
from tests.application.workload import file, put
from tests.builders import party
from tests.factories import BANK_A, BANK_B, patent_fields, patent_item

HOLDER, BUYER = party(1), party(2)


def busy_log(container: Container) -> None:
    """Register entries, pledges, an amendment, a holder change, a partial and a full release."""
    for serial in range(1, 9):
        put(container, patent_item(serial), patent_fields([HOLDER]))
    first = file(container, BANK_A, HOLDER, [patent_item(1), patent_item(2)])
    second = file(container, BANK_B, HOLDER, [patent_item(3)])
    file(container, BANK_A, HOLDER, [patent_item(1)])  # refused: already encumbered
    put(container, patent_item(5), patent_fields([HOLDER, BUYER]))
    registry = container.registry
    with acting_as(BANK_A):
        registry.amend_pledge(
            first.id, LoanAmendment(secured_amount=Decimal("4000000.00")), "repaid"
        )
        registry.release_pledge(first.id, date(2026, 1, 5), "part", [patent_item(2)])
    with acting_as(BANK_B):
        registry.release_pledge(second.id, date(2026, 1, 5), "repaid", None)


def read_models(container: Container) -> dict[str, list[tuple]]:
    tables = [t for p in container.projections.projections for t in p.tables]
    with container.db.read() as conn:
        return {t.name: sorted(map(tuple, conn.execute(select(t))), key=repr) for t in tables}


def test_bulk_pages_write_the_same_rows_as_one_event_per_page(container, monkeypatch):
    busy_log(container)
    monkeypatch.setattr("events.projections.runner.PAGE", 1)
    container.worker.run_until_idle()
    one_by_one = read_models(container)
    monkeypatch.setattr("events.projections.runner.PAGE", 500)

    container.projections.rebuild()

    assert read_models(container) == one_by_one
    assert len(one_by_one["pledges_view"]) == 3 and len(one_by_one["ip_rights_view"]) == 8


def test_a_refused_bulk_row_stops_the_projection_at_the_event_that_wrote_it(container):
    busy_log(container)
    with container.db.write() as conn:  # the leaf the 4th event will write is already taken
        conn.execute(insert(audit_nodes).values(level=0, idx=3, hash="00" * 32))

    container.worker.run_until_idle()

    progress = container.projections.progress()
    audit = progress.pop("audit")
    assert (audit.position, audit.failed_position) == (3, 4)
    assert audit.failed_event_type == "ip_right.registered"
    head = container.store.max_position()
    assert {p.position for p in progress.values()} == {head}  # nobody else held back


@pytest.mark.parametrize("page", [2, 500])
def test_rebuild_in_pages_of_any_size_applies_every_event_once(container, monkeypatch, page):
    busy_log(container)
    container.worker.run_until_idle()
    before = read_models(container)
    monkeypatch.setattr("events.projections.runner.PAGE", page)

    container.projections.rebuild()

    assert read_models(container) == before


def test_arming_timers_in_one_statement_rearms_only_cancelled_and_refused_ones(container):
    old, new = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    states = {"a": "cancelled", "b": "refused", "c": "fired", "d": "pending"}
    base = {"kind": "annuity_overdue", "subject_id": "s", "payload": {"year": 1}}
    with container.db.write() as conn:
        for key, state in states.items():
            row = {**base, "key": key, "due_at": old, "state": state, "attempts": 2}
            conn.execute(insert(timers).values(**row))
        rows = [{**base, "key": k, "due_at": new, "payload": {"year": 2}} for k in "abcde"]
        _arm(conn, rows)

    with container.db.read() as conn:
        found = {r.key: (r.state, r.due_at.year, r.attempts) for r in conn.execute(select(timers))}
    assert found == {
        "a": ("pending", 2027, 0),
        "b": ("pending", 2027, 0),
        "c": ("fired", 2026, 2),
        "d": ("pending", 2026, 2),
        "e": ("pending", 2027, 0),
    }
