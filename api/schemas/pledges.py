"""Pledge requests (SPEC §4)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from api.schemas.common import (
    BusinessDate,
    CreditCode,
    Identifier,
    Item,
    Money,
    Name,
    Party,
    Ratio,
    Reference,
    SingleLine,
    Strict,
    Text,
    chars,
)
from registry.filings import Filing


class Consent(Strict):
    credit_code: CreditCode
    reference: Annotated[SingleLine, chars(500)]


class Loan(Strict):
    contract_number: Reference
    principal: Money
    start_date: BusinessDate
    maturity_date: BusinessDate

    @model_validator(mode="after")
    def _term(self) -> Loan:
        if self.maturity_date <= self.start_date:
            raise ValueError("maturity_date must be after start_date")
        return self


class Valuation(Strict):
    amount: Money
    method: Literal["internal", "appraisal", "negotiated"]
    appraiser: Name | None = None

    @model_validator(mode="after")
    def _appraiser(self) -> Valuation:
        if self.method == "appraisal" and not self.appraiser:
            raise ValueError("an appraisal names its appraiser")
        return self


class RiskCompensation(Strict):
    fund_id: Identifier
    share: Ratio

    @model_validator(mode="after")
    def _share(self) -> RiskCompensation:
        if not 0 < self.share < 1:
            raise ValueError("share must be strictly between 0 and 1")
        return self


class PledgeCreate(Strict):
    pledgor: Party
    debtor: Party | None = None
    co_owner_consents: Annotated[list[Consent], Field(max_length=50)] = []
    loan: Loan
    secured_amount: Money
    items: Annotated[list[Item], Field(min_length=1, max_length=50)]
    valuation: Valuation
    risk_compensation: RiskCompensation | None = None

    def to_filing(self) -> Filing:
        return Filing(
            pledgor=self.pledgor.model_dump(),
            debtor=(self.debtor or self.pledgor).model_dump(),
            co_owner_consents=[c.model_dump() for c in self.co_owner_consents],
            loan=self.loan.model_dump(),
            secured_amount=self.secured_amount,
            items=[i.key() for i in self.items],
            valuation=self.valuation.model_dump(),
            risk_compensation=(
                self.risk_compensation.model_dump() if self.risk_compensation else None
            ),
        )


class Amendment(Strict):
    secured_amount: Money | None = None
    maturity_date: BusinessDate | None = None
    loan_contract_number: Reference | None = None
    reason: Text

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, exclude={"reason"})


class Release(Strict):
    released_on: BusinessDate
    reason: Literal["repaid", "waived", "contract_void", "other"]
    items: Annotated[list[Item], Field(min_length=1, max_length=50)] | None = None

    @model_validator(mode="after")
    def _distinct(self) -> Release:
        keys = self.item_keys() or []
        if len({(k["kind"], k["number"]) for k in keys}) != len(keys):
            raise ValueError("an item is listed twice")
        return self

    def item_keys(self) -> list[dict[str, str]] | None:
        return None if self.items is None else [i.key() for i in self.items]


class AnnuityPrepayment(Strict):
    item: Item
    through_year: Annotated[int, Field(ge=1, le=20, strict=True)]
    amount: Money
    paid_on: BusinessDate
    receipt_number: Reference

    def payment(self) -> dict[str, Any]:
        return {**self.model_dump(exclude={"item"}), "item": self.item.key()}


class Default(Strict):
    declared_on: BusinessDate
    outstanding_amount: Money
