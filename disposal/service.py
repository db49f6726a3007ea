"""Disposal command service: default -> disposal -> listing / buyback -> settlement (SPEC §5-§6).

Every command loads, decides and saves all the aggregates it touches in one atomic save, and
is re-run from a fresh read on a version conflict (kernel.commands.run_command).
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from disposal.compensation import CompensationClaim, check_claim_preconditions, claim_id
from disposal.disposals import LISTING_ROUTES, Disposal
from disposal.listings import Listing
from disposal.no_taker import no_taker_deadline_passed
from kernel.clock import Clock
from kernel.commands import Store, Written, check_version, last_position, load, run_command
from kernel.errors import InvalidState, NotFound
from registry.actors import SYSTEM, Actor
from registry.filings import item_key
from registry.service import RegistryService

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

    def _save(self, value: Any, *aggregates: Aggregate) -> Written[Any]:
        return Written(value, last_position(self.store.save(*aggregates)))

    # ---- disposal (SPEC §6) --------------------------------------------------------

    def open_disposal(
        self, pledge_id: UUID, route: str, appraised_value: Decimal, actor: Actor
    ) -> Written[Disposal]:
        def attempt() -> Written[Disposal]:
            pledge = self.registry.pledge_as_pledgee(pledge_id, actor)
            pledge.check_status("in_default")
            assert pledge.default is not None
            now = self.clock.now()
            disposal = Disposal.open(
                pledge.id,
                pledge.pledgee,
                route,
                appraised_value,
                pledge.default["outstanding_amount"],
                pledge.active_items,
                self.clock.today(),
                actor.as_dict(),
                now,
            )
            pledge.start_disposal(str(disposal.id), route, actor.as_dict(), now)
            return self._save(disposal, pledge, disposal)

        return run_command(attempt, "open_disposal")

    def conclude(
        self,
        disposal_id: UUID,
        counterparty: dict[str, str],
        price: Decimal,
        concluded_on: date,
        licence: dict[str, Any] | None,
        actor: Actor,
        expected: int | None = None,
    ) -> Written[Disposal]:
        def attempt() -> Written[Disposal]:
            disposal = self.disposal(disposal_id)
            check_version(disposal, expected)
            disposal.conclude(
                counterparty, price, concluded_on, licence, actor.as_dict(), self.clock.now()
            )
            return self._save(disposal, disposal)

        return run_command(attempt, "conclude_disposal")

    def settle(
        self,
        disposal_id: UUID,
        proceeds: Decimal,
        costs: Decimal,
        settled_on: date,
        actor: Actor,
        expected: int | None = None,
    ) -> Written[Disposal]:
        def attempt() -> Written[Disposal]:
            disposal = self.disposal(disposal_id)
            check_version(disposal, expected)
            outcome = self._outcome(disposal)
            pledge = self.registry.pledge(disposal.pledge_id)
            rights = [self.registry.ip_right(*item_key(i)) for i in disposal.items]
            claim = self.find_claim(disposal.pledge_id)
            now, who = self.clock.now(), actor.as_dict()
            disposal.settle(outcome, proceeds, costs, settled_on, who, now)
            assert disposal.settlement is not None
            pledge.dispose(str(disposal.id), disposal.settlement, who, now)
            for right in rights:
                right.transfer(outcome["buyer"], str(disposal.id), who, now)
            touched: list[Aggregate] = [disposal, pledge, *rights]
            if claim is not None:
                claim.clear(disposal.settlement["recovery"], settled_on, who, now)
                touched.append(claim)
            return self._save(disposal, *touched)

        return run_command(attempt, "settle_disposal")

    def _outcome(self, disposal: Disposal) -> dict[str, Any]:
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

    def create_listing(
        self,
        disposal_id: UUID,
        asking_price: Decimal,
        listed_on: date,
        approval_reference: str | None,
        actor: Actor,
    ) -> Written[Listing]:
        def attempt() -> Written[Listing]:
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
                actor.as_dict(),
                now,
            )
            disposal.attach_listing(listing.id, listed_on, previous, actor.as_dict(), now)
            return self._save(listing, disposal, listing)

        return run_command(attempt, "create_listing")

    def register_intention(
        self,
        listing_id: UUID,
        bidder: dict[str, str],
        registered_on: date,
        actor: Actor,
        expected: int | None = None,
    ) -> Written[tuple[Listing, str]]:
        def attempt() -> Written[tuple[Listing, str]]:
            listing = self.listing(listing_id)
            check_version(listing, expected)
            intention = uuid4()
            listing.register_intention(
                intention, bidder, registered_on, actor.as_dict(), self.clock.now()
            )
            return self._save((listing, str(intention)), listing)

        return run_command(attempt, "register_intention")

    def sell(
        self,
        listing_id: UUID,
        buyer: dict[str, str],
        price: Decimal,
        sold_on: date,
        actor: Actor,
        expected: int | None = None,
    ) -> Written[Listing]:
        return self._on_listing(
            listing_id,
            "sell",
            expected,
            lambda listing, now: listing.sell(buyer, price, sold_on, actor.as_dict(), now),
        )

    def buy_back(
        self,
        listing_id: UUID,
        buyer: dict[str, str],
        price: Decimal,
        bought_on: date,
        actor: Actor,
        expected: int | None = None,
    ) -> Written[Listing]:
        return self._on_listing(
            listing_id,
            "buy_back",
            expected,
            lambda listing, now: listing.buy_back(buyer, price, bought_on, actor.as_dict(), now),
        )

    def withdraw(
        self, listing_id: UUID, reason: str, actor: Actor, expected: int | None = None
    ) -> Written[Listing]:
        return self._on_listing(
            listing_id,
            "withdraw",
            expected,
            lambda listing, now: listing.withdraw(reason, actor.as_dict(), now),
        )

    def expire_listing(self, listing_id: UUID) -> Written[list[str]]:
        """Timer: no intention by the deadline -> listing.expired + buyback.requested.
        Idempotent: a second run (or a second worker) finds nothing to do."""

        def attempt() -> Written[list[str]]:
            listing = self.listing(listing_id)
            if not no_taker_deadline_passed(listing.no_taker_deadline, self.clock.today()):
                return Written([], 0)
            if not listing.expire(SYSTEM.as_dict(), self.clock.now()):
                return Written([], 0)
            return self._save(["listing.expired", "buyback.requested"], listing)

        return run_command(attempt, "expire_listing")

    def _on_listing(
        self, listing_id: UUID, name: str, expected: int | None, change: Any
    ) -> Written[Listing]:
        def attempt() -> Written[Listing]:
            listing = self.listing(listing_id)
            check_version(listing, expected)
            change(listing, self.clock.now())
            return self._save(listing, listing)

        return run_command(attempt, name)

    # ---- risk compensation (SPEC §5) -----------------------------------------------

    def claim_compensation(self, pledge_id: UUID, actor: Actor) -> Written[CompensationClaim]:
        def attempt() -> Written[CompensationClaim]:
            pledge = self.registry.pledge_as_pledgee(pledge_id, actor)
            enrolment = check_claim_preconditions(pledge, self.find_claim(pledge.id))
            assert pledge.default is not None
            claim = CompensationClaim.claim(
                pledge.id,
                pledge.pledgee,
                enrolment["fund_id"],
                enrolment["share"],
                pledge.default["outstanding_amount"],
                self.clock.today(),
                actor.as_dict(),
                self.clock.now(),
            )
            return self._save(claim, claim)

        return run_command(attempt, "claim_compensation")

    def advance_claim(
        self, claim: UUID, paid_on: date, actor: Actor, expected: int | None = None
    ) -> Written[CompensationClaim]:
        def attempt() -> Written[CompensationClaim]:
            found = self.claim(claim)
            if found.fund_id != actor.institution_id:
                raise NotFound(f"compensation claim {claim} not found")
            check_version(found, expected)
            found.advance(paid_on, actor.as_dict(), self.clock.now())
            return self._save(found, found)

        return run_command(attempt, "advance_claim")
