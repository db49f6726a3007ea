"""Disposal command service: default -> disposal -> listing / buyback -> settlement (§5-§6).

Every command loads, checks and decides; ``@command`` saves all the aggregates it touched in one
atomic save and re-runs it from a fresh read on a version conflict (kernel.commands). The actor
comes from the context (registry.actors.current_actor), set at the edge.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from disposal.compensation import CompensationClaim, check_claim_preconditions, claim_id
from disposal.disposals import LISTING_ROUTES, Disposal
from disposal.listings import Listing
from disposal.no_taker import no_taker_deadline_passed
from disposal.values import Outcome
from kernel.clock import Clock
from kernel.commands import Decided, Store, check_version, command, decided, load
from kernel.errors import InvalidState, NotFound
from registry.actors import current_actor
from registry.service import RegistryService
from registry.values import Licence, Party

A = TypeVar("A", bound=Aggregate)


@dataclass
class DisposalService:
    store: Store
    clock: Clock
    registry: RegistryService

    # ---- loading -------------------------------------------------------------------

    def disposal(self, disposal_id: UUID) -> Disposal:
        return load(self.store, Disposal, disposal_id, "disposal")

    def listing(self, listing_id: UUID) -> Listing:
        return load(self.store, Listing, listing_id, "listing")

    def claim(self, claim: UUID) -> CompensationClaim:
        return load(self.store, CompensationClaim, claim, "compensation claim")

    def find_claim(self, pledge_id: UUID) -> CompensationClaim | None:
        with suppress(NotFound):
            return self.claim(claim_id(pledge_id))
        return None

    # ---- disposal (contract §6) --------------------------------------------------------

    @command
    def open_disposal(
        self, pledge_id: UUID, route: str, appraised_value: Decimal
    ) -> Decided[Disposal]:
        pledge = self.registry.pledge_as_pledgee(pledge_id)
        pledge.check_status("in_default")
        assert pledge.default is not None
        now = self.clock.now()
        disposal = Disposal.open(
            pledge.id,
            pledge.pledgee,
            route,
            appraised_value,
            pledge.default.outstanding_amount,
            pledge.active_items,
            self.clock.today(),
            now,
        )
        pledge.start_disposal(str(disposal.id), route, now)
        return decided(disposal, pledge, disposal)

    @command
    def conclude(
        self,
        disposal_id: UUID,
        counterparty: Party,
        price: Decimal,
        concluded_on: date,
        licence: Licence | None,
        expected: int | None = None,
    ) -> Decided[Disposal]:
        disposal = self.disposal(disposal_id)
        check_version(disposal, expected)
        disposal.conclude(counterparty, price, concluded_on, licence, self.clock.now())
        return decided(disposal, disposal)

    @command
    def settle(
        self,
        disposal_id: UUID,
        proceeds: Decimal,
        costs: Decimal,
        settled_on: date,
        expected: int | None = None,
    ) -> Decided[Disposal]:
        disposal = self.disposal(disposal_id)
        check_version(disposal, expected)
        outcome = self._outcome(disposal)
        pledge = self.registry.pledge(disposal.pledge_id)
        rights = [self.registry.ip_right(*i.key) for i in disposal.items]
        claim = self.find_claim(disposal.pledge_id)
        now = self.clock.now()
        disposal.settle(outcome, proceeds, costs, settled_on, now)
        assert disposal.settlement is not None
        pledge.dispose(str(disposal.id), disposal.settlement, now)
        for right in rights:
            right.transfer(outcome.buyer, str(disposal.id), now)
        touched: list[Aggregate] = [disposal, pledge, *rights]
        if claim is not None:
            claim.clear(disposal.settlement.recovery, settled_on, now)
            touched.append(claim)
        return decided(disposal, *touched)

    def _outcome(self, disposal: Disposal) -> Outcome:
        if disposal.route in LISTING_ROUTES:
            listing_id = disposal.current_listing_id
            outcome = self.listing(UUID(listing_id)).outcome if listing_id else None
        else:
            outcome = disposal.direct_outcome
        if outcome is None:
            raise InvalidState(
                "nothing to settle yet: no sale, buyback or conclusion recorded",
                disposal_status=disposal.status,
            )
        return outcome

    # ---- listings ------------------------------------------------------------------

    @command
    def create_listing(
        self,
        disposal_id: UUID,
        asking_price: Decimal,
        listed_on: date,
        approval_reference: str | None,
    ) -> Decided[Listing]:
        disposal = self.disposal(disposal_id)
        current = disposal.current_listing_id
        previous = self.listing(UUID(current)).status if current else None
        now = self.clock.now()
        listing = Listing.create(
            disposal.id,
            disposal.pledge_id,
            disposal.pledgee,
            asking_price,
            disposal.appraised_value,
            listed_on,
            approval_reference,
            now,
        )
        disposal.attach_listing(listing.id, listed_on, previous, now)
        return decided(listing, disposal, listing)

    @command
    def register_intention(
        self,
        listing_id: UUID,
        bidder: Party,
        registered_on: date,
        expected: int | None = None,
    ) -> Decided[tuple[Listing, str]]:
        listing = self._listing_at(listing_id, expected)
        intention = uuid4()
        listing.register_intention(intention, bidder, registered_on, self.clock.now())
        return decided((listing, str(intention)), listing)

    @command
    def sell(
        self,
        listing_id: UUID,
        buyer: Party,
        price: Decimal,
        sold_on: date,
        expected: int | None = None,
    ) -> Decided[Listing]:
        listing = self._listing_at(listing_id, expected)
        listing.sell(buyer, price, sold_on, self.clock.now())
        return decided(listing, listing)

    @command
    def buy_back(
        self,
        listing_id: UUID,
        buyer: Party,
        price: Decimal,
        bought_on: date,
        expected: int | None = None,
    ) -> Decided[Listing]:
        listing = self._listing_at(listing_id, expected)
        listing.buy_back(buyer, price, bought_on, self.clock.now())
        return decided(listing, listing)

    @command
    def withdraw(
        self, listing_id: UUID, reason: str, expected: int | None = None
    ) -> Decided[Listing]:
        listing = self._listing_at(listing_id, expected)
        listing.withdraw(reason, self.clock.now())
        return decided(listing, listing)

    @command
    def expire_listing(self, listing_id: UUID) -> Decided[list[str]]:
        """Timer: no intention by the deadline -> listing.expired + buyback.requested.
        Idempotent: a second run (or a second worker) finds nothing to do."""
        listing = self.listing(listing_id)
        if not no_taker_deadline_passed(listing.no_taker_deadline, self.clock.today()):
            return decided([])
        if not listing.expire(self.clock.now()):
            return decided([])
        return decided(["listing.expired", "buyback.requested"], listing)

    def _listing_at(self, listing_id: UUID, expected: int | None) -> Listing:
        listing = self.listing(listing_id)
        check_version(listing, expected)
        return listing

    # ---- risk compensation (contract §5) -----------------------------------------------

    @command
    def claim_compensation(self, pledge_id: UUID) -> Decided[CompensationClaim]:
        pledge = self.registry.pledge_as_pledgee(pledge_id)
        enrolment = check_claim_preconditions(pledge, self.find_claim(pledge.id))
        assert pledge.default is not None
        claim = CompensationClaim.claim(
            pledge.id,
            pledge.pledgee,
            enrolment.fund_id,
            enrolment.share,
            pledge.default.outstanding_amount,
            self.clock.today(),
            self.clock.now(),
        )
        return decided(claim, claim)

    @command
    def advance_claim(
        self, claim: UUID, paid_on: date, expected: int | None = None
    ) -> Decided[CompensationClaim]:
        found = self.claim(claim)
        if found.fund_id != current_actor().institution_id:
            raise NotFound(f"compensation claim {claim} not found")
        check_version(found, expected)
        found.advance(paid_on, self.clock.now())
        return decided(found, found)
