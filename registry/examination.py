"""Examination of a filing against the register (CNIPA refusal grounds, contract §4).

Every failed check is reported, not just the first: the bank fixes them all in one go.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date

from registry.filings import Filing
from registry.ip_rights import IPRight
from registry.values import Item, RefusalReason

NOT_IN_FORCE = ("terminated", "invalidated", "expired")

ItemCheck = Callable[[Filing, IPRight, date], Iterator[tuple[str, str]]]


def examine(
    filing: Filing, rights: Mapping[tuple[str, str], IPRight | None], today: date
) -> list[RefusalReason]:
    reasons: list[RefusalReason] = []
    for item in filing.items:
        right = rights.get(item.key)
        if right is None:
            reasons.append(_reason("ip_unknown", item, "not in the register"))
            continue
        for check in ITEM_CHECKS:
            reasons.extend(
                _reason(code, item, detail) for code, detail in check(filing, right, today)
            )
    return reasons


def _reason(code: str, item: Item | None, detail: str) -> RefusalReason:
    return RefusalReason(code=code, item=item, detail=detail)


def check_granted(filing: Filing, right: IPRight, today: date) -> Iterator[tuple[str, str]]:
    if right.status == "pending":
        yield "ip_not_granted", "the application has not been granted yet"


def check_in_force(filing: Filing, right: IPRight, today: date) -> Iterator[tuple[str, str]]:
    if right.status in NOT_IN_FORCE:
        yield "ip_not_in_force", f"the right is {right.status}"
        return
    expiry = right.expiry_date()
    if right.status != "pending" and expiry is not None and expiry < today:
        yield "ip_not_in_force", f"protection ended on {expiry}"


def check_holder(filing: Filing, right: IPRight, today: date) -> Iterator[tuple[str, str]]:
    if filing.pledgor.credit_code not in right.holder_codes:
        yield "pledgor_not_holder", "the pledgor is not among the holders"


def check_consents(filing: Filing, right: IPRight, today: date) -> Iterator[tuple[str, str]]:
    # Only a holder can pledge with co-owners' consent; a stranger is refused as not a holder.
    if filing.pledgor.credit_code not in right.holder_codes:
        return
    for holder in right.holders:
        code = holder.credit_code
        if code != filing.pledgor.credit_code and code not in filing.consenting_codes:
            yield "co_owner_consent_missing", f"no consent from co-owner {holder.name} ({code})"


def check_unencumbered(filing: Filing, right: IPRight, today: date) -> Iterator[tuple[str, str]]:
    if right.encumbrance is not None:
        number = right.encumbrance.registration_number
        yield "ip_already_pledged", f"encumbered by registered pledge {number}"


def check_annuity(filing: Filing, right: IPRight, today: date) -> Iterator[tuple[str, str]]:
    if right.is_patent and right.status == "in_force":
        status = right.annuity_status(today)
        if status in ("grace", "lapsed"):
            due = right.next_annuity_due_date(today)
            yield "annuity_unpaid", f"the annual fee due {due} is unpaid ({status})"


def check_protection_outlasts_loan(
    filing: Filing, right: IPRight, today: date
) -> Iterator[tuple[str, str]]:
    expiry = right.expiry_date()
    maturity = filing.loan.maturity_date
    if expiry is not None and maturity > expiry:
        yield "term_exceeds_protection", f"loan matures {maturity}, protection ends {expiry}"


def check_dispute(filing: Filing, right: IPRight, today: date) -> Iterator[tuple[str, str]]:
    if right.dispute_hold:
        yield "ip_in_dispute", "the right is held pending an ownership dispute"


def check_invalidation(filing: Filing, right: IPRight, today: date) -> Iterator[tuple[str, str]]:
    if right.invalidation_pending:
        yield "invalidation_pending", "an invalidation request is pending"


ITEM_CHECKS = (
    check_granted,
    check_in_force,
    check_holder,
    check_consents,
    check_unencumbered,
    check_annuity,
    check_protection_outlasts_loan,
    check_dispute,
    check_invalidation,
)
