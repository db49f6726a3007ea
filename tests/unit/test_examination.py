"""Examination of a filing against the register: one refusal code per CNIPA ground (contract §4)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from registry.examination import examine
from registry.filings import Filing
from registry.ip_rights import IPRight
from registry.values import Encumbrance, Item, RefusalReason, RegisterEntry
from tests.builders import party
from tests.factories import (
    NOW,
    TODAY,
    consent,
    ip_right,
    make_filing,
    patent_fields,
    patent_item,
    trademark_fields,
    trademark_item,
)

HOLDER = party(1)
CO_OWNER = party(2)
STRANGER = party(3)
PATENT = patent_item(1)


def register(*entries: tuple[Item, RegisterEntry]) -> dict[tuple[str, str], IPRight]:
    return {item.key: ip_right(item, fields) for item, fields in entries}


def codes(filing: Filing, rights: dict[tuple[str, str], IPRight]) -> list[str]:
    return [reason.code for reason in examine(filing, rights, TODAY)]


def only_patent(**overrides: Any) -> dict[tuple[str, str], IPRight]:
    return register((PATENT, patent_fields([HOLDER], **overrides)))


def test_a_clean_filing_gives_no_reasons():
    rights = register(
        (PATENT, patent_fields([HOLDER])), (trademark_item(), trademark_fields([HOLDER]))
    )

    assert examine(make_filing(HOLDER, [PATENT, trademark_item()]), rights, TODAY) == []


def test_an_item_missing_from_the_register_is_ip_unknown():
    reasons = examine(make_filing(HOLDER, [PATENT]), {}, TODAY)

    assert reasons == [RefusalReason(code="ip_unknown", item=PATENT, detail="not in the register")]


def test_a_pending_application_is_ip_not_granted():
    rights = only_patent(status="pending", grant_date=None)

    assert codes(make_filing(HOLDER, [PATENT]), rights) == ["ip_not_granted"]


@pytest.mark.parametrize("status", ["terminated", "invalidated", "expired"])
def test_a_right_that_has_ended_is_ip_not_in_force(status):
    assert codes(make_filing(HOLDER, [PATENT]), only_patent(status=status)) == ["ip_not_in_force"]


def test_a_patent_past_its_twenty_years_is_not_in_force_even_if_the_register_says_so():
    rights = only_patent(
        filing_date=date(2005, 3, 10), grant_date=date(2007, 1, 9), annuity_paid_through_year=20
    )

    # Protection ended 2025-03-09; the loan's maturity is therefore beyond it too.
    assert codes(make_filing(HOLDER, [PATENT]), rights) == [
        "ip_not_in_force",
        "term_exceeds_protection",
    ]


def test_a_trademark_past_its_valid_until_is_not_in_force():
    rights = register(
        (trademark_item(), trademark_fields([HOLDER], valid_until=date(2025, 12, 31)))
    )

    assert codes(make_filing(HOLDER, [trademark_item()]), rights) == [
        "ip_not_in_force",
        "term_exceeds_protection",
    ]


def test_a_stranger_cannot_pledge_even_with_the_holders_consent():
    filing = make_filing(STRANGER, [PATENT], consents=[consent(HOLDER)])

    assert codes(filing, only_patent()) == ["pledgor_not_holder"]


def test_a_co_owner_without_consent_is_reported_by_name():
    rights = register((PATENT, patent_fields([HOLDER, CO_OWNER])))

    reasons = examine(make_filing(HOLDER, [PATENT]), rights, TODAY)

    assert [r.code for r in reasons] == ["co_owner_consent_missing"]
    assert CO_OWNER["credit_code"] in reasons[0].detail


def test_a_co_owner_with_consent_passes():
    rights = register((PATENT, patent_fields([HOLDER, CO_OWNER])))

    assert codes(make_filing(HOLDER, [PATENT], consents=[consent(CO_OWNER)]), rights) == []


def test_an_encumbered_right_is_ip_already_pledged():
    rights = only_patent()
    pledge = Encumbrance(pledge_id="p-1", registration_number="Y20260000000001", pledgee="BANK-A")
    rights[PATENT.key].encumber(pledge, NOW)

    reasons = examine(make_filing(HOLDER, [PATENT]), rights, TODAY)

    assert [r.code for r in reasons] == ["ip_already_pledged"]
    assert "Y20260000000001" in reasons[0].detail


def test_an_unpaid_current_fee_year_in_grace_is_annuity_unpaid():
    # Fee year 11 fell due 2025-12-01; on 2026-01-05 it is unpaid and inside its grace period.
    rights = only_patent(filing_date=date(2015, 12, 1), annuity_paid_through_year=10)

    assert codes(make_filing(HOLDER, [PATENT]), rights) == ["annuity_unpaid"]


def test_a_fee_year_not_yet_due_is_not_annuity_unpaid():
    # Fee year 12 falls due 2026-03-10: not yet owed on 2026-01-05.
    assert codes(make_filing(HOLDER, [PATENT]), only_patent(annuity_paid_through_year=11)) == []


def test_a_loan_maturing_after_protection_ends_is_term_exceeds_protection():
    rights = register(
        (trademark_item(), trademark_fields([HOLDER], valid_until=date(2027, 12, 31)))
    )

    assert codes(make_filing(HOLDER, [trademark_item()]), rights) == ["term_exceeds_protection"]


def test_a_loan_maturing_on_the_last_day_of_protection_passes():
    rights = register((trademark_item(), trademark_fields([HOLDER], valid_until=date(2028, 1, 14))))

    assert codes(make_filing(HOLDER, [trademark_item()]), rights) == []


def test_a_right_on_dispute_hold_is_ip_in_dispute():
    assert codes(make_filing(HOLDER, [PATENT]), only_patent(dispute_hold=True)) == ["ip_in_dispute"]


def test_a_pending_invalidation_request_is_invalidation_pending():
    rights = only_patent(invalidation_pending=True)

    assert codes(make_filing(HOLDER, [PATENT]), rights) == ["invalidation_pending"]


def test_every_failed_check_of_every_item_is_reported_together():
    disputed, held = patent_item(2), trademark_item()
    rights = register(
        (disputed, patent_fields([HOLDER, CO_OWNER], status="pending", grant_date=None)),
        (held, trademark_fields([HOLDER], dispute_hold=True, invalidation_pending=True)),
    )
    filing = make_filing(HOLDER, [PATENT, disputed, held])

    reasons = [(r.code, r.item) for r in examine(filing, rights, TODAY)]

    assert reasons == [
        ("ip_unknown", PATENT),
        ("ip_not_granted", disputed),
        ("co_owner_consent_missing", disputed),
        ("ip_in_dispute", held),
        ("invalidation_pending", held),
    ]
