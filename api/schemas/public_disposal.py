"""Response models of disposals, listings and compensation claims (contract §5-§6): what
api/presenters_disposal.py returns, member for member."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

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

Route = Literal["exchange_listing", "auction", "reverse_licence", "acquisition"]


class LicencePublic(Public):
    licensee: PartyPublic
    terms: str
    term_years: int | None


class ConclusionPublic(Public):
    buyer: PartyPublic = Field(description="the counterparty")
    price: MoneyOut
    concluded_on: DateOut
    licence: LicencePublic | None
    via: Route


class SettlementPublic(Public):
    buyer: PartyPublic
    via: str = Field(description="the route or the listing's outcome the buyer came by")
    proceeds: MoneyOut
    costs: MoneyOut
    recovery: MoneyOut
    surplus_to_pledgor: MoneyOut
    settled_on: DateOut


class DisposalPublic(Public):
    """A disposal case of a defaulted pledge's collateral (contract §6)."""

    id: UuidOut
    pledge_id: UuidOut
    pledgee: str
    route: Route
    status: Literal["open", "concluded", "settled"]
    appraised_value: MoneyOut
    outstanding_amount: MoneyOut
    items: list[ItemPublic]
    opened_on: DateOut
    listing_ids: list[UuidOut]
    current_listing_id: UuidOut | None
    conclusion: ConclusionPublic | None
    settlement: SettlementPublic | None
    recovery: MoneyOut | None = Field(description="min(outstanding, proceeds - costs)")
    surplus_to_pledgor: MoneyOut | None = Field(description="proceeds - costs - recovery")
    version: Version
    created_at: InstantOut
    updated_at: InstantOut


class DisposalSummaryPublic(Public):
    """A disposal in a list (GET /v1/disposals/{id} has the whole of it)."""

    id: UuidOut
    pledge_id: UuidOut
    pledgee: str
    route: Route
    status: Literal["open", "concluded", "settled"]
    appraised_value: MoneyOut
    outstanding_amount: MoneyOut
    opened_on: DateOut
    recovery: MoneyOut | None
    settled_on: DateOut | None
    version: Version


class DisposalPagePublic(PagePublic[DisposalSummaryPublic]):
    """A page of disposals."""


class IntentionEntryPublic(Public):
    id: UuidOut
    bidder: PartyPublic
    registered_on: DateOut


class SalePublic(Public):
    buyer: PartyPublic
    price: MoneyOut
    sold_on: DateOut


class BuybackPublic(Public):
    buyer: PartyPublic
    price: MoneyOut
    bought_on: DateOut


class WithdrawalPublic(Public):
    reason: str


ListingStatus = Literal[
    "listed",
    "taken",
    "bidding",
    "sold",
    "expired",
    "buyback_pending",
    "bought_back",
    "withdrawn",
]


class ListingPublic(Public):
    """A listing on the trading centre and its 180-day no-taker clock (contract §6)."""

    id: UuidOut
    disposal_id: UuidOut
    pledge_id: UuidOut
    status: ListingStatus
    asking_price: MoneyOut
    appraised_value: MoneyOut
    listed_on: DateOut
    no_taker_deadline: DateOut = Field(description="listed_on + 180 days")
    days_remaining: int | None = Field(description="until the deadline, while listed")
    approval_reference: str | None
    intentions: list[IntentionEntryPublic]
    sale: SalePublic | None
    buyback: BuybackPublic | None
    withdrawal: WithdrawalPublic | None
    version: Version
    created_at: InstantOut
    updated_at: InstantOut


class ListingSummaryPublic(Public):
    """A listing in a list (GET /v1/listings/{id} has the whole of it)."""

    id: UuidOut
    disposal_id: UuidOut
    pledge_id: UuidOut
    status: ListingStatus
    asking_price: MoneyOut
    listed_on: DateOut
    no_taker_deadline: DateOut
    days_remaining: int | None
    intentions: int = Field(ge=0, description="how many intentions were registered")
    version: Version


class ListingPagePublic(PagePublic[ListingSummaryPublic]):
    """A page of listings."""


class IntentionPublic(IntentionEntryPublic):
    """The intention registered, with the listing it changed."""

    listing_id: UuidOut
    listing: ListingPublic


class AdvancePublic(Public):
    amount: MoneyOut
    paid_on: DateOut


class ClearingPublic(Public):
    recovery: MoneyOut
    final_loss: MoneyOut = Field(description="max(0, outstanding - recovery)")
    final_share: MoneyOut = Field(description="share x final_loss")
    refund_due: MoneyOut = Field(description="what the bank returns to the fund")
    balance_due: MoneyOut = Field(description="what the fund still owes the bank")
    settled_on: DateOut


class ClaimPublic(Public):
    """A risk-compensation claim (contract §5)."""

    id: UuidOut
    pledge_id: UuidOut
    pledgee: str
    fund_id: str
    status: Literal["claimed", "advanced", "cleared"]
    share: RatioOut
    outstanding_amount: MoneyOut
    advance_due: MoneyOut = Field(description="share x outstanding_amount")
    claimed_on: DateOut
    advanced: AdvancePublic | None
    cleared: ClearingPublic | None
    refund_due: MoneyOut | None
    version: Version


class ClaimSummaryPublic(Public):
    """A compensation claim in a list (GET /v1/compensation-claims/{id} has all of it)."""

    id: UuidOut
    pledge_id: UuidOut
    pledgee: str
    fund_id: str
    status: Literal["claimed", "advanced", "cleared"]
    share: RatioOut
    outstanding_amount: MoneyOut
    advance_due: MoneyOut
    claimed_on: DateOut
    advanced_on: DateOut | None
    refund_due: MoneyOut | None
    balance_due: MoneyOut | None
    settled_on: DateOut | None
    version: Version


class ClaimPagePublic(PagePublic[ClaimSummaryPublic]):
    """A page of compensation claims."""
