"""A listing of distressed collateral on the trading centre, and the 180-day buyback rule.

listed --1st intention--> taken --2nd--> bidding --sale--> sold
listed --no intention by the deadline--> buyback_pending --buyback--> bought_back
listed | taken | bidding | buyback_pending --withdrawal--> withdrawn
"""

from __future__ import annotations

from dataclasses import field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from disposal.errors import (
    ApprovalRequired,
    BuyerWithoutIntention,
    DeadlinePassed,
    PriceBelowAsking,
)
from disposal.no_taker import no_taker_deadline, no_taker_deadline_passed
from disposal.values import Buyback, Intention, Outcome, Sale, Withdrawal
from registry.actors import Actor, current_actor
from registry.business_dates import check_command_date
from registry.errors import InvalidState
from registry.values import Party

APPROVAL_BELOW = Decimal("0.90")  # asking under 90 % of appraisal needs an approval
OPEN = ("listed", "taken", "bidding", "buyback_pending")
EVENT_TYPES = {
    "Created": "listing.created",
    "IntentionRegistered": "listing.intention_registered",
    "Sold": "listing.sold",
    "Expired": "listing.expired",
    "BuybackRequested": "buyback.requested",
    "BuybackCompleted": "buyback.completed",
    "Withdrawn": "listing.withdrawn",
}


def check_asking_price(asking: Decimal, appraised: Decimal, approval: str | None) -> None:
    if asking < appraised * APPROVAL_BELOW and not approval:
        raise ApprovalRequired(
            f"asking price {asking} is below 90 % of the appraised value {appraised}; "
            "an approval_reference is required"
        )


class Listing(Aggregate):
    class Event(Aggregate.Event):
        # Who acted comes from the context the edge set (registry.actors.acting_as).
        actor: Actor = field(default_factory=current_actor, init=False)

    @event("Created")
    def __init__(
        self,
        disposal_id: UUID,
        pledge_id: UUID,
        pledgee: str,
        asking_price: Decimal,
        appraised_value: Decimal,
        listed_on: date,
        no_taker_deadline: date,
        approval_reference: str | None,
        timestamp: datetime,
    ) -> None:
        self.disposal_id = disposal_id
        self.pledge_id = pledge_id
        self.pledgee = pledgee
        self.asking_price = asking_price
        self.appraised_value = appraised_value
        self.listed_on = listed_on
        self.no_taker_deadline = no_taker_deadline
        self.approval_reference = approval_reference
        """The trading centre listed distressed collateral; the no-taker deadline is fixed."""
        self.status = "listed"
        self.intentions: list[Intention] = []
        self.sale: Sale | None = None
        self.buyback: Buyback | None = None
        self.withdrawal: Withdrawal | None = None

    @classmethod
    def create(
        cls,
        disposal_id: UUID,
        pledge_id: UUID,
        pledgee: str,
        asking_price: Decimal,
        appraised_value: Decimal,
        listed_on: date,
        approval_reference: str | None,
        timestamp: datetime,
    ) -> Listing:
        check_command_date(listed_on, timestamp, "listed_on")
        check_asking_price(asking_price, appraised_value, approval_reference)
        # The deadline is fixed here, once, and carried in the event.
        deadline = no_taker_deadline(listed_on)
        return cls(
            disposal_id,
            pledge_id,
            pledgee,
            asking_price,
            appraised_value,
            listed_on,
            deadline,
            approval_reference,
            timestamp,
        )

    # Guards

    def check_status(self, *allowed: str) -> None:
        if self.status not in allowed:
            raise InvalidState(
                f"listing is {self.status}; this needs {' or '.join(allowed)}",
                listing_status=self.status,
            )

    @property
    def bidder_codes(self) -> set[str]:
        return {i.bidder.credit_code for i in self.intentions}

    # Commands

    def register_intention(
        self,
        intention_id: UUID,
        bidder: Party,
        registered_on: date,
        timestamp: datetime,
    ) -> None:
        self.check_status("listed", "taken", "bidding")
        check_command_date(registered_on, timestamp, "registered_on", self.listed_on, "the listing")
        if not self.intentions and no_taker_deadline_passed(self.no_taker_deadline, registered_on):
            raise DeadlinePassed(
                f"the no-taker deadline {self.no_taker_deadline} passed before {registered_on}"
            )
        if bidder.credit_code in self.bidder_codes:
            raise InvalidState("this bidder already registered an intention")
        self._intention_registered(str(intention_id), bidder, registered_on, timestamp)

    @event("IntentionRegistered")
    def _intention_registered(
        self,
        intention_id: str,
        bidder: Party,
        registered_on: date,
        timestamp: datetime,
    ) -> None:
        """A bidder registered an intention (the first takes the listing, more make bidding)."""
        self.intentions.append(Intention(intention_id, bidder, registered_on))
        self.status = "taken" if len(self.intentions) == 1 else "bidding"

    def sell(
        self,
        buyer: Party,
        price: Decimal,
        sold_on: date,
        timestamp: datetime,
    ) -> None:
        self.check_status("taken", "bidding")
        if buyer.credit_code not in self.bidder_codes:
            raise BuyerWithoutIntention("the buyer registered no intention on this listing")
        if price < self.asking_price:
            raise PriceBelowAsking(f"price {price} is below the asking price {self.asking_price}")
        # The buyer's own intention, not merely the first one, must precede the sale.
        held = min(
            i.registered_on for i in self.intentions if i.bidder.credit_code == buyer.credit_code
        )
        check_command_date(sold_on, timestamp, "sold_on", held, "the buyer's intention")
        self._sold(buyer, price, sold_on, timestamp)

    @event("Sold")
    def _sold(
        self,
        buyer: Party,
        price: Decimal,
        sold_on: date,
        timestamp: datetime,
    ) -> None:
        """The collateral was sold to a bidder at or above the asking price."""
        self.status = "sold"
        self.sale = Sale(buyer, price, sold_on)

    def expire(self, timestamp: datetime) -> bool:
        """The 180-day rule. Returns False (and records nothing) unless it applies now."""
        if self.status != "listed" or self.intentions:
            return False
        self._expired(self.no_taker_deadline, timestamp)
        self._buyback_requested(self.no_taker_deadline, timestamp)
        return True

    @event("Expired")
    def _expired(self, deadline: date, timestamp: datetime) -> None:
        """No intention by the no-taker deadline (180 days)."""
        self.status = "expired"

    @event("BuybackRequested")
    def _buyback_requested(self, deadline: date, timestamp: datetime) -> None:
        """After expiry, the government platform is asked to buy the collateral back."""
        self.status = "buyback_pending"

    def buy_back(
        self,
        buyer: Party,
        price: Decimal,
        bought_on: date,
        timestamp: datetime,
    ) -> None:
        self.check_status("buyback_pending")
        check_command_date(
            bought_on, timestamp, "bought_on", self.no_taker_deadline, "the no-taker deadline"
        )
        self._buyback_completed(buyer, price, bought_on, timestamp)

    @event("BuybackCompleted")
    def _buyback_completed(
        self,
        buyer: Party,
        price: Decimal,
        bought_on: date,
        timestamp: datetime,
    ) -> None:
        """The disposal platform bought the collateral back."""
        self.status = "bought_back"
        self.buyback = Buyback(buyer, price, bought_on)

    def withdraw(self, reason: str, timestamp: datetime) -> None:
        self.check_status(*OPEN)
        self._withdrawn(reason, timestamp)

    @event("Withdrawn")
    def _withdrawn(self, reason: str, timestamp: datetime) -> None:
        """The listing was withdrawn before a deal."""
        self.status = "withdrawn"
        self.withdrawal = Withdrawal(reason)

    @property
    def outcome(self) -> Outcome | None:
        """Who acquired the collateral, for how much and when, once sold or bought back."""
        if self.sale:
            return Outcome(self.sale.buyer, self.sale.price, "sale", self.sale.sold_on)
        if self.buyback:
            return Outcome(
                self.buyback.buyer, self.buyback.price, "buyback", self.buyback.bought_on
            )
        return None
