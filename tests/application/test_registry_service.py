"""The registry command services over the real event store (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from events.store import open_event_store
from registry.actors import acting_as
from registry.errors import AmountMismatch, NotFound
from registry.ip_rights import IPRight, ip_right_id
from registry.pledges import Pledge
from registry.service import TermExceedsProtection
from registry.values import (
    Encumbrance,
    FeePrepayment,
    LoanAmendment,
    RegisterChanges,
    RiskCompensation,
)
from tests.application.workload import file, put, types_after
from tests.builders import party
from tests.factories import (
    BANK_A,
    BANK_B,
    IP_OFFICE,
    domain_party,
    make_filing,
    patent_fields,
    patent_item,
    trademark_fields,
    trademark_item,
)

HOLDER = party(1)
PATENT = patent_item(1)
MARK = trademark_item()


@pytest.fixture
def saves(container, monkeypatch) -> list[list[object]]:
    """Every ``store.save`` call, as the list of aggregates it saved together."""
    calls: list[list[object]] = []
    original = container.store.save

    def spy(*aggregates, **kwargs):
        calls.append(list(aggregates))
        return original(*aggregates, **kwargs)

    monkeypatch.setattr(container.store, "save", spy)
    return calls


def right(container, item) -> IPRight:
    return container.registry.ip_right(item.kind, item.number)


def registered_pledge(container) -> Pledge:
    put(container, PATENT, patent_fields([HOLDER]))
    put(container, MARK, trademark_fields([HOLDER]))
    pledge = file(container, BANK_A, HOLDER, [PATENT, MARK])
    assert pledge.status == "registered"
    return pledge


# ---- the register --------------------------------------------------------------------


def test_putting_an_unknown_right_creates_it(container):
    with acting_as(IP_OFFICE):
        result = container.registry.put_ip_right(
            "invention_patent", PATENT.number, patent_fields([HOLDER])
        )

    assert result.value[1] is True
    assert result.position == container.store.max_position() == 1
    assert types_after(container, 0) == ["ip_right.registered"]


def test_putting_a_known_right_records_only_the_changed_fields(container):
    put(container, PATENT, patent_fields([HOLDER]))

    with acting_as(IP_OFFICE):
        result = container.registry.put_ip_right(
            PATENT.kind, PATENT.number, patent_fields([HOLDER], dispute_hold=True)
        )

    assert result.value[1] is False
    assert types_after(container, 1) == ["ip_right.updated"]
    assert container.store.decode(
        container.store.read_log(after=1, limit=1)[0]
    ).changes == RegisterChanges(dispute_hold=True)


def test_putting_unchanged_fields_records_nothing(container):
    put(container, PATENT, patent_fields([HOLDER]))

    with acting_as(IP_OFFICE):
        result = container.registry.put_ip_right(
            PATENT.kind, PATENT.number, patent_fields([HOLDER])
        )

    assert result.position == 0
    assert container.store.max_position() == 1
    assert right(container, PATENT).version == 1


def test_money_dates_and_ids_come_back_from_the_store_exactly(container):
    put(container, PATENT, patent_fields([HOLDER]))
    filing = replace(
        make_filing(HOLDER, [PATENT], secured_amount=Decimal("5000000.10")),
        risk_compensation=RiskCompensation(fund_id="HB-RCF", share=Decimal("0.40")),
    )
    with acting_as(BANK_A):
        pledge = container.registry.file_pledge(filing).value
    fresh = open_event_store(container.config, create_tables=False)
    try:
        stored = fresh.repository.get(pledge.id)
        stored_right = fresh.repository.get(right(container, PATENT).id)
    finally:
        fresh.close()

    assert isinstance(stored.id, UUID) and stored.id == pledge.id
    assert stored.filing == filing
    assert str(stored.secured_amount) == "5000000.10"
    assert stored.filing.risk_compensation is not None
    assert str(stored.filing.risk_compensation.share) == "0.40"
    assert type(stored.loan.maturity_date) is date
    assert type(stored.registered_on) is date
    assert type(stored_right.filing_date) is date
    assert stored.created_on == container.clock.now()


# ---- filing --------------------------------------------------------------------------


def test_a_registration_encumbers_every_item_in_the_same_save(container, saves):
    put(container, PATENT, patent_fields([HOLDER]))
    put(container, MARK, trademark_fields([HOLDER]))
    saves.clear()

    file(container, BANK_A, HOLDER, [PATENT, MARK])

    assert len(saves) == 1
    assert {type(a).__name__ for a in saves[0]} == {"Pledge", "IPRight"} and len(saves[0]) == 3
    assert types_after(container, 2) == [
        "pledge.registered",
        "ip_right.encumbered",
        "ip_right.encumbered",
    ]


def test_every_item_of_a_registered_pledge_shows_its_encumbrance(container):
    pledge = registered_pledge(container)

    expected = Encumbrance(
        pledge_id=str(pledge.id),
        registration_number=pledge.registration_number,
        pledgee="BANK-A",
    )
    assert right(container, PATENT).encumbrance == expected
    assert right(container, MARK).encumbrance == expected


def test_a_refusal_is_recorded_and_encumbers_nothing(container):
    put(container, PATENT, patent_fields([HOLDER], dispute_hold=True))

    pledge = file(container, BANK_A, HOLDER, [PATENT])

    assert pledge.status == "refused"
    assert container.registry.pledge(pledge.id).refusal_reasons[0].code == "ip_in_dispute"
    assert right(container, PATENT).encumbrance is None
    assert types_after(container, 1) == ["pledge.refused"]


def test_released_items_are_free_for_a_new_pledge(container):
    first = registered_pledge(container)
    with acting_as(BANK_A):
        container.registry.release_pledge(first.id, date(2026, 1, 5), "repaid", None)

    second = file(container, BANK_B, HOLDER, [PATENT, MARK])

    assert second.status == "registered"
    assert right(container, PATENT).encumbrance.pledge_id == str(second.id)
    assert right(container, MARK).encumbrance.pledgee == "BANK-B"


def test_a_partial_release_frees_only_the_items_named(container):
    pledge = registered_pledge(container)

    with acting_as(BANK_A):
        container.registry.release_pledge(pledge.id, date(2026, 1, 5), "other", [MARK])

    assert right(container, MARK).encumbrance is None
    assert right(container, PATENT).encumbrance.pledge_id == str(pledge.id)
    assert container.registry.pledge(pledge.id).status == "registered"


# ---- annuity prepayment --------------------------------------------------------------


def prepayment(amount: str) -> FeePrepayment:
    # Fee years 13 and 14 of an invention patent: 6,000 each, not yet due on 2026-01-05.
    return FeePrepayment(
        item=PATENT,
        through_year=14,
        amount=Decimal(amount),
        paid_on=date(2026, 1, 5),
        receipt_number="R-0001",
    )


def test_prepaying_the_exact_fees_advances_the_registers_paid_through_year(container):
    pledge = registered_pledge(container)

    with acting_as(BANK_A):
        result = container.registry.prepay_annuity(pledge.id, prepayment("12000.00"))

    assert result.value[1].from_year == 13
    assert right(container, PATENT).annuity_paid_through_year == 14
    assert types_after(container, result.position - 2) == ["annuity.prepaid", "ip_right.updated"]


def test_prepaying_a_wrong_amount_names_the_expected_sum_and_records_nothing(container):
    pledge = registered_pledge(container)
    before = container.store.max_position()

    with pytest.raises(AmountMismatch) as raised, acting_as(BANK_A):
        container.registry.prepay_annuity(pledge.id, prepayment("11000.00"))

    assert raised.value.extra["expected"] == "12000.00"
    assert container.store.max_position() == before
    assert right(container, PATENT).annuity_paid_through_year == 12


# ---- amendment -----------------------------------------------------------------------


def test_a_maturity_beyond_an_items_protection_is_refused(container):
    pledge = registered_pledge(container)

    # the trademark is valid until 2033-08-13
    with acting_as(BANK_A), pytest.raises(TermExceedsProtection):
        container.registry.amend_pledge(
            pledge.id, LoanAmendment(maturity_date=date(2033, 8, 14)), "extension"
        )
    assert container.registry.pledge(pledge.id).version == 1


def test_a_maturity_on_the_last_day_of_protection_is_accepted(container):
    pledge = registered_pledge(container)

    with acting_as(BANK_A):
        result = container.registry.amend_pledge(
            pledge.id, LoanAmendment(maturity_date=date(2033, 8, 13)), "extension"
        )

    assert result.value.loan.maturity_date == date(2033, 8, 13)


def test_another_banks_pledge_cannot_be_amended(container):
    pledge = registered_pledge(container)

    with pytest.raises(NotFound), acting_as(BANK_B):
        container.registry.amend_pledge(
            pledge.id, LoanAmendment(secured_amount=Decimal("1.00")), "mine now"
        )


# ---- history -------------------------------------------------------------------------


def test_a_pledge_as_of_an_earlier_instant_is_its_state_then(container):
    pledge = registered_pledge(container)
    filed_at: datetime = container.clock.now()
    container.clock.advance(timedelta(days=2))
    with acting_as(BANK_A):
        container.registry.amend_pledge(
            pledge.id, LoanAmendment(secured_amount=Decimal("4000000.00")), "partly repaid"
        )

    then = container.registry.pledge_as_of(pledge.id, filed_at + timedelta(days=1))

    assert (then.version, then.secured_amount) == (1, Decimal("5000000.00"))
    assert container.registry.pledge(pledge.id).secured_amount == Decimal("4000000.00")


def test_a_pledge_as_of_before_its_filing_is_not_found(container):
    pledge = registered_pledge(container)

    with pytest.raises(NotFound):
        container.registry.pledge_as_of(pledge.id, container.clock.now() - timedelta(seconds=1))


def test_an_ip_rights_id_is_not_a_pledge_at_any_instant(container):
    put(container, PATENT, patent_fields([HOLDER]))

    with pytest.raises(NotFound):
        container.registry.pledge_as_of(right(container, PATENT).id, container.clock.now())


# ---- bulk import ---------------------------------------------------------------------


def test_an_import_saves_in_batches_of_two_hundred(container, saves):
    entries = [
        ("invention_patent", patent_item(n).number, patent_fields([party(n)]))
        for n in range(1, 451)
    ]

    with acting_as(IP_OFFICE):
        position = container.registry.import_ip_rights(entries)

    assert [len(batch) for batch in saves] == [200, 200, 50]
    assert position == container.store.max_position() == 450
    assert right(container, patent_item(450)).holders == (domain_party(450),)


def test_an_import_updates_rights_already_in_the_register(container):
    put(container, PATENT, patent_fields([HOLDER]))
    entries = [(PATENT.kind, PATENT.number, patent_fields([HOLDER], title="Renamed"))]

    with acting_as(IP_OFFICE):
        container.registry.import_ip_rights(entries)

    assert types_after(container, 1) == ["ip_right.updated"]
    assert right(container, PATENT).title == "Renamed"


def test_an_entry_repeated_within_one_import_ends_with_its_last_fields(container):
    first = patent_fields([HOLDER], title="First")
    last = patent_fields([HOLDER], title="Last")

    with acting_as(IP_OFFICE):
        container.registry.import_ip_rights(
            [("invention_patent", PATENT.number, first)] * 2
            + [("invention_patent", PATENT.number, last)],
        )

    assert types_after(container, 0) == ["ip_right.registered", "ip_right.updated"]
    assert right(container, PATENT).title == "Last"


def test_an_import_reads_only_the_rights_already_in_the_register(container, monkeypatch):
    put(container, patent_item(2), patent_fields([HOLDER]))
    reads: list = []
    get = container.store.repository.get
    monkeypatch.setattr(
        container.store.repository, "get", lambda i, **kw: reads.append(i) or get(i, **kw)
    )
    entries = [
        ("invention_patent", patent_item(n).number, patent_fields([HOLDER], title="New"))
        for n in (1, 2, 3)
    ]

    with acting_as(IP_OFFICE):
        container.registry.import_ip_rights(entries)

    assert reads == [ip_right_id("invention_patent", patent_item(2).number)]
    assert types_after(container, 1) == [
        "ip_right.registered",
        "ip_right.updated",
        "ip_right.registered",
    ]


def test_a_right_registered_meanwhile_by_another_writer_is_updated_on_retry(container, monkeypatch):
    entries = [("invention_patent", PATENT.number, patent_fields([HOLDER], title="Imported"))]
    existing = container.store.existing

    def another_writer_first(ids):
        found = existing(ids)
        if not found:  # the first attempt: the other writer registers it before we save
            put(container, PATENT, patent_fields([HOLDER]))
        return found

    monkeypatch.setattr(container.store, "existing", another_writer_first)
    with acting_as(IP_OFFICE):
        container.registry.import_ip_rights(entries)

    assert types_after(container, 0) == ["ip_right.registered", "ip_right.updated"]
    assert right(container, PATENT).title == "Imported"
