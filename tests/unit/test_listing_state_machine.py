"""Property: no sequence of listing commands reaches an illegal state (contract §6).

listed --1st intention--> taken --2nd--> bidding --sale--> sold
listed --no intention by the deadline--> buyback_pending --buyback--> bought_back
listed | taken | bidding | buyback_pending --withdrawal--> withdrawn
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from disposal.listings import Listing
from registry.errors import DomainError
from registry.values import Party
from tests.builders import party
from tests.factories import to_party

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
LISTED_ON = date(2026, 3, 2)
APPRAISED = Decimal("5000000.00")
ASKING = Decimal("4500000.00")
BIDDERS = [to_party(party(11)), to_party(party(12)), to_party(party(13))]
STRANGER = to_party(party(99))
PUBLIC_ENTITY = to_party(party(50, "Hubei IP Acquisition Co."))

STATUSES = {"listed", "taken", "bidding", "sold", "buyback_pending", "bought_back", "withdrawn"}
TERMINAL = {"sold", "bought_back", "withdrawn"}
TRANSITIONS = {
    "listed": {"listed", "taken", "buyback_pending", "withdrawn"},
    "taken": {"taken", "bidding", "sold", "withdrawn"},
    "bidding": {"bidding", "sold", "withdrawn"},
    "buyback_pending": {"buyback_pending", "bought_back", "withdrawn"},
    "sold": {"sold"},
    "bought_back": {"bought_back"},
    "withdrawn": {"withdrawn"},
}

# Days after listing: before it, around the 180-day deadline, and well after it.
days = (st.sampled_from([-1, 0, 1, 179, 180, 181]) | st.integers(min_value=-5, max_value=400)).map(
    lambda n: LISTED_ON + timedelta(days=n)
)
buyers = st.sampled_from([*BIDDERS, STRANGER])
prices = st.sampled_from([ASKING - Decimal("0.01"), ASKING, ASKING + Decimal("125000.00")])


def state_of(listing: Listing) -> dict[str, Any]:
    keys = (
        "id",
        "version",
        "status",
        "asking_price",
        "listed_on",
        "no_taker_deadline",
        "intentions",
        "sale",
        "buyback",
        "withdrawal",
    )
    return {k: getattr(listing, k) for k in keys}


class ListingLifecycle(RuleBasedStateMachine):
    """Random listing commands: refusals change nothing, closed listings accept nothing,
    accepted commands keep the invariants, and the recorded events rebuild the same state."""

    @initialize()
    def list_collateral(self) -> None:
        self.listing = Listing.create(
            uuid4(), uuid4(), "BANK-A", ASKING, APPRAISED, LISTED_ON, None, NOW
        )
        self.events = list(self.listing.collect_events())
        self.visited = [self.listing.status]
        self.previous = self.listing.status
        self.intention_count = 0

    def attempt(self, command: Callable[[], object]) -> None:
        before = state_of(self.listing)
        self.previous = self.listing.status
        try:
            command()
        except DomainError:
            assert state_of(self.listing) == before
            assert self.listing.collect_events() == []
            return
        assert self.previous not in TERMINAL, f"a {self.previous} listing accepted a command"
        self.events.extend(self.listing.collect_events())
        self.visited.append(self.listing.status)

    @rule(bidder=buyers, on=days)
    def register_intention(self, bidder: Party, on: date) -> None:
        self.intention_count += 1
        intention = UUID(int=self.intention_count)
        self.attempt(lambda: self.listing.register_intention(intention, bidder, on, NOW))

    @rule(buyer=buyers, price=prices, on=days)
    def sell(self, buyer: Party, price: Decimal, on: date) -> None:
        self.attempt(lambda: self.listing.sell(buyer, price, on, NOW))

    @rule()
    def expire(self) -> None:
        before = state_of(self.listing)
        self.previous = self.listing.status
        if self.listing.expire(NOW):
            assert self.previous == "listed" and not self.listing.intentions
            self.events.extend(self.listing.collect_events())
            self.visited.append(self.listing.status)
        else:
            assert state_of(self.listing) == before
            assert self.listing.collect_events() == []

    @rule(price=st.sampled_from([Decimal("1.00"), Decimal("3000000.00")]), on=days)
    def buy_back(self, price: Decimal, on: date) -> None:
        self.attempt(lambda: self.listing.buy_back(PUBLIC_ENTITY, price, on, NOW))

    @rule(reason=st.sampled_from(["pledgor repaid", "court order"]))
    def withdraw(self, reason: str) -> None:
        self.attempt(lambda: self.listing.withdraw(reason, NOW))

    @invariant()
    def status_is_known_and_reached_legally(self) -> None:
        assert self.listing.status in STATUSES
        assert self.listing.status in TRANSITIONS[self.previous]

    @invariant()
    def every_accepted_event_is_recorded_once(self) -> None:
        assert self.listing.version == len(self.events)

    @invariant()
    def the_status_follows_the_number_of_intentions(self) -> None:
        count = len(self.listing.intentions)
        assert len(self.listing.bidder_codes) == count
        if self.listing.status in ("listed", "buyback_pending", "bought_back"):
            assert count == 0
        if self.listing.status == "taken":
            assert count == 1
        if self.listing.status == "bidding":
            assert count >= 2

    @invariant()
    def no_buyback_is_requested_after_an_intention(self) -> None:
        if not self.listing.intentions:
            return
        names = [type(e).__name__ for e in self.events]
        assert "BuybackRequested" not in names and "Expired" not in names
        version = self.listing.version
        assert self.listing.expire(NOW) is False
        assert self.listing.version == version
        assert self.listing.collect_events() == []

    @invariant()
    def a_sale_goes_to_a_bidder_at_or_above_the_asking_price(self) -> None:
        if self.listing.status != "sold":
            assert self.listing.sale is None
            return
        sale = self.listing.sale
        assert sale is not None
        assert sale.buyer.credit_code in self.listing.bidder_codes
        assert sale.price >= self.listing.asking_price
        (held,) = [
            i for i in self.listing.intentions if i.bidder.credit_code == sale.buyer.credit_code
        ]
        assert sale.sold_on >= held.registered_on

    @invariant()
    def a_buyback_follows_an_expiry_without_takers(self) -> None:
        if self.listing.status != "bought_back":
            assert self.listing.buyback is None
            return
        assert "buyback_pending" in self.visited
        assert self.listing.intentions == []
        names = [type(e).__name__ for e in self.events]
        assert names == ["Created", "Expired", "BuybackRequested", "BuybackCompleted"]
        assert self.listing.buyback is not None
        assert self.listing.buyback.bought_on >= self.listing.no_taker_deadline

    @invariant()
    def intentions_are_dated_within_the_listing(self) -> None:
        intentions = self.listing.intentions
        if intentions:
            first = intentions[0].registered_on
            assert LISTED_ON <= first <= self.listing.no_taker_deadline
            assert all(i.registered_on >= LISTED_ON for i in intentions)

    @invariant()
    def replaying_the_events_rebuilds_the_same_state(self) -> None:
        replayed = None
        for event in self.events:
            replayed = event.mutate(replayed)
        assert isinstance(replayed, Listing)
        assert state_of(replayed) == state_of(self.listing)


ListingLifecycle.TestCase.settings = settings(
    derandomize=True, deadline=None, max_examples=150, stateful_step_count=20
)
test_no_listing_command_sequence_reaches_an_illegal_state = ListingLifecycle.TestCase
