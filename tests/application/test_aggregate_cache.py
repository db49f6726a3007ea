"""Aggregates are remembered per process (events/store.py): a read fetches only the events
recorded since, by any process, so it is never stale; a refused command leaves nothing
behind in memory. The other process is a second container on the same database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from api.bootstrap import Container
from registry.actors import acting_as
from registry.errors import DomainError
from registry.values import LoanAmendment
from tests.application.workload import file, put
from tests.builders import party
from tests.factories import BANK_A, patent_fields, patent_item

HOLDER = party(1)


def filed(container: Container):
    put(container, patent_item(1), patent_fields([HOLDER]))
    return file(container, BANK_A, HOLDER, [patent_item(1)])


def test_a_read_sees_what_another_process_wrote_since(container, other):
    pledge = filed(container)
    assert container.registry.pledge(pledge.id).version == 1  # now remembered here

    changes = LoanAmendment(secured_amount=Decimal("4000000.00"))
    with acting_as(BANK_A):
        other.registry.amend_pledge(pledge.id, changes, "repaid in part")

    seen = container.registry.pledge(pledge.id)
    assert (seen.version, seen.secured_amount) == (2, Decimal("4000000.00"))


def test_a_stale_command_is_refused_as_a_conflict_not_applied(container, other):
    pledge = filed(container)
    container.registry.pledge(pledge.id)
    with acting_as(BANK_A):
        other.registry.amend_pledge(
            pledge.id, LoanAmendment(secured_amount=Decimal("4000000.00")), "r"
        )
        with pytest.raises(DomainError) as refused:
            container.registry.amend_pledge(
                pledge.id,
                LoanAmendment(secured_amount=Decimal("3000000.00")),
                "r",
                expected_version=1,
            )

    assert refused.value.code == "version_mismatch"
    assert container.registry.pledge(pledge.id).secured_amount == Decimal("4000000.00")


def test_a_command_that_fails_after_changing_the_aggregate_leaves_no_trace(container, monkeypatch):
    pledge = filed(container)
    read = container.registry.pledge(pledge.id)
    before = (read.version, read.secured_amount)

    def lost_connection(*aggregates):  # the pledge is amended in memory, then saving fails
        raise ConnectionError("the database went away")

    monkeypatch.setattr(container.store, "save", lost_connection)
    with acting_as(BANK_A), pytest.raises(ConnectionError):
        changes = LoanAmendment(secured_amount=Decimal("4000000.00"))
        container.registry.amend_pledge(pledge.id, changes, "r")
    monkeypatch.undo()

    after = container.registry.pledge(pledge.id)
    assert (after.version, after.secured_amount) == before
