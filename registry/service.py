"""Registry command service: one method per command (load -> check -> decide; ``@command``
saves what it decided and retries on a conflict). The actor comes from the context
(registry.actors.current_actor), set at the edge.

Returns aggregates only to the API layer's presenters; never holds state between calls.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.application import AggregateNotFoundError

from kernel.clock import Clock
from kernel.commands import Decided, Store, check_version, command, decided, load
from registry import annuities
from registry.actors import current_actor
from registry.errors import (
    AmountMismatch,
    InvalidValue,
    NotFound,
    TermExceedsProtection,
)
from registry.examination import examine
from registry.filings import Filing, check_loan_dates, check_valuation
from registry.ip_rights import IPRight, ip_right_id
from registry.pledges import Pledge
from registry.register_rules import check_register_fields
from registry.values import (
    AnnuityPayment,
    Encumbrance,
    FeePrepayment,
    Item,
    LoanAmendment,
    RegisterChanges,
    RegisterEntry,
)

PLEDGE_NAMESPACE = uuid5(NAMESPACE_URL, "https://ipledge.cn/pledges")
IMPORT_BATCH = 200
RegisterLine = tuple[str, str, RegisterEntry]  # kind, canonical number, the entry


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
            found: object = self.store.repository.get(ip_right_id(kind, number))
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, IPRight) else None

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

    def pledge_as_pledgee(self, pledge_id: UUID, expected_version: int | None = None) -> Pledge:
        pledge = self.pledge(pledge_id)
        if pledge.pledgee != current_actor().institution_id:
            raise NotFound(f"pledge {pledge_id} not found")  # never reveal others' records
        check_version(pledge, expected_version)
        return pledge

    # ---- the register (contract §3) ------------------------------------------------------

    @command
    def put_ip_right(
        self, kind: str, number: str, fields: RegisterEntry
    ) -> Decided[tuple[IPRight, bool]]:
        check_register_fields(kind, fields, self.clock.today())
        right, created = self._apply_register_entry(kind, number, fields)
        return decided((right, created), right)

    def import_ip_rights(self, entries: Iterable[RegisterLine]) -> int:
        """Saves entries in batches (one transaction each); returns the last log position.
        Callers report bad lines themselves; a bad entry here refuses the whole import."""
        entries = list(entries)
        today = self.clock.today()
        for kind, _, fields in entries:
            check_register_fields(kind, fields, today)
        position = 0
        for first in range(0, len(entries), IMPORT_BATCH):
            batch = entries[first : first + IMPORT_BATCH]
            position = max(position, self._import_batch(batch).position)
        return position

    @command
    def _import_batch(self, batch: list[RegisterLine]) -> Decided[None]:
        # One query finds which rights exist; only those are read (a new one has nothing
        # to read). A right created meanwhile by another writer makes the save conflict, and
        # the retry finds it.
        existing = self.store.existing([ip_right_id(kind, number) for kind, number, _ in batch])
        touched: dict[tuple[str, str], IPRight] = {}
        for kind, number, fields in batch:
            right = touched.get((kind, number))
            if right is not None:
                right.replace_entry(fields, self.clock.now())
            elif ip_right_id(kind, number) in existing:
                right, _ = self._apply_register_entry(kind, number, fields)
            else:
                right = IPRight(kind, number, fields, self.clock.now())
            touched[(kind, number)] = right
        return decided(None, *touched.values())

    def _apply_register_entry(
        self, kind: str, number: str, fields: RegisterEntry
    ) -> tuple[IPRight, bool]:
        right = self.find_ip_right(kind, number)
        if right is None:
            return IPRight(kind, number, fields, self.clock.now()), True
        right.replace_entry(fields, self.clock.now())
        return right, False

    # ---- pledges (contract §4) -----------------------------------------------------------

    @command
    def file_pledge(self, filing: Filing) -> Decided[Pledge]:
        filing.check()
        now, today = self.clock.now(), self.clock.today()
        actor = current_actor()
        rights = {i.key: self.find_ip_right(*i.key) for i in filing.items}
        reasons = examine(filing, rights, today)
        if reasons:
            pledge = Pledge.refuse(uuid4(), filing, actor.institution_id, reasons, today, now)
            return decided(pledge, pledge)
        number = f"Y{today.year:04d}{self.serials()}"
        pledge = Pledge.register(
            registered_pledge_id(number),
            filing,
            actor.institution_id,
            number,
            today,
            now,
        )
        encumbrance = Encumbrance(
            pledge_id=str(pledge.id), registration_number=number, pledgee=actor.institution_id
        )
        held = [r for r in rights.values() if r is not None]
        for right in held:
            right.encumber(encumbrance, now)
        return decided(pledge, pledge, *held)

    @command
    def amend_pledge(
        self,
        pledge_id: UUID,
        changes: LoanAmendment,
        reason: str,
        expected_version: int | None = None,
    ) -> Decided[Pledge]:
        if changes.is_empty:
            raise InvalidValue("nothing to amend", field="")
        pledge = self.pledge_as_pledgee(pledge_id, expected_version)
        pledge.check_status("registered")
        if changes.maturity_date is not None:
            self._check_new_maturity(pledge, changes.maturity_date)
        if changes.secured_amount is not None:
            check_valuation(changes.secured_amount, pledge.filing.valuation.method)
        pledge.amend(changes, reason, self.clock.now())
        return decided(pledge, pledge)

    def _check_new_maturity(self, pledge: Pledge, maturity: date) -> None:
        check_loan_dates(pledge.loan.start_date, maturity, "maturity_date")
        for item in pledge.active_items:
            right = self.ip_right(*item.key)
            expiry = right.expiry_date()
            if expiry is not None and maturity > expiry:
                raise TermExceedsProtection(
                    f"{item.kind} {item.number} is protected only until {expiry}"
                )

    @command
    def release_pledge(
        self,
        pledge_id: UUID,
        released_on: date,
        reason: str,
        items: list[Item] | None,
        expected_version: int | None = None,
    ) -> Decided[Pledge]:
        pledge = self.pledge_as_pledgee(pledge_id, expected_version)
        now = self.clock.now()
        leaving = pledge.release_items(released_on, reason, items, now)
        rights = [self.ip_right(*i.key) for i in leaving]
        for right in rights:
            right.release_encumbrance(str(pledge.id), "released", now)
        return decided(pledge, pledge, *rights)

    @command
    def declare_default(
        self,
        pledge_id: UUID,
        declared_on: date,
        outstanding: Decimal,
        expected_version: int | None = None,
    ) -> Decided[Pledge]:
        pledge = self.pledge_as_pledgee(pledge_id, expected_version)
        pledge.declare_default(declared_on, outstanding, self.clock.now())
        return decided(pledge, pledge)

    @command
    def prepay_annuity(
        self,
        pledge_id: UUID,
        order: FeePrepayment,
        expected_version: int | None = None,
    ) -> Decided[tuple[Pledge, AnnuityPayment]]:
        pledge = self.pledge_as_pledgee(pledge_id, expected_version)
        now = self.clock.now()
        pledge.check_active_items([order.item])
        pledge.check_date(order.paid_on, "paid_on", now)
        right = self.ip_right(*order.item.key)
        if not right.is_patent:
            raise InvalidValue("only patents have annual fees", field="item")
        paid_through = right.annuity_paid_through_year or 0
        expected = annuities.amount_due(
            right.kind, right.filing_date, paid_through, order.through_year, order.paid_on
        )
        if order.amount != expected:
            raise AmountMismatch(
                f"the fees for years {paid_through + 1}..{order.through_year} "
                f"come to {expected}, not {order.amount}",
                expected=f"{expected:.2f}",
            )
        payment = order.recorded(from_year=paid_through + 1)
        pledge.prepay_annuity(payment, now)
        right.update(RegisterChanges(annuity_paid_through_year=order.through_year), now)
        return decided((pledge, payment), pledge, right)

    # ---- annuity watch (timers, contract §4/§7) -----------------------------------------

    def _right_by_id(self, right_id: UUID) -> IPRight:
        return load(self.store, IPRight, right_id, "IP right")

    @command
    def notify_annuity(
        self, right_id: UUID, year: int, notice: str, due: date
    ) -> Decided[list[str]]:
        """annuity.due_soon / annuity.overdue, once per fee year; nothing if paid meanwhile."""
        right = self._right_by_id(right_id)
        if not right.notify_annuity(year, notice, due, self.clock.now()):
            return decided([])
        return decided([f"annuity.{notice}"], right)

    @command
    def lapse_for_unpaid_fee(self, right_id: UUID, year: int, due: date) -> Decided[list[str]]:
        """Grace ended unpaid: the right lapses (effective the due date) and the pledge that
        holds it is flagged collateral_at_risk, in one save."""
        right = self._right_by_id(right_id)
        encumbrance = right.encumbrance
        now = self.clock.now()
        if not right.lapse(year, due, now):
            return decided([])
        touched: list[IPRight | Pledge] = [right]
        fired = ["ip_right.lapsed"]
        if encumbrance is not None:
            pledge = self.pledge(UUID(encumbrance.pledge_id))
            item = Item(kind=right.kind, number=right.number)
            pledge.flag_collateral_at_risk(item, "annuity_lapsed", now)
            if pledge.collateral_at_risk:
                touched.append(pledge)
                fired.append("pledge.collateral_at_risk")
        return decided(fired, *touched)
