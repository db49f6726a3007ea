"""Response models of the register and the pledges (contract §3-§4): what api/presenters.py
returns, member for member."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.schemas.common import Kind
from api.schemas.public_common import (
    DateOut,
    InstantOut,
    ItemPublic,
    MoneyOut,
    PagePublic,
    PartyPublic,
    Public,
    RatioOut,
    UuidOut,
    Version,
)

PledgeStatus = Literal[
    "registered", "refused", "released", "in_default", "under_disposal", "disposed"
]
RegisterStatus = Literal["pending", "in_force", "terminated", "invalidated", "expired"]


class ConsentPublic(Public):
    credit_code: str
    reference: str


class LoanPublic(Public):
    contract_number: str
    principal: MoneyOut
    start_date: DateOut
    maturity_date: DateOut


class PledgedItemPublic(Public):
    kind: Kind
    number: str = Field(description="canonical number")
    released: bool = Field(description="the item has left the pledge (partial release)")


class ValuationPublic(Public):
    amount: MoneyOut
    method: Literal["internal", "appraisal", "negotiated"]
    appraiser: str | None


class RiskCompensationPublic(Public):
    fund_id: str
    share: RatioOut


class RefusalReasonPublic(Public):
    code: str = Field(description="a CNIPA refusal ground, e.g. ip_already_pledged (contract §4)")
    item: ItemPublic | None
    detail: str


class ReleasePublic(Public):
    released_on: DateOut
    reason: Literal["repaid", "waived", "contract_void", "other"]


class DefaultPublic(Public):
    declared_on: DateOut
    outstanding_amount: MoneyOut


class PledgePublic(Public):
    """A pledge: registered (with its registration number) or refused (with every reason)."""

    id: UuidOut
    registration_number: str | None = Field(
        pattern=r"^Y[0-9]{14}$", description="Y + year + 10 digits; null when refused"
    )
    status: PledgeStatus
    pledgee: str = Field(description="the bank's institution_id")
    pledgor: PartyPublic
    debtor: PartyPublic
    co_owner_consents: list[ConsentPublic]
    loan: LoanPublic
    secured_amount: MoneyOut
    items: list[PledgedItemPublic]
    valuation: ValuationPublic
    risk_compensation: RiskCompensationPublic | None
    refusal_reasons: list[RefusalReasonPublic]
    filed_on: DateOut
    registered_on: DateOut | None
    release: ReleasePublic | None
    default: DefaultPublic | None
    collateral_at_risk: bool = Field(description="an item lapsed while pledged")
    version: Version
    created_at: InstantOut
    updated_at: InstantOut


class PledgeSummaryPublic(Public):
    """A pledge in a list (GET /v1/pledges/{id} has the whole of it)."""

    id: UuidOut
    registration_number: str | None
    status: PledgeStatus
    pledgee: str
    pledgor: PartyPublic
    secured_amount: MoneyOut
    filed_on: DateOut
    registered_on: DateOut | None
    maturity_date: DateOut
    collateral_at_risk: bool
    version: Version


class PledgePagePublic(PagePublic[PledgeSummaryPublic]):
    """A page of pledges."""


class AnnuityPrepaymentPublic(Public):
    pledge_id: UuidOut
    item: ItemPublic
    through_year: int
    amount: MoneyOut
    paid_on: DateOut
    receipt_number: str
    from_year: int = Field(description="the first fee year this payment covers")


class EncumbrancePublic(Public):
    pledge_id: UuidOut
    registration_number: str
    pledgee: str


class IPRightPublic(Public):
    """A register entry with its encumbrance and annual-fee status (contract §3)."""

    kind: Kind
    number: str = Field(description="canonical number")
    title: str
    holders: list[PartyPublic]
    filing_date: DateOut
    grant_date: DateOut | None
    status: RegisterStatus
    annuity_paid_through_year: int | None
    valid_until: DateOut | None
    dispute_hold: bool
    invalidation_pending: bool
    expiry_date: DateOut | None = Field(description="the last day of protection")
    encumbrance: EncumbrancePublic | None
    next_annuity_due_date: DateOut | None
    annuity_status: Literal["paid", "grace", "lapsed", "n/a"]
    version: Version


class AnnuityFeePublic(Public):
    year: int
    due_date: DateOut
    amount: MoneyOut
    paid: bool
    surcharge_today: MoneyOut = Field(
        None,  # type: ignore[assignment]
        description="only for an unpaid fee past its due date: the surcharge if paid today",
    )


class AnnuitySchedulePublic(Public):
    kind: Kind
    number: str
    annuity_status: Literal["paid", "grace", "lapsed", "n/a"]
    items: list[AnnuityFeePublic]


class ImportErrorPublic(Public):
    line: int = Field(ge=1)
    code: str
    detail: str


class ImportResultPublic(Public):
    imported: int = Field(ge=0, description="lines recorded")
    errors: list[ImportErrorPublic] = Field(description="lines refused, each with its reason")
