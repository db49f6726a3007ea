"""Disposal cases, settlement arithmetic and risk-compensation clearing (contract §5, §6)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disposal.compensation import EVENT_TYPES as CLAIM_EVENT_TYPES
from disposal.compensation import CompensationClaim, claim_id, clearing
from disposal.disposals import EVENT_TYPES as DISPOSAL_EVENT_TYPES
from disposal.disposals import Disposal, settlement_figures
from disposal.errors import DateOutOfOrder, RouteMismatch
from disposal.values import Outcome
from registry.errors import InvalidState, InvalidValue
from registry.values import Licence
from tests.factories import domain_party as party
from tests.factories import patent_item

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
LATE = datetime(2027, 1, 1, 1, 0, tzinfo=UTC)  # when dated commands run: after every date
OPENED_ON = date(2026, 3, 2)
LATER = OPENED_ON + timedelta(days=200)
BEFORE = OPENED_ON - timedelta(days=1)
APPRAISED = Decimal("5000000.00")
OUTSTANDING = Decimal("4200000.00")
ITEMS = [patent_item(1)]
BUYER = party(11)
LICENCE = Licence(licensee=party(1), terms="royalty 3 % of net sales", term_years=5)
ZERO = Decimal("0.00")
D = Decimal

PROPERTY = settings(derandomize=True, deadline=None, max_examples=200)
cents = st.integers(min_value=0, max_value=10**10).map(lambda n: Decimal(n).scaleb(-2))


def opened(route: str = "exchange_listing") -> Disposal:
    return Disposal.open(uuid4(), "BANK-A", route, APPRAISED, OUTSTANDING, ITEMS, OPENED_ON, NOW)


def conclude(
    disposal: Disposal,
    licence: Licence | None = LICENCE,
    on: date = LATER,
    price: Decimal = D("3000000.00"),
) -> None:
    disposal.conclude(BUYER, price, on, licence, LATE)


def sale(price: Decimal = D("4500000.00")) -> Outcome:
    return Outcome(buyer=BUYER, price=price, via="sale", on=OPENED_ON)


def settle(
    disposal: Disposal,
    proceeds: Decimal,
    costs: Decimal = ZERO,
    on: date = LATER,
    outcome: Outcome | None = None,
) -> None:
    disposal.settle(outcome or sale(proceeds), proceeds, costs, on, LATE)


def disposal_event_types(disposal: Disposal) -> list[str]:
    return [DISPOSAL_EVENT_TYPES[type(e).__name__] for e in disposal.collect_events()]


def is_money(value: Decimal) -> bool:
    return isinstance(value, Decimal) and value.as_tuple().exponent == -2


# ---- settlement_figures ------------------------------------------------------------


def test_net_proceeds_below_the_outstanding_amount_all_go_to_the_bank():
    recovery, surplus = settlement_figures(OUTSTANDING, D("3100000.00"), D("100000.00"))

    assert (recovery, surplus) == (D("3000000.00"), ZERO)


def test_net_proceeds_above_the_outstanding_amount_leave_a_surplus_for_the_pledgor():
    recovery, surplus = settlement_figures(OUTSTANDING, D("5000000.00"), D("300000.00"))

    assert (recovery, surplus) == (OUTSTANDING, D("500000.00"))


def test_net_proceeds_equal_to_the_outstanding_amount_leave_no_surplus():
    recovery, surplus = settlement_figures(OUTSTANDING, D("4250000.00"), D("50000.00"))

    assert (recovery, surplus) == (OUTSTANDING, ZERO)


def test_costs_equal_to_proceeds_recover_nothing_and_leave_nothing():
    recovery, surplus = settlement_figures(OUTSTANDING, D("80000.00"), D("80000.00"))

    assert (recovery, surplus) == (ZERO, ZERO)
    assert is_money(recovery) and is_money(surplus)


@st.composite
def proceeds_and_costs(draw: st.DrawFn) -> tuple[Decimal, Decimal]:
    proceeds = draw(st.integers(min_value=0, max_value=10**10))
    costs = draw(st.integers(min_value=0, max_value=proceeds))
    return Decimal(proceeds).scaleb(-2), Decimal(costs).scaleb(-2)


@PROPERTY
@given(outstanding=cents, money=proceeds_and_costs())
def test_settlement_splits_the_net_proceeds_between_bank_and_pledgor(
    outstanding: Decimal, money: tuple[Decimal, Decimal]
):
    proceeds, costs = money

    recovery, surplus = settlement_figures(outstanding, proceeds, costs)

    assert recovery + surplus == proceeds - costs
    assert ZERO <= recovery <= outstanding
    assert surplus >= ZERO
    assert surplus == ZERO or recovery == outstanding
    assert is_money(recovery) and is_money(surplus)


# ---- disposal routes ---------------------------------------------------------------


def test_a_new_disposal_is_open_with_the_outstanding_amount_of_the_default():
    disposal = opened()

    assert (disposal.status, disposal.outstanding_amount) == ("open", OUTSTANDING)
    assert disposal.current_listing_id is None
    assert disposal_event_types(disposal) == ["disposal.opened"]


def test_an_unknown_route_is_refused():
    with pytest.raises(InvalidValue):
        opened("fire_sale")


@pytest.mark.parametrize("route", ["exchange_listing", "auction"])
def test_a_listing_route_cannot_be_concluded_directly(route):
    disposal = opened(route)

    with pytest.raises(RouteMismatch):
        conclude(disposal)
    assert disposal.status == "open"


@pytest.mark.parametrize("route", ["reverse_licence", "acquisition"])
def test_a_direct_route_cannot_be_listed(route):
    disposal = opened(route)

    with pytest.raises(RouteMismatch):
        disposal.attach_listing(uuid4(), OPENED_ON, None, LATE)


def test_a_listing_route_records_each_listing_and_its_current_one():
    disposal = opened("auction")
    first, second = UUID(int=1), UUID(int=2)
    disposal.attach_listing(first, OPENED_ON, None, LATE)
    disposal.collect_events()

    disposal.attach_listing(second, LATER, "withdrawn", LATE)

    assert disposal.listing_ids == [str(first), str(second)]
    assert disposal.current_listing_id == str(second)
    assert disposal_event_types(disposal) == ["disposal.listed"]


def test_a_second_listing_while_one_is_open_is_refused():
    disposal = opened()
    disposal.attach_listing(uuid4(), OPENED_ON, None, LATE)

    with pytest.raises(InvalidState):
        disposal.attach_listing(uuid4(), LATER, "listed", LATE)
    assert len(disposal.listing_ids) == 1


@pytest.mark.parametrize("outcome", ["sold", "bought_back"])
def test_no_new_listing_after_the_collateral_was_sold_or_bought_back(outcome):
    disposal = opened()
    disposal.attach_listing(uuid4(), OPENED_ON, None, LATE)

    with pytest.raises(InvalidState):
        disposal.attach_listing(uuid4(), LATER, outcome, LATE)
    assert len(disposal.listing_ids) == 1


def test_a_listing_dated_before_the_disposal_opened_is_refused():
    disposal = opened()

    with pytest.raises(DateOutOfOrder):
        disposal.attach_listing(uuid4(), BEFORE, None, LATE)


def test_a_reverse_licence_needs_the_licence():
    disposal = opened("reverse_licence")

    with pytest.raises(InvalidValue):
        conclude(disposal, licence=None)
    assert disposal.status == "open"


def test_a_reverse_licence_concludes_with_its_licence():
    disposal = opened("reverse_licence")
    disposal.collect_events()

    conclude(disposal)

    assert disposal.status == "concluded"
    assert disposal.conclusion is not None
    assert vars(disposal.conclusion) == {
        "buyer": BUYER,
        "price": D("3000000.00"),
        "concluded_on": LATER,
        "licence": LICENCE,
        "via": "reverse_licence",
    }
    assert disposal_event_types(disposal) == ["disposal.concluded"]


def test_an_acquisition_concludes_without_a_licence():
    disposal = opened("acquisition")

    conclude(disposal, licence=None)

    assert disposal.conclusion is not None and disposal.conclusion.via == "acquisition"


def test_a_conclusion_dated_before_the_disposal_opened_is_refused():
    disposal = opened("acquisition")

    with pytest.raises(DateOutOfOrder):
        conclude(disposal, licence=None, on=BEFORE)


def test_a_disposal_is_concluded_only_once():
    disposal = opened("acquisition")
    conclude(disposal, licence=None)

    with pytest.raises(InvalidState):
        conclude(disposal, licence=None)


# ---- settlement --------------------------------------------------------------------


def test_settling_a_sold_listing_records_recovery_and_surplus():
    disposal = opened()
    disposal.collect_events()

    settle(disposal, D("5000000.00"), D("300000.00"))

    assert disposal.status == "settled"
    assert disposal.settlement is not None
    assert vars(disposal.settlement) == {
        "buyer": BUYER,
        "via": "sale",
        "proceeds": D("5000000.00"),
        "costs": D("300000.00"),
        "recovery": OUTSTANDING,
        "surplus_to_pledgor": D("500000.00"),
        "settled_on": LATER,
    }
    assert disposal_event_types(disposal) == ["disposal.settled"]


def test_a_concluded_disposal_settles_with_its_conclusion():
    disposal = opened("reverse_licence")
    conclude(disposal)
    assert disposal.conclusion is not None

    settle(disposal, D("3000000.00"), outcome=disposal.direct_outcome)

    assert disposal.settlement is not None
    assert disposal.settlement.via == "reverse_licence"
    assert disposal.settlement.recovery == D("3000000.00")


def test_costs_above_proceeds_are_refused():
    disposal = opened()

    with pytest.raises(InvalidValue):
        settle(disposal, D("100000.00"), D("100000.01"))
    assert disposal.status == "open"


def test_costs_equal_to_proceeds_settle_with_nothing_recovered():
    disposal = opened()

    settle(disposal, D("100000.00"), D("100000.00"))

    assert disposal.settlement is not None
    assert (disposal.settlement.recovery, disposal.settlement.surplus_to_pledgor) == (
        ZERO,
        ZERO,
    )


def test_a_settlement_dated_before_the_disposal_opened_is_refused():
    disposal = opened()

    with pytest.raises(DateOutOfOrder):
        settle(disposal, D("100000.00"), on=BEFORE)


def test_a_settlement_on_the_opening_day_is_accepted():
    disposal = opened()

    settle(disposal, D("100000.00"), on=OPENED_ON)

    assert disposal.status == "settled"


def test_a_disposal_is_settled_only_once():
    disposal = opened()
    settle(disposal, D("100000.00"))

    with pytest.raises(InvalidState):
        settle(disposal, D("200000.00"))
    assert disposal.settlement is not None and disposal.settlement.proceeds == D("100000.00")


def test_a_settled_disposal_cannot_be_listed_again():
    disposal = opened()
    settle(disposal, D("100000.00"))

    with pytest.raises(InvalidState):
        disposal.attach_listing(uuid4(), LATER, None, LATE)


# ---- compensation clearing ---------------------------------------------------------


def test_clearing_refunds_the_advance_beyond_the_funds_share_of_the_final_loss():
    figures = clearing(D("0.40"), OUTSTANDING, D("3000000.00"), D("1680000.00"))

    assert vars(figures) == {
        "final_loss": D("1200000.00"),
        "final_share": D("480000.00"),
        "refund_due": D("1200000.00"),
        "balance_due": ZERO,
    }


def test_clearing_before_any_advance_leaves_the_whole_share_owed():
    figures = clearing(D("0.40"), OUTSTANDING, D("3000000.00"), ZERO)

    assert (figures.final_share, figures.refund_due, figures.balance_due) == (
        D("480000.00"),
        ZERO,
        D("480000.00"),
    )


def test_clearing_after_full_recovery_refunds_the_whole_advance():
    figures = clearing(D("0.40"), OUTSTANDING, OUTSTANDING, D("1680000.00"))

    assert vars(figures) == {
        "final_loss": ZERO,
        "final_share": ZERO,
        "refund_due": D("1680000.00"),
        "balance_due": ZERO,
    }


def test_clearing_with_nothing_recovered_keeps_the_whole_advance():
    figures = clearing(D("0.40"), OUTSTANDING, ZERO, D("1680000.00"))

    assert (figures.final_loss, figures.refund_due, figures.balance_due) == (
        OUTSTANDING,
        ZERO,
        ZERO,
    )


def test_the_funds_final_share_is_rounded_half_up_to_the_cent():
    figures = clearing(D("0.5"), D("100.05"), ZERO, ZERO)

    assert figures.final_share == D("50.03")


shares = st.integers(min_value=1, max_value=99).map(lambda n: Decimal(n).scaleb(-2))


@PROPERTY
@given(share=shares, outstanding=cents, recovered=cents, advanced=cents)
def test_refund_and_balance_settle_the_advance_against_the_final_share(
    share: Decimal, outstanding: Decimal, recovered: Decimal, advanced: Decimal
):
    recovery = min(recovered, outstanding)

    figures = clearing(share, outstanding, recovery, advanced)

    assert figures.refund_due - figures.balance_due == advanced - figures.final_share
    assert figures.refund_due >= ZERO and figures.balance_due >= ZERO
    assert ZERO in (figures.refund_due, figures.balance_due)
    assert figures.final_loss == outstanding - recovery
    assert ZERO <= figures.final_share <= figures.final_loss
    assert all(is_money(value) for value in vars(figures).values())


# ---- the compensation claim --------------------------------------------------------


def claimed(
    share: Decimal = D("0.40"), outstanding: Decimal = OUTSTANDING, pledge_id: UUID | None = None
) -> CompensationClaim:
    return CompensationClaim.claim(
        pledge_id or uuid4(), "BANK-A", "HB-RCF", share, outstanding, OPENED_ON, NOW
    )


def claim_event_types(claim: CompensationClaim) -> list[str]:
    return [CLAIM_EVENT_TYPES[type(e).__name__] for e in claim.collect_events()]


def test_the_advance_due_is_the_funds_share_of_the_outstanding_amount():
    claim = claimed()

    assert (claim.status, claim.advance_due) == ("claimed", D("1680000.00"))
    assert claim_event_types(claim) == ["compensation.claimed"]


def test_the_advance_due_is_rounded_half_up_to_the_cent():
    assert claimed(D("0.5"), D("100.05")).advance_due == D("50.03")
    assert claimed(D("0.333"), D("1000.01")).advance_due == D("333.00")


def test_a_claim_takes_the_id_derived_from_its_pledge():
    pledge_id = uuid4()

    first, second = claimed(pledge_id=pledge_id), claimed(pledge_id=pledge_id)

    assert first.id == second.id == claim_id(pledge_id)
    assert claimed().id != first.id


def test_advancing_pays_the_advance_due():
    claim = claimed()
    claim.collect_events()

    claim.advance(LATER, LATE)

    assert claim.status == "advanced"
    assert claim.advanced is not None
    assert vars(claim.advanced) == {"amount": D("1680000.00"), "paid_on": LATER}
    assert claim.advanced_amount == D("1680000.00")
    assert claim_event_types(claim) == ["compensation.advanced"]


def test_a_claim_is_advanced_only_once():
    claim = claimed()
    claim.advance(LATER, LATE)
    version = claim.version

    with pytest.raises(InvalidState):
        claim.advance(LATER, LATE)
    assert claim.version == version


def test_an_advance_dated_before_the_claim_is_refused():
    claim = claimed()

    with pytest.raises(DateOutOfOrder):
        claim.advance(BEFORE, LATE)
    assert claim.status == "claimed"


def test_clearing_an_advanced_claim_records_the_refund_due():
    claim = claimed()
    claim.advance(OPENED_ON, LATE)
    claim.collect_events()

    claim.clear(D("3000000.00"), LATER, LATE)

    assert claim.status == "cleared"
    assert claim.cleared is not None
    assert vars(claim.cleared) == {
        "recovery": D("3000000.00"),
        "final_loss": D("1200000.00"),
        "final_share": D("480000.00"),
        "refund_due": D("1200000.00"),
        "balance_due": ZERO,
        "settled_on": LATER,
    }
    assert claim_event_types(claim) == ["compensation.cleared"]


def test_clearing_a_claim_never_advanced_leaves_the_final_share_owed():
    claim = claimed()

    claim.clear(D("3000000.00"), LATER, LATE)

    assert claim.cleared is not None
    assert (claim.cleared.refund_due, claim.cleared.balance_due) == (ZERO, D("480000.00"))


def test_clearing_twice_records_nothing_the_second_time():
    claim = claimed()
    claim.advance(OPENED_ON, LATE)
    claim.clear(D("3000000.00"), LATER, LATE)
    claim.collect_events()
    first = claim.cleared

    claim.clear(D("0.00"), LATER + timedelta(days=1), LATE)

    assert claim.collect_events() == []
    assert claim.cleared == first


def test_a_cleared_claim_cannot_be_advanced():
    claim = claimed()
    claim.clear(D("3000000.00"), LATER, LATE)

    with pytest.raises(InvalidState):
        claim.advance(LATER, LATE)


def test_replaying_a_claims_events_rebuilds_it():
    claim = claimed()
    claim.advance(OPENED_ON, LATE)
    claim.clear(D("3000000.00"), LATER, LATE)

    replayed = None
    for event in claim.collect_events():
        replayed = event.mutate(replayed)

    assert isinstance(replayed, CompensationClaim)
    assert (replayed.id, replayed.version, replayed.status) == (claim.id, 3, "cleared")
    assert (replayed.advanced, replayed.cleared) == (claim.advanced, claim.cleared)


@pytest.mark.parametrize("route", ["reverse_licence", "acquisition"])
def test_a_direct_route_settles_only_after_its_conclusion(route):
    disposal = opened(route)

    with pytest.raises(InvalidState):
        settle(disposal, D("100000.00"))
    assert disposal.status == "open"
