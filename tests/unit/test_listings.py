"""The listing of distressed collateral and the 180-day buyback rule (contract §6)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from disposal.errors import (
    ApprovalRequired,
    BuyerWithoutIntention,
    DateOutOfOrder,
    DeadlinePassed,
    PriceBelowAsking,
)
from disposal.listings import EVENT_TYPES, Listing
from disposal.values import Intention, Outcome, Withdrawal
from registry.errors import InvalidState
from registry.values import Party
from tests.builders import party
from tests.factories import to_party

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
LATE = datetime(2027, 1, 1, 1, 0, tzinfo=UTC)  # when dated commands run: after every date
LISTED_ON = date(2026, 3, 2)
DEADLINE = date(2026, 8, 29)  # 2026-03-02 + 180 days
APPRAISED = Decimal("5000000.00")
ASKING = Decimal("4500000.00")  # exactly 90 % of the appraisal
BIDDER_1, BIDDER_2, STRANGER = to_party(party(11)), to_party(party(12)), to_party(party(99))
PUBLIC_ENTITY = to_party(party(50, "Hubei IP Acquisition Co."))


def listed(
    asking: Decimal = ASKING, approval: str | None = None, listed_on: date = LISTED_ON
) -> Listing:
    return Listing.create(uuid4(), uuid4(), "BANK-A", asking, APPRAISED, listed_on, approval, NOW)


def intend(listing: Listing, bidder: Party, on: date = LISTED_ON) -> None:
    listing.register_intention(uuid4(), bidder, on, LATE)


def taken() -> Listing:
    listing = listed()
    intend(listing, BIDDER_1)
    return listing


def bidding() -> Listing:
    listing = taken()
    intend(listing, BIDDER_2)
    return listing


def sold() -> Listing:
    listing = bidding()
    listing.sell(BIDDER_2, ASKING, LISTED_ON + timedelta(days=30), LATE)
    return listing


def pending() -> Listing:
    listing = listed()
    listing.expire(NOW)
    return listing


def bought_back() -> Listing:
    listing = pending()
    listing.buy_back(PUBLIC_ENTITY, Decimal("3000000.00"), DEADLINE, LATE)
    return listing


def withdrawn() -> Listing:
    listing = listed()
    listing.withdraw("pledgor repaid", NOW)
    return listing


def event_types(listing: Listing) -> list[str]:
    return [EVENT_TYPES[type(e).__name__] for e in listing.collect_events()]


def sell(listing: Listing, buyer: Party, price: Decimal = ASKING) -> None:
    listing.sell(buyer, price, LISTED_ON + timedelta(days=30), LATE)


# ---- creation ----------------------------------------------------------------------


def test_a_new_listing_is_listed_with_a_deadline_180_days_after_listing():
    listing = listed()

    assert listing.status == "listed"
    assert listing.no_taker_deadline == DEADLINE == LISTED_ON + timedelta(days=180)


def test_the_deadline_is_fixed_in_the_created_event():
    listing = listed()

    (created,) = listing.collect_events()

    assert type(created).__name__ == "Created"
    assert created.no_taker_deadline == DEADLINE
    assert EVENT_TYPES["Created"] == "listing.created"


def test_the_deadline_counts_calendar_days_across_a_month_end():
    listing = listed(listed_on=date(2026, 1, 31))

    assert listing.no_taker_deadline == date(2026, 7, 30)


def test_asking_just_below_90_percent_of_the_appraisal_needs_an_approval():
    with pytest.raises(ApprovalRequired):
        listed(asking=ASKING - Decimal("0.01"))


def test_an_empty_approval_reference_does_not_count_as_an_approval():
    with pytest.raises(ApprovalRequired):
        listed(asking=ASKING - Decimal("0.01"), approval="")


def test_asking_just_below_90_percent_is_accepted_with_an_approval_reference():
    listing = listed(asking=ASKING - Decimal("0.01"), approval="HB-SASAC-2026-017")

    assert listing.approval_reference == "HB-SASAC-2026-017"


def test_asking_exactly_90_percent_of_the_appraisal_needs_no_approval():
    listing = listed(asking=ASKING)

    assert (listing.status, listing.approval_reference) == ("listed", None)


# ---- intentions --------------------------------------------------------------------


def test_the_first_intention_makes_the_listing_taken():
    listing = listed()
    listing.collect_events()

    intend(listing, BIDDER_1)

    assert listing.status == "taken"
    assert event_types(listing) == ["listing.intention_registered"]


def test_a_second_intention_makes_the_listing_bidding():
    listing = taken()

    intend(listing, BIDDER_2)

    assert listing.status == "bidding"
    assert listing.bidder_codes == {BIDDER_1.credit_code, BIDDER_2.credit_code}


def test_a_third_intention_keeps_the_listing_bidding():
    listing = bidding()

    intend(listing, to_party(party(13)))

    assert (listing.status, len(listing.intentions)) == ("bidding", 3)


def test_the_same_bidder_cannot_register_twice():
    listing = taken()

    with pytest.raises(InvalidState):
        intend(listing, BIDDER_1, LISTED_ON + timedelta(days=1))
    assert (listing.status, len(listing.intentions)) == ("taken", 1)


def test_an_intention_dated_before_listing_is_refused():
    listing = listed()

    with pytest.raises(DateOutOfOrder):
        intend(listing, BIDDER_1, LISTED_ON - timedelta(days=1))


def test_an_intention_on_the_deadline_still_counts():
    listing = listed()

    intend(listing, BIDDER_1, DEADLINE)

    assert listing.status == "taken"


def test_an_intention_after_the_deadline_on_a_listing_without_taker_is_refused():
    listing = listed()

    with pytest.raises(DeadlinePassed):
        intend(listing, BIDDER_1, DEADLINE + timedelta(days=1))
    assert listing.status == "listed"


def test_once_taken_further_intentions_after_the_deadline_are_accepted():
    listing = taken()

    intend(listing, BIDDER_2, DEADLINE + timedelta(days=10))

    assert listing.status == "bidding"


def test_an_intention_on_a_listing_awaiting_buyback_is_refused():
    listing = pending()

    with pytest.raises(InvalidState):
        intend(listing, BIDDER_1, DEADLINE)


# ---- sale --------------------------------------------------------------------------


def test_a_bidder_buying_at_the_asking_price_sells_the_listing():
    listing = bidding()
    listing.collect_events()

    sell(listing, BIDDER_2)

    assert listing.status == "sold"
    assert listing.outcome == Outcome(BIDDER_2, ASKING, "sale", LISTED_ON + timedelta(days=30))
    assert event_types(listing) == ["listing.sold"]


def test_a_sale_above_the_asking_price_is_accepted():
    listing = taken()

    sell(listing, BIDDER_1, ASKING + Decimal("250000.00"))

    assert listing.sale is not None and listing.sale.price == Decimal("4750000.00")


def test_a_sale_below_the_asking_price_is_refused():
    listing = taken()

    with pytest.raises(PriceBelowAsking):
        sell(listing, BIDDER_1, ASKING - Decimal("0.01"))
    assert listing.status == "taken"


def test_a_buyer_without_an_intention_is_refused():
    listing = taken()

    with pytest.raises(BuyerWithoutIntention):
        sell(listing, STRANGER)
    assert listing.status == "taken"


def test_a_listing_without_intention_cannot_be_sold():
    listing = listed()

    with pytest.raises(InvalidState):
        sell(listing, BIDDER_1)


def test_a_sale_dated_before_the_first_intention_is_refused():
    listing = listed()
    intend(listing, BIDDER_1, LISTED_ON + timedelta(days=5))

    with pytest.raises(DateOutOfOrder):
        listing.sell(BIDDER_1, ASKING, LISTED_ON + timedelta(days=4), LATE)


def test_a_sale_dated_before_the_buyers_own_intention_is_refused():
    listing = listed()
    intend(listing, BIDDER_1, LISTED_ON)
    intend(listing, BIDDER_2, LISTED_ON + timedelta(days=20))

    with pytest.raises(DateOutOfOrder):
        listing.sell(BIDDER_2, ASKING, LISTED_ON + timedelta(days=10), LATE)
    assert listing.status == "bidding"


def test_a_sale_on_the_day_of_the_buyers_intention_is_accepted():
    listing = listed()
    intend(listing, BIDDER_1, LISTED_ON + timedelta(days=20))

    listing.sell(BIDDER_1, ASKING, LISTED_ON + timedelta(days=20), LATE)

    assert listing.status == "sold"


def test_a_sold_listing_cannot_be_sold_again():
    listing = sold()

    with pytest.raises(InvalidState):
        sell(listing, BIDDER_1)


# ---- 180-day rule and buyback ------------------------------------------------------


def test_expiring_a_listed_listing_records_expired_then_buyback_requested():
    listing = listed()
    listing.collect_events()

    assert listing.expire(NOW) is True

    assert listing.status == "buyback_pending"
    assert event_types(listing) == ["listing.expired", "buyback.requested"]


def test_the_expiry_events_are_dated_at_the_deadline():
    listing = listed()
    listing.collect_events()
    listing.expire(NOW)

    expired, requested = listing.collect_events()

    assert expired.deadline == requested.deadline == DEADLINE


def test_a_second_expire_records_nothing():
    listing = pending()
    listing.collect_events()
    version = listing.version

    assert listing.expire(NOW) is False

    assert listing.collect_events() == []
    assert (listing.status, listing.version) == ("buyback_pending", version)


@pytest.mark.parametrize("make", [taken, bidding, sold, withdrawn], ids=lambda f: f.__name__)
def test_expire_does_nothing_once_there_is_an_intention_or_the_listing_is_closed(make):
    listing = make()
    listing.collect_events()
    status = listing.status

    assert listing.expire(NOW) is False

    assert listing.collect_events() == []
    assert listing.status == status


def test_a_buyback_completes_a_pending_listing():
    listing = pending()
    listing.collect_events()

    listing.buy_back(PUBLIC_ENTITY, Decimal("3000000.00"), DEADLINE, LATE)

    assert listing.status == "bought_back"
    assert listing.outcome == Outcome(PUBLIC_ENTITY, Decimal("3000000.00"), "buyback", DEADLINE)
    assert event_types(listing) == ["buyback.completed"]


def test_a_buyback_dated_before_the_deadline_is_refused():
    listing = pending()

    with pytest.raises(DateOutOfOrder):
        listing.buy_back(PUBLIC_ENTITY, Decimal("1.00"), DEADLINE - timedelta(days=1), LATE)


@pytest.mark.parametrize("make", [listed, taken, bidding], ids=lambda f: f.__name__)
def test_a_buyback_needs_a_pending_buyback(make):
    listing = make()

    with pytest.raises(InvalidState):
        listing.buy_back(PUBLIC_ENTITY, Decimal("1.00"), DEADLINE, LATE)


# ---- withdrawal --------------------------------------------------------------------


@pytest.mark.parametrize("make", [listed, taken, bidding, pending], ids=lambda f: f.__name__)
def test_an_open_listing_can_be_withdrawn(make):
    listing = make()
    listing.collect_events()

    listing.withdraw("pledgor repaid", NOW)

    assert listing.status == "withdrawn"
    assert listing.withdrawal == Withdrawal("pledgor repaid")
    assert event_types(listing) == ["listing.withdrawn"]


@pytest.mark.parametrize("make", [sold, bought_back, withdrawn], ids=lambda f: f.__name__)
def test_a_closed_listing_cannot_be_withdrawn(make):
    listing = make()
    status = listing.status

    with pytest.raises(InvalidState):
        listing.withdraw("too late", NOW)
    assert listing.status == status


def test_a_withdrawn_listing_has_no_outcome():
    assert withdrawn().outcome is None


# ---- ids ---------------------------------------------------------------------------


def test_the_intention_keeps_the_id_it_was_registered_under():
    listing = listed()
    intention = UUID(int=7)

    listing.register_intention(intention, BIDDER_1, LISTED_ON, LATE)

    assert listing.intentions == [Intention(str(intention), BIDDER_1, LISTED_ON)]
