"""Consistency rules for a register entry, checked before anything is recorded."""

from __future__ import annotations

from typing import Any

from registry import annuities
from registry.errors import InvalidValue
from registry.ip_rights import STATUSES
from registry.numbers import PATENT_KINDS


def check_register_fields(kind: str, fields: dict[str, Any]) -> None:
    if fields["status"] not in STATUSES:
        raise InvalidValue(f"status must be one of {', '.join(STATUSES)}", field="status")
    if not fields["holders"]:
        raise InvalidValue("at least one holder is required", field="holders")
    codes = [h["credit_code"] for h in fields["holders"]]
    if len(set(codes)) != len(codes):
        raise InvalidValue("a holder is listed twice", field="holders")
    grant = fields.get("grant_date")
    if grant is not None and grant < fields["filing_date"]:
        raise InvalidValue("grant_date is before filing_date", field="grant_date")
    if fields["status"] == "in_force" and kind in PATENT_KINDS and grant is None:
        raise InvalidValue("a patent in force needs a grant_date", field="grant_date")
    paid = fields.get("annuity_paid_through_year")
    if paid is not None:
        if kind not in PATENT_KINDS:
            raise InvalidValue("only patents pay annual fees", field="annuity_paid_through_year")
        if not 0 <= paid <= annuities.term_years(kind):
            raise InvalidValue(
                f"annuity_paid_through_year must be 0..{annuities.term_years(kind)}",
                field="annuity_paid_through_year",
            )
    if kind == "trademark" and fields.get("valid_until") is None:
        raise InvalidValue("a trademark needs valid_until", field="valid_until")
