"""Disposal, listing and compensation requests (contract §5-§6)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, ValidationInfo, field_validator

from api.schemas.common import BusinessDate, Money, MoneyOrZero, Party, Reference, Strict, Text
from registry import values


class DisposalCreate(Strict):
    pledge_id: UUID
    route: Literal["exchange_listing", "auction", "reverse_licence", "acquisition"]
    appraised_value: Money


class ListingCreate(Strict):
    disposal_id: UUID
    asking_price: Money
    listed_on: BusinessDate
    approval_reference: Reference | None = None


class IntentionCreate(Strict):
    bidder: Party
    registered_on: BusinessDate


class Sale(Strict):
    buyer: Party
    price: Money
    sold_on: BusinessDate


class Buyback(Strict):
    price: Money
    bought_on: BusinessDate
    buyer: Party


class Withdrawal(Strict):
    reason: Text


class Licence(Strict):
    licensee: Party
    terms: Text
    term_years: Annotated[int, Field(ge=1, le=20, strict=True)] | None = None

    def to_domain(self) -> values.Licence:
        return values.Licence(
            licensee=self.licensee.to_domain(), terms=self.terms, term_years=self.term_years
        )


class Conclusion(Strict):
    """The outcome of a reverse-licence or acquisition disposal (no listing involved)."""

    counterparty: Party
    price: Money
    concluded_on: BusinessDate
    licence: Licence | None = None

    def domain_licence(self) -> values.Licence | None:
        return self.licence.to_domain() if self.licence else None


class Settlement(Strict):
    proceeds: Money
    costs: MoneyOrZero
    settled_on: BusinessDate

    @field_validator("costs")
    @classmethod
    def _costs(cls, costs: Decimal, info: ValidationInfo) -> Decimal:
        proceeds = info.data.get("proceeds")  # absent if proceeds itself was invalid
        if proceeds is not None and costs > proceeds:
            raise ValueError("costs exceed proceeds")
        return costs


class Advance(Strict):
    paid_on: BusinessDate
