"""A disposal case: one per defaulted pledge, from opening to settlement.

Routes `exchange_listing` and `auction` conclude through a listing (sale or government buyback);
`reverse_licence` and `acquisition` conclude by recording the counterparty and the price.
Settlement turns the outcome into recovery for the bank and surplus for the pledgor.
"""

from __future__ import annotations

from dataclasses import field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from disposal.errors import RouteMismatch
from disposal.values import Conclusion, Outcome
from registry.actors import Actor, current_actor
from registry.business_dates import check_command_date
from registry.errors import InvalidState, InvalidValue
from registry.values import Item, Licence, Party, Settlement

LISTING_ROUTES = ("exchange_listing", "auction")
DIRECT_ROUTES = ("reverse_licence", "acquisition")
ROUTES = LISTING_ROUTES + DIRECT_ROUTES
EVENT_TYPES = {
    "Opened": "disposal.opened",
    "Listed": "disposal.listed",
    "Concluded": "disposal.concluded",
    "Settled": "disposal.settled",
}
ZERO = Decimal("0.00")


def settlement_figures(
    outstanding: Decimal, proceeds: Decimal, costs: Decimal
) -> tuple[Decimal, Decimal]:
    """recovery = min(outstanding, proceeds - costs) (never negative);
    surplus to the pledgor = what is left after costs and recovery."""
    net = proceeds - costs
    recovery = max(ZERO, min(outstanding, net))
    return recovery, max(ZERO, net - recovery)


class Disposal(Aggregate):
    class Event(Aggregate.Event):
        # Who acted comes from the context the edge set (registry.actors.acting_as).
        actor: Actor = field(default_factory=current_actor, init=False)

    @event("Opened")
    def __init__(
        self,
        pledge_id: UUID,
        pledgee: str,
        route: str,
        appraised_value: Decimal,
        outstanding_amount: Decimal,
        items: list[Item],
        opened_on: date,
        timestamp: datetime,
    ) -> None:
        self.pledge_id = pledge_id
        self.pledgee = pledgee
        self.route = route
        self.appraised_value = appraised_value
        self.outstanding_amount = outstanding_amount
        self.items = items
        self.opened_on = opened_on
        """The pledgee opened a disposal of a defaulted pledge's collateral by a route."""
        self.status = "open"
        self.listing_ids: list[str] = []
        self.conclusion: Conclusion | None = None
        self.settlement: Settlement | None = None

    @classmethod
    def open(
        cls,
        pledge_id: UUID,
        pledgee: str,
        route: str,
        appraised_value: Decimal,
        outstanding_amount: Decimal,
        items: list[Item],
        opened_on: date,
        timestamp: datetime,
    ) -> Disposal:
        if route not in ROUTES:
            raise InvalidValue(f"route must be one of {', '.join(ROUTES)}", field="route")
        return cls(
            pledge_id,
            pledgee,
            route,
            appraised_value,
            outstanding_amount,
            items,
            opened_on,
            timestamp,
        )

    @property
    def current_listing_id(self) -> str | None:
        return self.listing_ids[-1] if self.listing_ids else None

    def check_status(self, *allowed: str) -> None:
        if self.status not in allowed:
            raise InvalidState(
                f"disposal is {self.status}; this needs {' or '.join(allowed)}",
                disposal_status=self.status,
            )

    def check_route(self, *routes: str) -> None:
        if self.route not in routes:
            raise RouteMismatch(f"a {self.route} disposal cannot do this ({' or '.join(routes)})")

    def attach_listing(
        self,
        listing_id: UUID,
        listed_on: date,
        previous_status: str | None,
        timestamp: datetime,
    ) -> None:
        self.check_status("open")
        self.check_route(*LISTING_ROUTES)
        if previous_status in ("sold", "bought_back"):
            raise InvalidState(
                f"the collateral was already {previous_status.replace('_', ' ')}; "
                "settle the disposal"
            )
        if previous_status not in (None, "withdrawn"):
            raise InvalidState("the disposal already has an open listing; withdraw it first")
        check_command_date(listed_on, timestamp, "listed_on", self.opened_on, "the disposal opened")
        self._listed(str(listing_id), listed_on, timestamp)

    @event("Listed")
    def _listed(self, listing_id: str, listed_on: date, timestamp: datetime) -> None:
        """A listing of the collateral was opened for this disposal."""
        self.listing_ids.append(listing_id)

    def conclude(
        self,
        counterparty: Party,
        price: Decimal,
        concluded_on: date,
        licence: Licence | None,
        timestamp: datetime,
    ) -> None:
        """Records the outcome of a reverse licence or an acquisition."""
        self.check_status("open")
        self.check_route(*DIRECT_ROUTES)
        if self.route == "reverse_licence" and licence is None:
            raise InvalidValue("a reverse licence names its licensee and terms", field="licence")
        check_command_date(
            concluded_on, timestamp, "concluded_on", self.opened_on, "the disposal opened"
        )
        self._concluded(counterparty, price, concluded_on, licence, timestamp)

    @event("Concluded")
    def _concluded(
        self,
        counterparty: Party,
        price: Decimal,
        concluded_on: date,
        licence: Licence | None,
        timestamp: datetime,
    ) -> None:
        """A reverse licence or an acquisition was concluded with a counterparty."""
        self.status = "concluded"
        self.conclusion = Conclusion(counterparty, price, concluded_on, licence, self.route)

    @property
    def direct_outcome(self) -> Outcome | None:
        """Who acquired the collateral, for how much and when, once concluded."""
        c = self.conclusion
        if c is None:
            return None
        return Outcome(c.buyer, c.price, c.via, c.concluded_on)

    def settle(
        self,
        outcome: Outcome,
        proceeds: Decimal,
        costs: Decimal,
        settled_on: date,
        timestamp: datetime,
    ) -> None:
        """``outcome``: the buyer, price and date (``on``) of the sale, buyback or conclusion."""
        self.check_status("concluded" if self.route in DIRECT_ROUTES else "open")
        if costs > proceeds:
            raise InvalidValue("costs exceed proceeds", field="costs")
        follows = f"the {outcome.via.replace('_', ' ')}"
        check_command_date(settled_on, timestamp, "settled_on", outcome.on, follows)
        recovery, surplus = settlement_figures(self.outstanding_amount, proceeds, costs)
        self._settled(
            outcome.buyer,
            outcome.via,
            proceeds,
            costs,
            recovery,
            surplus,
            settled_on,
            timestamp,
        )

    @event("Settled")
    def _settled(
        self,
        buyer: Party,
        via: str,
        proceeds: Decimal,
        costs: Decimal,
        recovery: Decimal,
        surplus_to_pledgor: Decimal,
        settled_on: date,
        timestamp: datetime,
    ) -> None:
        """The disposal settled: recovery to the pledgee, any surplus to the pledgor."""
        self.status = "settled"
        self.settlement = Settlement(
            buyer, via, proceeds, costs, recovery, surplus_to_pledgor, settled_on
        )
