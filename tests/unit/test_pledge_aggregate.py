"""The pledge state machine: registered -> released | in_default; refused is final (contract §4)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from registry.errors import DomainError, InvalidState, InvalidValue
from registry.filings import item_key
from registry.pledges import EVENT_TYPES, DateBeforeRegistration, ItemNotInPledge, Pledge
from registry.values import (
    AnnuityPayment,
    DefaultDeclaration,
    Item,
    LoanAmendment,
    PledgeRelease,
    RefusalReason,
)
from tests.builders import party
from tests.factories import NOW, TODAY, make_filing, patent_item, trademark_item

HOLDER = party(1)
ITEMS = [patent_item(1), patent_item(2), trademark_item()]
STRANGER_ITEM = patent_item(9)
REASONS = [RefusalReason(code="ip_already_pledged", item=ITEMS[0], detail="encumbered")]


def registered(items: list[Item] = ITEMS) -> Pledge:
    filing = make_filing(HOLDER, items)
    return Pledge.register(uuid4(), filing, "BANK-A", "Y20260000000001", TODAY, NOW)


def refused() -> Pledge:
    filing = make_filing(HOLDER, ITEMS)
    return Pledge.refuse(uuid4(), filing, "BANK-A", REASONS, TODAY, NOW)


def released(pledge: Pledge) -> Pledge:
    pledge.release_items(TODAY, "repaid", None, NOW)
    return pledge


def defaulted(pledge: Pledge) -> Pledge:
    pledge.declare_default(TODAY, Decimal("4000000.00"), NOW)
    return pledge


def event_types(pledge: Pledge) -> list[str]:
    return [EVENT_TYPES[type(e).__name__] for e in pledge.collect_events()]


def amend(pledge: Pledge, **changes: Any) -> None:
    pledge.amend(LoanAmendment(**changes), "renegotiated", NOW)


def prepayment(paid_on: date = TODAY, item: Item = ITEMS[0]) -> AnnuityPayment:
    return AnnuityPayment(
        through_year=14,
        amount=Decimal("12000.00"),
        paid_on=paid_on,
        receipt_number="R-1",
        item=item,
        from_year=13,
    )


# ---- registration and refusal ------------------------------------------------------


def test_a_registered_pledge_carries_its_number_and_registration_date():
    pledge = registered()

    assert (pledge.status, pledge.registration_number) == ("registered", "Y20260000000001")
    assert pledge.registered_on == pledge.filed_on == TODAY
    assert event_types(pledge) == ["pledge.registered"]


def test_a_refused_pledge_keeps_its_reasons_and_has_no_number():
    pledge = refused()

    assert (pledge.status, pledge.registration_number) == ("refused", None)
    assert pledge.refusal_reasons == REASONS
    assert event_types(pledge) == ["pledge.refused"]


@pytest.mark.parametrize(
    "command",
    [
        lambda p: amend(p, secured_amount=Decimal("1.00")),
        lambda p: p.release_items(TODAY, "repaid", None, NOW),
        lambda p: p.declare_default(TODAY, Decimal("1.00"), NOW),
        lambda p: p.prepay_annuity(prepayment(), NOW),
    ],
    ids=["amend", "release", "default", "prepay"],
)
def test_refused_is_final(command):
    pledge = refused()

    with pytest.raises(InvalidState):
        command(pledge)
    assert pledge.status == "refused"


# ---- amendments --------------------------------------------------------------------


def test_a_registered_pledge_can_be_amended():
    pledge = registered()

    amend(pledge, secured_amount=Decimal("4500000.00"), maturity_date=date(2027, 6, 30))

    assert pledge.secured_amount == Decimal("4500000.00")
    assert pledge.loan.maturity_date == date(2027, 6, 30)


def test_amending_does_not_rewrite_the_original_filing():
    pledge = registered()

    amend(pledge, maturity_date=date(2027, 6, 30), loan_contract_number="WHB-2026-0002")

    assert pledge.filing.loan.maturity_date == date(2028, 1, 14)
    assert pledge.loan.contract_number == "WHB-2026-0002"


@pytest.mark.parametrize("make", [lambda: released(registered()), lambda: defaulted(registered())])
def test_only_a_registered_pledge_can_be_amended(make):
    pledge = make()

    with pytest.raises(InvalidState):
        amend(pledge, secured_amount=Decimal("1.00"))


# ---- release -----------------------------------------------------------------------


def test_releasing_some_items_leaves_the_pledge_registered():
    pledge = registered()
    pledge.collect_events()

    leaving = pledge.release_items(TODAY, "repaid", [ITEMS[0]], NOW)

    assert leaving == [ITEMS[0]]
    assert pledge.status == "registered"
    assert pledge.active_items == ITEMS[1:]
    assert event_types(pledge) == ["pledge.items_released"]


def test_the_last_item_leaving_releases_the_pledge():
    pledge = registered()
    pledge.release_items(TODAY, "repaid", ITEMS[:2], NOW)
    pledge.collect_events()

    pledge.release_items(TODAY, "repaid", [ITEMS[2]], NOW)

    assert pledge.status == "released"
    assert pledge.active_items == []
    assert pledge.release == PledgeRelease(released_on=TODAY, reason="repaid")
    assert event_types(pledge) == ["pledge.released"]


def test_releasing_without_items_releases_every_item():
    pledge = registered()

    leaving = pledge.release_items(TODAY, "waived", None, NOW)

    assert leaving == ITEMS
    assert pledge.status == "released"


def test_releasing_an_item_not_in_the_pledge_is_refused():
    pledge = registered()

    with pytest.raises(ItemNotInPledge):
        pledge.release_items(TODAY, "repaid", [STRANGER_ITEM], NOW)


def test_releasing_an_item_twice_is_refused():
    pledge = registered()
    pledge.release_items(TODAY, "repaid", [ITEMS[0]], NOW)

    with pytest.raises(ItemNotInPledge):
        pledge.release_items(TODAY, "repaid", [ITEMS[0]], NOW)


def test_naming_one_item_twice_is_refused_rather_than_releasing_the_others():
    pledge = registered(ITEMS[:2])

    with pytest.raises(InvalidValue):
        pledge.release_items(TODAY, "repaid", [ITEMS[0], ITEMS[0]], NOW)
    assert pledge.status == "registered"


def test_releasing_an_empty_list_of_items_is_refused():
    pledge = registered()

    with pytest.raises(InvalidValue):
        pledge.release_items(TODAY, "repaid", [], NOW)


def test_a_released_pledge_cannot_be_released_again():
    pledge = released(registered())

    with pytest.raises(InvalidState):
        pledge.release_items(TODAY, "repaid", None, NOW)


# ---- default -----------------------------------------------------------------------


def test_a_registered_pledge_can_be_declared_in_default():
    pledge = defaulted(registered())

    assert pledge.status == "in_default"
    assert pledge.default == DefaultDeclaration(TODAY, Decimal("4000000.00"))


@pytest.mark.parametrize("make", [lambda: released(registered()), lambda: defaulted(registered())])
def test_default_is_declared_only_from_registered(make):
    pledge = make()

    with pytest.raises(InvalidState):
        pledge.declare_default(TODAY, Decimal("1.00"), NOW)


def test_annuities_can_still_be_prepaid_in_default():
    pledge = defaulted(registered())
    pledge.collect_events()

    pledge.prepay_annuity(prepayment(), NOW)

    assert event_types(pledge) == ["annuity.prepaid"]


# ---- dates -------------------------------------------------------------------------

YESTERDAY = TODAY - timedelta(days=1)


@pytest.mark.parametrize(
    "command",
    [
        lambda p: p.release_items(YESTERDAY, "repaid", None, NOW),
        lambda p: p.declare_default(YESTERDAY, Decimal("1.00"), NOW),
        lambda p: p.prepay_annuity(prepayment(paid_on=YESTERDAY), NOW),
    ],
    ids=["release", "default", "prepay"],
)
def test_a_date_before_registration_is_refused(command):
    pledge = registered()

    with pytest.raises(DateBeforeRegistration):
        command(pledge)
    assert pledge.status == "registered"


# ---- property: no command sequence reaches an illegal state -------------------------

STATUSES = {"registered", "refused", "released", "in_default"}
TRANSITIONS = {
    ("registered", "registered"),
    ("registered", "released"),
    ("registered", "in_default"),
    ("released", "released"),
    ("in_default", "in_default"),
    ("refused", "refused"),
}
days = st.integers(min_value=-3, max_value=400).map(lambda n: TODAY + timedelta(days=n))
some_items = st.none() | st.lists(st.sampled_from([*ITEMS, STRANGER_ITEM]), max_size=4)


def state_of(pledge: Pledge) -> dict[str, Any]:
    keys = ("status", "secured_amount", "loan", "released_items", "release", "default", "version")
    return {k: getattr(pledge, k) for k in keys}


class PledgeLifecycle(RuleBasedStateMachine):
    """Random command sequences: refusals change nothing; accepted commands keep the
    invariants; replaying the recorded events rebuilds the same state."""

    @initialize(accepted=st.booleans())
    def file(self, accepted: bool) -> None:
        self.pledge = registered() if accepted else refused()
        self.events = list(self.pledge.collect_events())
        self.previous = self.pledge.status

    def attempt(self, command: Any) -> None:
        before = state_of(self.pledge)
        self.previous = self.pledge.status
        try:
            command()
        except DomainError:
            assert state_of(self.pledge) == before
            assert self.pledge.collect_events() == []
            return
        self.events.extend(self.pledge.collect_events())

    @rule(on=days, items=some_items)
    def release(self, on: date, items: list[Item] | None) -> None:
        self.attempt(lambda: self.pledge.release_items(on, "repaid", items, NOW))

    @rule(on=days, cents=st.integers(min_value=1, max_value=10**9))
    def default(self, on: date, cents: int) -> None:
        outstanding = Decimal(cents) / 100
        self.attempt(lambda: self.pledge.declare_default(on, outstanding, NOW))

    @rule(maturity=days, cents=st.integers(min_value=1, max_value=10**9))
    def amend(self, maturity: date, cents: int) -> None:
        changes = LoanAmendment(maturity_date=maturity, secured_amount=Decimal(cents) / 100)
        self.attempt(lambda: self.pledge.amend(changes, "renegotiated", NOW))

    @rule(on=days, item=st.sampled_from([*ITEMS, STRANGER_ITEM]))
    def prepay(self, on: date, item: Item) -> None:
        payment = prepayment(paid_on=on, item=item)
        self.attempt(lambda: self.pledge.prepay_annuity(payment, NOW))

    @invariant()
    def status_is_known_and_reached_legally(self) -> None:
        assert self.pledge.status in STATUSES
        assert (self.previous, self.pledge.status) in TRANSITIONS

    @invariant()
    def released_items_are_distinct_items_of_the_pledge(self) -> None:
        released_keys = [item_key(i) for i in self.pledge.released_items]
        assert len(set(released_keys)) == len(released_keys)
        assert set(released_keys) <= {item_key(i) for i in self.pledge.items}

    @invariant()
    def no_active_items_exactly_when_released(self) -> None:
        assert (self.pledge.active_items == []) == (self.pledge.status == "released")

    @invariant()
    def a_refused_pledge_records_nothing_after_refusal(self) -> None:
        if self.pledge.status == "refused":
            assert self.pledge.version == 1 and self.pledge.registration_number is None

    @invariant()
    def replaying_the_events_rebuilds_the_same_state(self) -> None:
        replayed = None
        for event in self.events:
            replayed = event.mutate(replayed)
        assert replayed is not None
        assert state_of(replayed) == state_of(self.pledge)


PledgeLifecycle.TestCase.settings = settings(
    derandomize=True, deadline=None, max_examples=150, stateful_step_count=15
)
test_no_command_sequence_reaches_an_illegal_state = PledgeLifecycle.TestCase
