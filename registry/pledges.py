"""The pledge aggregate: a filing that was registered (or refused) and its life afterwards.

States: registered -> released | in_default -> under_disposal -> disposed; refused is final.
"""

from __future__ import annotations

from dataclasses import field, replace
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from registry.actors import Actor, current_actor
from registry.business_dates import DateBeforeRegistration, check_command_date
from registry.errors import InvalidState, InvalidValue, RuleViolation
from registry.filings import Filing
from registry.values import (
    AnnuityPayment,
    DefaultDeclaration,
    Item,
    Loan,
    LoanAmendment,
    PledgeRelease,
    RefusalReason,
    Settlement,
)

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
        actor: Actor = field(default_factory=current_actor, init=False)

    class Registered(Event, Aggregate.Created):
        """A filing passed examination: the pledge is registered under a number."""

        filing: Filing
        pledgee: str
        registration_number: str
        registered_on: date

    class Refused(Event, Aggregate.Created):
        """A filing failed examination; every ground is listed. Final."""

        filing: Filing
        pledgee: str
        refusal_reasons: list[RefusalReason]
        filed_on: date

    def __init__(
        self,
        filing: Filing,
        pledgee: str,
        registration_number: str | None = None,
        registered_on: date | None = None,
        refusal_reasons: list[RefusalReason] | None = None,
        filed_on: date | None = None,
    ) -> None:
        self.filing = filing
        self.pledgee = pledgee
        self.registration_number = registration_number
        self.registered_on = registered_on
        self.filed_on = filed_on or registered_on
        self.refusal_reasons = refusal_reasons or []
        self.status = "registered" if registration_number else "refused"
        self.secured_amount: Decimal = filing.secured_amount
        self.loan: Loan = filing.loan
        self.released_items: list[Item] = []
        self.release: PledgeRelease | None = None
        self.default: DefaultDeclaration | None = None
        self.collateral_at_risk = False
        self.disposal_id: str | None = None
        self.settlement: Settlement | None = None

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
            filing=filing,
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
        reasons: list[RefusalReason],
        today: date,
        timestamp: datetime,
    ) -> Pledge:
        return cls._create(
            cls.Refused,
            id=pledge_id,
            filing=filing,
            pledgee=pledgee,
            refusal_reasons=reasons,
            filed_on=today,
            timestamp=timestamp,
        )

    # Queries

    @property
    def items(self) -> list[Item]:
        return list(self.filing.items)

    @property
    def active_items(self) -> list[Item]:
        gone = set(self.released_items)
        return [i for i in self.items if i not in gone]

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

    def check_active_items(self, items: list[Item]) -> None:
        if not items or len(set(items)) != len(items):
            raise InvalidValue("items must name at least one item, each once", field="items")
        active = set(self.active_items)
        for item in items:
            if item not in active:
                raise ItemNotInPledge(
                    f"{item.kind} {item.number} is not an unreleased item of this pledge"
                )

    # Commands

    def amend(self, changes: LoanAmendment, reason: str, timestamp: datetime) -> None:
        self.check_status("registered")
        self._amended(changes=changes, reason=reason, timestamp=timestamp)

    @event("Amended")
    def _amended(self, changes: LoanAmendment, reason: str, timestamp: datetime) -> None:
        """The secured amount, the maturity or the loan contract number changed."""
        if changes.secured_amount is not None:
            self.secured_amount = changes.secured_amount
        if changes.maturity_date is not None:
            self.loan = replace(self.loan, maturity_date=changes.maturity_date)
        if changes.loan_contract_number is not None:
            self.loan = replace(self.loan, contract_number=changes.loan_contract_number)

    def release_items(
        self,
        released_on: date,
        reason: str,
        items: list[Item] | None,
        timestamp: datetime,
    ) -> list[Item]:
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
        items: list[Item],
        timestamp: datetime,
    ) -> None:
        """The last items left the pledge: it is released."""
        self.released_items.extend(items)
        self.status = "released"
        self.release = PledgeRelease(released_on=released_on, reason=reason)

    @event("ItemsReleased")
    def _items_released(
        self,
        released_on: date,
        reason: str,
        items: list[Item],
        timestamp: datetime,
    ) -> None:
        """Some items left the pledge; it still holds the others."""
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
        """The pledgee declared the secured loan in default."""
        self.status = "in_default"
        self.default = DefaultDeclaration(
            declared_on=declared_on, outstanding_amount=outstanding_amount
        )

    def prepay_annuity(self, payment: AnnuityPayment, timestamp: datetime) -> None:
        self.check_status(*LIVE_STATUSES)
        self.check_active_items([payment.item])
        self.check_date(payment.paid_on, "paid_on", timestamp)
        self._annuity_prepaid(payment=payment, timestamp=timestamp)

    @event("AnnuityPrepaid")
    def _annuity_prepaid(self, payment: AnnuityPayment, timestamp: datetime) -> None:
        """The pledgee prepaid a pledged patent's annual fees."""

    def start_disposal(self, disposal_id: str, route: str, timestamp: datetime) -> None:
        self.check_status("in_default")
        self._disposal_started(disposal_id, route, timestamp)

    @event("DisposalStarted")
    def _disposal_started(self, disposal_id: str, route: str, timestamp: datetime) -> None:
        """A disposal of the collateral was opened (by the given route)."""
        self.status = "under_disposal"
        self.disposal_id = disposal_id

    def dispose(
        self,
        disposal_id: str,
        settlement: Settlement,
        timestamp: datetime,
    ) -> None:
        self.check_status("under_disposal")
        self._disposed(disposal_id, settlement, timestamp)

    @event("Disposed")
    def _disposed(
        self,
        disposal_id: str,
        settlement: Settlement,
        timestamp: datetime,
    ) -> None:
        """The disposal settled: the collateral is gone, the pledge ends."""
        self.status = "disposed"
        self.settlement = settlement

    def flag_collateral_at_risk(self, item: Item, reason: str, timestamp: datetime) -> None:
        if self.status in LIVE_STATUSES:
            self._collateral_at_risk(item, reason, timestamp)

    @event("CollateralAtRisk")
    def _collateral_at_risk(self, item: Item, reason: str, timestamp: datetime) -> None:
        """An item of the pledge lapsed (or is otherwise at risk); the pledgee should act."""
        self.collateral_at_risk = True
