"""Registry command service: one method per command (load -> decide -> save).

Returns aggregates only to the API layer's presenters; never holds state between calls.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.application import AggregateNotFoundError

from kernel.clock import Clock
from kernel.commands import Store, Written, check_version, last_position, load, run_command
from registry import annuities
from registry.actors import SYSTEM, Actor
from registry.errors import (
    AmountMismatch,
    InvalidValue,
    NotFound,
    TermExceedsProtection,
)
from registry.examination import examine
from registry.filings import Filing, check_loan_dates, check_valuation, item_key
from registry.ip_rights import IPRight, ip_right_id
from registry.pledges import Pledge
from registry.register_rules import check_register_fields

PLEDGE_NAMESPACE = uuid5(NAMESPACE_URL, "https://ipledge.cn/pledges")
IMPORT_BATCH = 200


def random_serial() -> str:
    return f"{secrets.randbelow(10**10):010d}"


def registered_pledge_id(registration_number: str) -> UUID:
    # Deterministic: a second pledge drawing the same number conflicts on save and retries.
    return uuid5(PLEDGE_NAMESPACE, registration_number)


@dataclass
class RegistryService:
    store: Store
    clock: Clock
    serials: Callable[[], str] = random_serial

    # ---- loading -------------------------------------------------------------------

    def find_ip_right(self, kind: str, number: str) -> IPRight | None:
        try:
            return self.store.repository.get(ip_right_id(kind, number))  # type: ignore[return-value]
        except AggregateNotFoundError:
            return None

    def ip_right(self, kind: str, number: str) -> IPRight:
        right = self.find_ip_right(kind, number)
        if right is None:
            raise NotFound(f"{kind} {number} is not in the register")
        return right

    def pledge(self, pledge_id: UUID) -> Pledge:
        return load(self.store, Pledge, pledge_id, "pledge")

    def pledge_as_of(self, pledge_id: UUID, instant: datetime) -> Pledge:
        """The pledge as it stood at ``instant``, replayed from its events."""
        pledge = self.store.state_at(pledge_id, instant)
        if not isinstance(pledge, Pledge):
            raise NotFound(f"pledge {pledge_id} did not exist at {instant.isoformat()}")
        return pledge

    def pledge_as_pledgee(
        self, pledge_id: UUID, actor: Actor, expected_version: int | None = None
    ) -> Pledge:
        pledge = self.pledge(pledge_id)
        if pledge.pledgee != actor.institution_id:
            raise NotFound(f"pledge {pledge_id} not found")  # never reveal others' records
        check_version(pledge, expected_version)
        return pledge

    # ---- the register (SPEC §3) ------------------------------------------------------

    def put_ip_right(
        self, kind: str, number: str, fields: dict[str, Any], actor: Actor
    ) -> Written[tuple[IPRight, bool]]:
        check_register_fields(kind, fields, self.clock.today())

        def attempt() -> Written[tuple[IPRight, bool]]:
            right, created = self._apply_register_entry(kind, number, fields, actor)
            return Written((right, created), last_position(self.store.save(right)))

        return run_command(attempt, "put_ip_right")

    def import_ip_rights(
        self, entries: Iterable[tuple[str, str, dict[str, Any]]], actor: Actor
    ) -> int:
        """Saves entries in batches (one transaction each); returns the last log position.
        Callers report bad lines themselves; a bad entry here refuses the whole import."""
        entries = list(entries)
        today = self.clock.today()
        for kind, _, fields in entries:
            check_register_fields(kind, fields, today)
        position = 0
        batch: list[tuple[str, str, dict[str, Any]]] = []
        for entry in entries:
            batch.append(entry)
            if len(batch) == IMPORT_BATCH:
                position = max(position, self._import_batch(batch, actor))
                batch = []
        if batch:
            position = max(position, self._import_batch(batch, actor))
        return position

    def _import_batch(self, batch: list[tuple[str, str, dict[str, Any]]], actor: Actor) -> int:
        def attempt() -> Written[None]:
            touched: dict[tuple[str, str], IPRight] = {}
            for kind, number, fields in batch:
                right = touched.get((kind, number))
                if right is None:
                    right, _ = self._apply_register_entry(kind, number, fields, actor)
                else:
                    right.update(fields, actor.as_dict(), self.clock.now())
                touched[(kind, number)] = right
            return Written(None, last_position(self.store.save(*touched.values())))

        return run_command(attempt, "import_ip_rights").position

    def _apply_register_entry(
        self, kind: str, number: str, fields: dict[str, Any], actor: Actor
    ) -> tuple[IPRight, bool]:
        right = self.find_ip_right(kind, number)
        if right is None:
            return IPRight(kind, number, fields, actor.as_dict(), self.clock.now()), True
        right.update(fields, actor.as_dict(), self.clock.now())
        return right, False

    # ---- pledges (SPEC §4) -----------------------------------------------------------

    def file_pledge(self, filing: Filing, actor: Actor) -> Written[Pledge]:
        filing.check()

        def attempt() -> Written[Pledge]:
            now, today = self.clock.now(), self.clock.today()
            rights = {item_key(i): self.find_ip_right(*item_key(i)) for i in filing.items}
            reasons = examine(filing, rights, today)
            if reasons:
                pledge = Pledge.refuse(
                    uuid4(), filing, actor.institution_id, reasons, today, actor.as_dict(), now
                )
                return Written(pledge, last_position(self.store.save(pledge)))
            number = f"Y{today.year:04d}{self.serials()}"
            pledge = Pledge.register(
                registered_pledge_id(number),
                filing,
                actor.institution_id,
                number,
                today,
                actor.as_dict(),
                now,
            )
            encumbrance = {
                "pledge_id": str(pledge.id),
                "registration_number": number,
                "pledgee": actor.institution_id,
            }
            held = [r for r in rights.values() if r is not None]
            for right in held:
                right.encumber(encumbrance, actor.as_dict(), now)
            return Written(pledge, last_position(self.store.save(pledge, *held)))

        return run_command(attempt, "file_pledge")

    def amend_pledge(
        self,
        pledge_id: UUID,
        changes: dict[str, Any],
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Written[Pledge]:
        if not changes:
            raise InvalidValue("nothing to amend", field="")

        def attempt() -> Written[Pledge]:
            pledge = self.pledge_as_pledgee(pledge_id, actor, expected_version)
            pledge.check_status("registered")
            if "maturity_date" in changes:
                self._check_new_maturity(pledge, changes["maturity_date"])
            if "secured_amount" in changes:
                check_valuation(changes["secured_amount"], pledge.filing["valuation"]["method"])
            pledge.amend(changes, reason, actor.as_dict(), self.clock.now())
            return Written(pledge, last_position(self.store.save(pledge)))

        return run_command(attempt, "amend_pledge")

    def _check_new_maturity(self, pledge: Pledge, maturity: date) -> None:
        check_loan_dates(pledge.loan["start_date"], maturity, "maturity_date")
        for item in pledge.active_items:
            right = self.ip_right(*item_key(item))
            expiry = right.expiry_date()
            if expiry is not None and maturity > expiry:
                raise TermExceedsProtection(
                    f"{item['kind']} {item['number']} is protected only until {expiry}"
                )

    def release_pledge(
        self,
        pledge_id: UUID,
        released_on: date,
        reason: str,
        items: list[dict[str, str]] | None,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Written[Pledge]:
        def attempt() -> Written[Pledge]:
            pledge = self.pledge_as_pledgee(pledge_id, actor, expected_version)
            now = self.clock.now()
            leaving = pledge.release_items(released_on, reason, items, actor.as_dict(), now)
            rights = [self.ip_right(*item_key(i)) for i in leaving]
            for right in rights:
                right.release_encumbrance(str(pledge.id), "released", actor.as_dict(), now)
            return Written(pledge, last_position(self.store.save(pledge, *rights)))

        return run_command(attempt, "release_pledge")

    def declare_default(
        self,
        pledge_id: UUID,
        declared_on: date,
        outstanding: Decimal,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Written[Pledge]:
        def attempt() -> Written[Pledge]:
            pledge = self.pledge_as_pledgee(pledge_id, actor, expected_version)
            pledge.declare_default(declared_on, outstanding, actor.as_dict(), self.clock.now())
            return Written(pledge, last_position(self.store.save(pledge)))

        return run_command(attempt, "declare_default")

    def prepay_annuity(
        self,
        pledge_id: UUID,
        payment: dict[str, Any],
        actor: Actor,
        expected_version: int | None = None,
    ) -> Written[tuple[Pledge, dict[str, Any]]]:
        def attempt() -> Written[tuple[Pledge, dict[str, Any]]]:
            pledge = self.pledge_as_pledgee(pledge_id, actor, expected_version)
            now = self.clock.now()
            pledge.check_active_items([payment["item"]])
            pledge.check_date(payment["paid_on"], "paid_on", now)
            right = self.ip_right(*item_key(payment["item"]))
            if not right.is_patent:
                raise InvalidValue("only patents have annual fees", field="item")
            paid_through = right.annuity_paid_through_year or 0
            expected = annuities.amount_due(
                right.kind,
                right.filing_date,
                paid_through,
                payment["through_year"],
                payment["paid_on"],
            )
            if payment["amount"] != expected:
                raise AmountMismatch(
                    f"the fees for years {paid_through + 1}..{payment['through_year']} "
                    f"come to {expected}, not {payment['amount']}",
                    expected=f"{expected:.2f}",
                )
            record = {**payment, "from_year": paid_through + 1}
            pledge.prepay_annuity(record, actor.as_dict(), now)
            right.update(
                {"annuity_paid_through_year": payment["through_year"]}, actor.as_dict(), now
            )
            return Written((pledge, record), last_position(self.store.save(pledge, right)))

        return run_command(attempt, "prepay_annuity")

    # ---- annuity watch (timers, SPEC §4/§7) -----------------------------------------

    def _right_by_id(self, right_id: UUID) -> IPRight:
        return load(self.store, IPRight, right_id, "IP right")

    def notify_annuity(
        self, right_id: UUID, year: int, notice: str, due: date
    ) -> Written[list[str]]:
        """annuity.due_soon / annuity.overdue, once per fee year; nothing if paid meanwhile."""

        def attempt() -> Written[list[str]]:
            right = self._right_by_id(right_id)
            if not right.notify_annuity(year, notice, due, SYSTEM.as_dict(), self.clock.now()):
                return Written([], 0)
            return Written([f"annuity.{notice}"], last_position(self.store.save(right)))

        return run_command(attempt, "notify_annuity")

    def lapse_for_unpaid_fee(self, right_id: UUID, year: int, due: date) -> Written[list[str]]:
        """Grace ended unpaid: the right lapses (effective the due date) and the pledge that
        holds it is flagged collateral_at_risk, in one save."""

        def attempt() -> Written[list[str]]:
            right = self._right_by_id(right_id)
            encumbrance = right.encumbrance
            now = self.clock.now()
            if not right.lapse(year, due, SYSTEM.as_dict(), now):
                return Written([], 0)
            touched: list[IPRight | Pledge] = [right]
            fired = ["ip_right.lapsed"]
            if encumbrance is not None:
                pledge = self.pledge(UUID(encumbrance["pledge_id"]))
                item = {"kind": right.kind, "number": right.number}
                pledge.flag_collateral_at_risk(item, "annuity_lapsed", SYSTEM.as_dict(), now)
                if pledge.collateral_at_risk:
                    touched.append(pledge)
                    fired.append("pledge.collateral_at_risk")
            return Written(fired, last_position(self.store.save(*touched)))

        return run_command(attempt, "lapse_for_unpaid_fee")
