"""The pledge aggregate: a filing that was registered (or refused) and its life afterwards.

States: registered -> released | in_default -> under_disposal -> disposed; refused is final.
"""

from __future__ import annotations

from dataclasses import field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from registry.actors import actor_of_command
from registry.business_dates import DateBeforeRegistration, check_command_date
from registry.errors import InvalidState, InvalidValue, RuleViolation
from registry.filings import Filing, item_key

EVENT_TYPES = {
    "Registered": "pledge.registered",
    "Refused": "pledge.refused",
    "Amended": "pledge.amended",
    "Released": "pledge.released",
    "ItemsReleased": "pledge.items_released",
    "Defaulted": "pledge.defaulted",
    "AnnuityPrepaid": "annuity.prepaid",
    "DisposalStarted": "pledge.under_disposal",
    "Disposed": "pledge.disposed",
    "CollateralAtRisk": "pledge.collateral_at_risk",
}
RELEASE_REASONS = ("repaid", "waived", "contract_void", "other")
LIVE_STATUSES = ("registered", "in_default", "under_disposal")


class ItemNotInPledge(RuleViolation):
    code = "item_not_in_pledge"


class Pledge(Aggregate):
    class Event(Aggregate.Event):
        # Who acted comes from the context the edge set (registry.actors.acting_as).
        actor: dict[str, str] = field(default_factory=actor_of_command, init=False)

    class Registered(Event, Aggregate.Created):
        filing: dict[str, Any]
        pledgee: str
        registration_number: str
        registered_on: date

    class Refused(Event, Aggregate.Created):
        filing: dict[str, Any]
        pledgee: str
        refusal_reasons: list[dict[str, Any]]
        filed_on: date

    def __init__(
        self,
        filing: dict[str, Any],
        pledgee: str,
        registration_number: str | None = None,
        registered_on: date | None = None,
        refusal_reasons: list[dict[str, Any]] | None = None,
        filed_on: date | None = None,
    ) -> None:
        self.filing = filing
        self.pledgee = pledgee
        self.registration_number = registration_number
        self.registered_on = registered_on
        self.filed_on = filed_on or registered_on
        self.refusal_reasons = refusal_reasons or []
        self.status = "registered" if registration_number else "refused"
        self.secured_amount: Decimal = filing["secured_amount"]
        self.loan: dict[str, Any] = dict(filing["loan"])
        self.released_items: list[dict[str, str]] = []
        self.release: dict[str, Any] | None = None
        self.default: dict[str, Any] | None = None
        self.collateral_at_risk = False
        self.disposal_id: str | None = None
        self.settlement: dict[str, Any] | None = None

    @classmethod
    def register(
        cls,
        pledge_id: UUID,
        filing: Filing,
        pledgee: str,
        registration_number: str,
        today: date,
        timestamp: datetime,
    ) -> Pledge:
        return cls._create(
            cls.Registered,
            id=pledge_id,
            filing=filing.as_dict(),
            pledgee=pledgee,
            registration_number=registration_number,
            registered_on=today,
            timestamp=timestamp,
        )

    @classmethod
    def refuse(
        cls,
        pledge_id: UUID,
        filing: Filing,
        pledgee: str,
        reasons: list[dict[str, Any]],
        today: date,
        timestamp: datetime,
    ) -> Pledge:
        return cls._create(
            cls.Refused,
            id=pledge_id,
            filing=filing.as_dict(),
            pledgee=pledgee,
            refusal_reasons=reasons,
            filed_on=today,
            timestamp=timestamp,
        )

    # Queries

    @property
    def items(self) -> list[dict[str, str]]:
        return list(self.filing["items"])

    @property
    def active_items(self) -> list[dict[str, str]]:
        gone = {item_key(i) for i in self.released_items}
        return [i for i in self.items if item_key(i) not in gone]

    # Guards

    def check_status(self, *allowed: str) -> None:
        if self.status not in allowed:
            raise InvalidState(
                f"pledge is {self.status}; this needs it to be {' or '.join(allowed)}",
                status=self.status,
            )

    def check_date(self, on: date, field: str, timestamp: datetime) -> None:
        """A business date of a command on this pledge: not after the command's day, not
        before the registration."""
        check_command_date(
            on, timestamp, field, self.registered_on, "the registration", DateBeforeRegistration
        )

    def check_active_items(self, items: list[dict[str, str]]) -> None:
        keys = [item_key(i) for i in items]
        if not keys or len(set(keys)) != len(keys):
            raise InvalidValue("items must name at least one item, each once", field="items")
        active = {item_key(i) for i in self.active_items}
        for item in items:
            if item_key(item) not in active:
                raise ItemNotInPledge(
                    f"{item['kind']} {item['number']} is not an unreleased item of this pledge"
                )

    # Commands

    def amend(self, changes: dict[str, Any], reason: str, timestamp: datetime) -> None:
        self.check_status("registered")
        self._amended(changes=changes, reason=reason, timestamp=timestamp)

    @event("Amended")
    def _amended(self, changes: dict[str, Any], reason: str, timestamp: datetime) -> None:
        if "secured_amount" in changes:
            self.secured_amount = changes["secured_amount"]
        if "maturity_date" in changes:
            self.loan["maturity_date"] = changes["maturity_date"]
        if "loan_contract_number" in changes:
            self.loan["contract_number"] = changes["loan_contract_number"]

    def release_items(
        self,
        released_on: date,
        reason: str,
        items: list[dict[str, str]] | None,
        timestamp: datetime,
    ) -> list[dict[str, str]]:
        """Releases the given items (all if None); returns the items that left the pledge."""
        self.check_status("registered")
        self.check_date(released_on, "released_on", timestamp)
        leaving = self.active_items if items is None else items
        self.check_active_items(leaving)
        # The last items leaving release the pledge itself.
        record = self._released if len(leaving) == len(self.active_items) else self._items_released
        record(released_on, reason, leaving, timestamp)
        return leaving

    @event("Released")
    def _released(
        self,
        released_on: date,
        reason: str,
        items: list[dict[str, str]],
        timestamp: datetime,
    ) -> None:
        self.released_items.extend(items)
        self.status = "released"
        self.release = {"released_on": released_on, "reason": reason}

    @event("ItemsReleased")
    def _items_released(
        self,
        released_on: date,
        reason: str,
        items: list[dict[str, str]],
        timestamp: datetime,
    ) -> None:
        self.released_items.extend(items)

    def declare_default(
        self,
        declared_on: date,
        outstanding_amount: Decimal,
        timestamp: datetime,
    ) -> None:
        self.check_status("registered")
        self.check_date(declared_on, "declared_on", timestamp)
        self._defaulted(
            declared_on=declared_on,
            outstanding_amount=outstanding_amount,
            timestamp=timestamp,
        )

    @event("Defaulted")
    def _defaulted(
        self,
        declared_on: date,
        outstanding_amount: Decimal,
        timestamp: datetime,
    ) -> None:
        self.status = "in_default"
        self.default = {"declared_on": declared_on, "outstanding_amount": outstanding_amount}

    def prepay_annuity(self, payment: dict[str, Any], timestamp: datetime) -> None:
        self.check_status(*LIVE_STATUSES)
        self.check_active_items([payment["item"]])
        self.check_date(payment["paid_on"], "paid_on", timestamp)
        self._annuity_prepaid(payment=payment, timestamp=timestamp)

    @event("AnnuityPrepaid")
    def _annuity_prepaid(self, payment: dict[str, Any], timestamp: datetime) -> None:
        pass

    def start_disposal(self, disposal_id: str, route: str, timestamp: datetime) -> None:
        self.check_status("in_default")
        self._disposal_started(disposal_id, route, timestamp)

    @event("DisposalStarted")
    def _disposal_started(self, disposal_id: str, route: str, timestamp: datetime) -> None:
        self.status = "under_disposal"
        self.disposal_id = disposal_id

    def dispose(
        self,
        disposal_id: str,
        settlement: dict[str, Any],
        timestamp: datetime,
    ) -> None:
        self.check_status("under_disposal")
        self._disposed(disposal_id, settlement, timestamp)

    @event("Disposed")
    def _disposed(
        self,
        disposal_id: str,
        settlement: dict[str, Any],
        timestamp: datetime,
    ) -> None:
        self.status = "disposed"
        self.settlement = settlement

    def flag_collateral_at_risk(
        self, item: dict[str, str], reason: str, timestamp: datetime
    ) -> None:
        if self.status in LIVE_STATUSES:
            self._collateral_at_risk(item, reason, timestamp)

    @event("CollateralAtRisk")
    def _collateral_at_risk(self, item: dict[str, str], reason: str, timestamp: datetime) -> None:
        self.collateral_at_risk = True
