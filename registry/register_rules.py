"""Consistency rules for a register entry, checked before anything is recorded.

Every date lies in the registry's range (``registry.business_dates``) and the dates an entry
answers with (expiry, the next fee's due date, the fee schedule, the annuity status) are
computed here once, before the save, so an entry that was accepted can always be shown.
"""

from __future__ import annotations

from datetime import date

from registry import annuities
from registry.business_dates import check_business_date, check_in_range
from registry.errors import InvalidValue
from registry.ip_rights import STATUSES
from registry.numbers import PATENT_KINDS
from registry.values import Party, RegisterEntry


def check_register_fields(kind: str, fields: RegisterEntry, today: date) -> None:
    """``today``: the business date of the command (grant and filing cannot lie after it)."""
    if fields.status not in STATUSES:
        raise InvalidValue(f"status must be one of {', '.join(STATUSES)}", field="status")
    _check_holders(fields.holders)
    _check_dates(kind, fields, today)
    _check_annuities(kind, fields.annuity_paid_through_year)
    _check_derived(kind, fields, today)


def _check_holders(holders: tuple[Party, ...]) -> None:
    if not holders:
        raise InvalidValue("at least one holder is required", field="holders")
    codes = [h.credit_code for h in holders]
    if len(set(codes)) != len(codes):
        raise InvalidValue("a holder is listed twice", field="holders")


def _check_dates(kind: str, fields: RegisterEntry, today: date) -> None:
    filing = fields.filing_date
    check_business_date(filing, today, "filing_date")
    grant = fields.grant_date
    if grant is not None:
        if grant < filing:
            raise InvalidValue("grant_date is before filing_date", field="grant_date")
        check_business_date(grant, today, "grant_date")
    if fields.status == "in_force" and kind in PATENT_KINDS and grant is None:
        raise InvalidValue("a patent in force needs a grant_date", field="grant_date")
    valid_until = fields.valid_until
    if valid_until is not None:
        check_in_range(valid_until, "valid_until")
        if valid_until < filing:
            raise InvalidValue("valid_until is before filing_date", field="valid_until")
    if kind == "trademark" and valid_until is None:
        raise InvalidValue("a trademark needs valid_until", field="valid_until")


def _check_annuities(kind: str, paid: int | None) -> None:
    if paid is None:
        return
    if kind not in PATENT_KINDS:
        raise InvalidValue("only patents pay annual fees", field="annuity_paid_through_year")
    term = annuities.term_years(kind)
    if not 0 <= paid <= term:
        raise InvalidValue(
            f"annuity_paid_through_year must be 0..{term}", field="annuity_paid_through_year"
        )


def _check_derived(kind: str, fields: RegisterEntry, today: date) -> None:
    """Computes what a response derives from the entry; the ranges above make these total,
    and this proves it for the entry at hand before anything is recorded."""
    if kind not in PATENT_KINDS:
        return
    filing, paid = fields.filing_date, fields.annuity_paid_through_year
    try:
        annuities.expiry_date(kind, filing)
        # The schedule's due dates are anniversaries of the filing date: if the last one
        # exists, every earlier one does (its fees are a table).
        annuities.due_date(filing, annuities.term_years(kind))
        annuities.next_due_date(kind, filing, paid, today)
        annuities.annuity_status(kind, filing, paid, today)
    except (OverflowError, ValueError) as e:
        raise InvalidValue(f"filing_date gives no valid fee schedule: {e}", "filing_date") from e
