"""Pledge requests (contract §4)."""

from __future__ import annotations

from typing import Annotated, Literal

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
from registry import values
from registry.filings import Filing


class Consent(Strict):
    credit_code: CreditCode
    reference: Annotated[SingleLine, chars(500)]

    def to_domain(self) -> values.Consent:
        return values.Consent(credit_code=self.credit_code, reference=self.reference)


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

    def to_domain(self) -> values.Loan:
        return values.Loan(
            contract_number=self.contract_number,
            principal=self.principal,
            start_date=self.start_date,
            maturity_date=self.maturity_date,
        )


class Valuation(Strict):
    amount: Money
    method: Literal["internal", "appraisal", "negotiated"]
    appraiser: Name | None = None

    @model_validator(mode="after")
    def _appraiser(self) -> Valuation:
        if self.method == "appraisal" and not self.appraiser:
            raise ValueError("an appraisal names its appraiser")
        return self

    def to_domain(self) -> values.Valuation:
        return values.Valuation(amount=self.amount, method=self.method, appraiser=self.appraiser)


class RiskCompensation(Strict):
    fund_id: Identifier
    share: Ratio

    @model_validator(mode="after")
    def _share(self) -> RiskCompensation:
        if not 0 < self.share < 1:
            raise ValueError("share must be strictly between 0 and 1")
        return self

    def to_domain(self) -> values.RiskCompensation:
        return values.RiskCompensation(fund_id=self.fund_id, share=self.share)


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
            pledgor=self.pledgor.to_domain(),
            debtor=(self.debtor or self.pledgor).to_domain(),
            co_owner_consents=tuple(c.to_domain() for c in self.co_owner_consents),
            loan=self.loan.to_domain(),
            secured_amount=self.secured_amount,
            items=tuple(i.to_domain() for i in self.items),
            valuation=self.valuation.to_domain(),
            risk_compensation=(
                self.risk_compensation.to_domain() if self.risk_compensation else None
            ),
        )


class Amendment(Strict):
    secured_amount: Money | None = None
    maturity_date: BusinessDate | None = None
    loan_contract_number: Reference | None = None
    reason: Text

    def changes(self) -> values.LoanAmendment:
        return values.LoanAmendment(
            secured_amount=self.secured_amount,
            maturity_date=self.maturity_date,
            loan_contract_number=self.loan_contract_number,
        )


class Release(Strict):
    released_on: BusinessDate
    reason: Literal["repaid", "waived", "contract_void", "other"]
    items: Annotated[list[Item], Field(min_length=1, max_length=50)] | None = None

    @model_validator(mode="after")
    def _distinct(self) -> Release:
        keys = self.domain_items() or []
        if len(set(keys)) != len(keys):
            raise ValueError("an item is listed twice")
        return self

    def domain_items(self) -> list[values.Item] | None:
        return None if self.items is None else [i.to_domain() for i in self.items]


class AnnuityPrepayment(Strict):
    item: Item
    through_year: Annotated[int, Field(ge=1, le=20, strict=True)]
    amount: Money
    paid_on: BusinessDate
    receipt_number: Reference

    def to_domain(self) -> values.FeePrepayment:
        return values.FeePrepayment(
            item=self.item.to_domain(),
            through_year=self.through_year,
            amount=self.amount,
            paid_on=self.paid_on,
            receipt_number=self.receipt_number,
        )


class Default(Strict):
    declared_on: BusinessDate
    outstanding_amount: Money
