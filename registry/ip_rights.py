"""The IP right aggregate: one register entry, keyed by (kind, canonical number).

It is also the consistency boundary against double pledging: a registration encumbers every
item in the same atomic save, so two filings racing for one right conflict on its version.
"""

from __future__ import annotations

from dataclasses import field, replace
from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from registry import annuities
from registry.actors import Actor, current_actor
from registry.numbers import PATENT_KINDS
from registry.values import UNCHANGED, Encumbrance, Party, RegisterChanges, RegisterEntry

IP_NAMESPACE = uuid5(NAMESPACE_URL, "https://ipledge.cn/ip-rights")
STATUSES = ("pending", "in_force", "terminated", "invalidated", "expired")
REGISTER_FIELDS = (
    "title",
    "holders",
    "filing_date",
    "grant_date",
    "status",
    "annuity_paid_through_year",
    "valid_until",
    "dispute_hold",
    "invalidation_pending",
)

EVENT_TYPES = {
    "Registered": "ip_right.registered",
    "Updated": "ip_right.updated",
    "Encumbered": "ip_right.encumbered",
    "EncumbranceReleased": "ip_right.encumbrance_released",
    "Transferred": "ip_right.transferred",
    "Lapsed": "ip_right.lapsed",
    "AnnuityDueSoon": "annuity.due_soon",
    "AnnuityOverdue": "annuity.overdue",
}


def ip_right_id(kind: str, number: str) -> UUID:
    return uuid5(IP_NAMESPACE, f"{kind}/{number}")


class IPRight(Aggregate):
    class Event(Aggregate.Event):
        # Who acted comes from the context the edge set (registry.actors.acting_as).
        actor: Actor = field(default_factory=current_actor, init=False)

    @staticmethod
    def create_id(kind: str, number: str, **_: Any) -> UUID:
        return ip_right_id(kind, number)

    @event("Registered")
    def __init__(self, kind: str, number: str, fields: RegisterEntry, timestamp: datetime) -> None:
        """The IP office entered a right in the register."""
        self.kind = kind
        self.number = number
        self.entry = fields
        self.encumbrance: Encumbrance | None = None
        self.annuity_notices: list[str] = []  # "year:kind" already sent, never twice

    def update(self, fields: RegisterChanges, timestamp: datetime) -> bool:
        """Applies the given register fields that differ; False if none did (nothing recorded)."""
        current = vars(self.entry)
        same = [k for k, v in fields.changed().items() if current[k] == v]
        changes = replace(fields, **dict.fromkeys(same, UNCHANGED))
        if not changes.changed():
            return False
        self._updated(changes=changes, timestamp=timestamp)
        return True

    def replace_entry(self, entry: RegisterEntry, timestamp: datetime) -> bool:
        """The IP office restates the whole entry; records the fields that differ."""
        return self.update(RegisterChanges(**vars(entry)), timestamp)

    @event("Updated")
    def _updated(self, changes: RegisterChanges, timestamp: datetime) -> None:
        """The IP office changed register fields (only those changed are listed)."""
        self.entry = changes.applied_to(self.entry)

    def encumber(self, pledge: Encumbrance, timestamp: datetime) -> None:
        self._encumbered(pledge=pledge, timestamp=timestamp)

    @event("Encumbered")
    def _encumbered(self, pledge: Encumbrance, timestamp: datetime) -> None:
        """A registered pledge now holds this right."""
        self.encumbrance = pledge

    def release_encumbrance(self, pledge_id: str, reason: str, timestamp: datetime) -> None:
        if self.encumbrance and self.encumbrance.pledge_id == pledge_id:
            self._encumbrance_released(pledge_id=pledge_id, reason=reason, timestamp=timestamp)

    @event("EncumbranceReleased")
    def _encumbrance_released(self, pledge_id: str, reason: str, timestamp: datetime) -> None:
        """The pledge that held this right let it go (released)."""
        self.encumbrance = None

    def transfer(self, to: Party, disposal_id: str, timestamp: datetime) -> None:
        """The buyer of distressed collateral becomes the sole holder, free of the pledge."""
        self._transferred(
            previous_holders=list(self.holders),
            holders=[to],
            disposal_id=disposal_id,
            timestamp=timestamp,
        )

    @event("Transferred")
    def _transferred(
        self,
        previous_holders: list[Party],
        holders: list[Party],
        disposal_id: str,
        timestamp: datetime,
    ) -> None:
        """A disposal sold the right: the buyer is its sole holder, free of the pledge."""
        self.entry = replace(self.entry, holders=tuple(holders))
        self.encumbrance = None

    # Annuity watch (timers)

    def notify_annuity(self, year: int, notice: str, due_date: date, timestamp: datetime) -> bool:
        """Records annuity.due_soon / annuity.overdue for a fee year once; False if it was
        already sent, or if the fee has been paid meanwhile."""
        key = f"{year}:{notice}"
        if key in self.annuity_notices or (self.annuity_paid_through_year or 0) >= year:
            return False
        record = self._annuity_due_soon if notice == "due_soon" else self._annuity_overdue
        record(year, due_date, self.encumbrance, timestamp)
        return True

    @event("AnnuityDueSoon")
    def _annuity_due_soon(
        self,
        year: int,
        due_date: date,
        encumbrance: Encumbrance | None,
        timestamp: datetime,
    ) -> None:
        """A patent's annual fee falls due soon and is unpaid (sent once per fee year)."""
        self.annuity_notices = [*self.annuity_notices, f"{year}:due_soon"]

    @event("AnnuityOverdue")
    def _annuity_overdue(
        self,
        year: int,
        due_date: date,
        encumbrance: Encumbrance | None,
        timestamp: datetime,
    ) -> None:
        """A patent's annual fee is overdue: the grace period runs (sent once per fee year)."""
        self.annuity_notices = [*self.annuity_notices, f"{year}:overdue"]

    def lapse(self, year: int, effective_on: date, timestamp: datetime) -> bool:
        """Unpaid at grace end: the right terminates, effective the fee's due date."""
        if self.status != "in_force" or (self.annuity_paid_through_year or 0) >= year:
            return False
        self._lapsed(year, effective_on, self.encumbrance, timestamp)
        return True

    @event("Lapsed")
    def _lapsed(
        self,
        year: int,
        effective_on: date,
        encumbrance: Encumbrance | None,
        timestamp: datetime,
    ) -> None:
        """The fee went unpaid to the end of grace: the right terminated (as of the due date)."""
        self.entry = replace(self.entry, status="terminated")

    # Register fields, read from the current entry.

    @property
    def title(self) -> str:
        return self.entry.title

    @property
    def holders(self) -> tuple[Party, ...]:
        return self.entry.holders

    @property
    def filing_date(self) -> date:
        return self.entry.filing_date

    @property
    def grant_date(self) -> date | None:
        return self.entry.grant_date

    @property
    def status(self) -> str:
        return self.entry.status

    @property
    def annuity_paid_through_year(self) -> int | None:
        return self.entry.annuity_paid_through_year

    @property
    def valid_until(self) -> date | None:
        return self.entry.valid_until

    @property
    def dispute_hold(self) -> bool:
        return self.entry.dispute_hold

    @property
    def invalidation_pending(self) -> bool:
        return self.entry.invalidation_pending

    # Derived facts (never stored: they depend on the date asked about).

    @property
    def is_patent(self) -> bool:
        return self.kind in PATENT_KINDS

    @property
    def holder_codes(self) -> set[str]:
        return self.entry.holder_codes

    def expiry_date(self) -> date | None:
        if self.is_patent:
            return annuities.expiry_date(self.kind, self.filing_date)
        return self.valid_until

    def annuity_status(self, today: date) -> str:
        if not self.is_patent:
            return "n/a"
        return annuities.annuity_status(
            self.kind, self.filing_date, self.annuity_paid_through_year, today
        )

    def next_annuity_due_date(self, today: date) -> date | None:
        if not self.is_patent or self.status != "in_force":
            return None  # nothing falls due on a right that is not (or no longer) in force
        return annuities.next_due_date(
            self.kind, self.filing_date, self.annuity_paid_through_year, today
        )
