"""Register entry requests (contract §3)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from api.schemas.common import BusinessDate, Kind, Number, Party, SingleLine, Strict, chars
from registry.values import RegisterEntry

Title = Annotated[SingleLine, chars(500)]
Status = Literal["pending", "in_force", "terminated", "invalidated", "expired"]


class IPRightPut(Strict):
    title: Title
    holders: Annotated[list[Party], Field(min_length=1, max_length=50)]
    filing_date: BusinessDate
    grant_date: BusinessDate | None = None
    status: Status
    annuity_paid_through_year: Annotated[int, Field(ge=0, le=20, strict=True)] | None = None
    valid_until: BusinessDate | None = None
    dispute_hold: Annotated[bool, Field(strict=True)] = False
    invalidation_pending: Annotated[bool, Field(strict=True)] = False

    def to_domain(self) -> RegisterEntry:
        return RegisterEntry(
            title=self.title,
            holders=tuple(h.to_domain() for h in self.holders),
            filing_date=self.filing_date,
            grant_date=self.grant_date,
            status=self.status,
            annuity_paid_through_year=self.annuity_paid_through_year,
            valid_until=self.valid_until,
            dispute_hold=self.dispute_hold,
            invalidation_pending=self.invalidation_pending,
        )


class IPRightImportLine(IPRightPut):
    kind: Kind
    number: Number
