"""Register entry requests (SPEC §3)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from api.schemas.common import BusinessDate, Kind, Number, Party, SingleLine, Strict, chars

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

    def register_fields(self) -> dict[str, Any]:
        fields = self.model_dump(mode="python")
        fields["holders"] = [h.model_dump() for h in self.holders]
        return fields


class IPRightImportLine(IPRightPut):
    kind: Kind
    number: Number

    def register_fields(self) -> dict[str, Any]:
        fields = super().register_fields()
        fields.pop("kind")
        fields.pop("number")
        return fields
