"""Risk compensation (contract §5): the fund advances share x outstanding upfront and is cleared
against the final loss once the disposal settles."""

from __future__ import annotations

from dataclasses import field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from disposal.errors import NotEnrolled
from disposal.values import Advance, Clearing, ClearingFigures
from registry.actors import Actor, current_actor
from registry.business_dates import check_command_date
from registry.errors import InvalidState
from registry.pledges import Pledge
from registry.values import RiskCompensation

CLAIM_NAMESPACE = uuid5(NAMESPACE_URL, "https://ipledge.cn/compensation-claims")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
EVENT_TYPES = {
    "Claimed": "compensation.claimed",
    "Advanced": "compensation.advanced",
    "Cleared": "compensation.cleared",
}


def claim_id(pledge_id: UUID) -> UUID:
    """One claim per pledge: a second claim collides on this id."""
    return uuid5(CLAIM_NAMESPACE, str(pledge_id))


def check_claim_preconditions(
    pledge: Pledge, earlier_claim: CompensationClaim | None
) -> RiskCompensation:
    """A pledge may be claimed for once it is in default (or already under disposal), if it
    is enrolled in a risk-compensation fund and not claimed for before. Returns the
    enrolment (fund and share)."""
    pledge.check_status("in_default", "under_disposal")
    enrolment = pledge.filing.risk_compensation
    if enrolment is None:
        raise NotEnrolled("the pledge is not enrolled in a risk-compensation fund")
    if earlier_claim is not None:
        raise InvalidState("a compensation claim already exists for this pledge")
    return enrolment


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def clearing(
    share: Decimal, outstanding: Decimal, recovery: Decimal, advanced: Decimal
) -> ClearingFigures:
    """Final loss L = outstanding - recovery (>= 0); the fund bears share x L. What it advanced
    beyond that comes back (refund_due); what it has not yet paid of it is still owed."""
    loss = max(ZERO, outstanding - recovery)
    final_share = money(share * loss)
    return ClearingFigures(
        final_loss=loss,
        final_share=final_share,
        refund_due=max(ZERO, advanced - final_share),
        balance_due=max(ZERO, final_share - advanced),
    )


class CompensationClaim(Aggregate):
    class Event(Aggregate.Event):
        # Who acted comes from the context the edge set (registry.actors.acting_as).
        actor: Actor = field(default_factory=current_actor, init=False)

    @staticmethod
    def create_id(pledge_id: UUID, **_: Any) -> UUID:
        return claim_id(pledge_id)

    @event("Claimed")
    def __init__(
        self,
        pledge_id: UUID,
        pledgee: str,
        fund_id: str,
        share: Decimal,
        outstanding_amount: Decimal,
        advance_due: Decimal,
        claimed_on: date,
        timestamp: datetime,
    ) -> None:
        self.pledge_id = pledge_id
        self.pledgee = pledgee
        self.fund_id = fund_id
        self.share = share
        self.outstanding_amount = outstanding_amount
        self.advance_due = advance_due
        self.claimed_on = claimed_on
        """The pledgee claimed from the fund it enrolled in; the advance due is fixed."""
        self.status = "claimed"
        self.advanced: Advance | None = None
        self.cleared: Clearing | None = None

    @classmethod
    def claim(
        cls,
        pledge_id: UUID,
        pledgee: str,
        fund_id: str,
        share: Decimal,
        outstanding: Decimal,
        claimed_on: date,
        timestamp: datetime,
    ) -> CompensationClaim:
        return cls(
            pledge_id,
            pledgee,
            fund_id,
            share,
            outstanding,
            money(share * outstanding),
            claimed_on,
            timestamp,
        )

    @property
    def advanced_amount(self) -> Decimal:
        return self.advanced.amount if self.advanced else ZERO

    def advance(self, paid_on: date, timestamp: datetime) -> None:
        if self.status != "claimed":
            raise InvalidState(
                f"claim is {self.status}; only a claimed claim is advanced",
                claim_status=self.status,
            )
        check_command_date(paid_on, timestamp, "paid_on", self.claimed_on, "the claim")
        self._advanced(self.advance_due, paid_on, timestamp)

    @event("Advanced")
    def _advanced(self, amount: Decimal, paid_on: date, timestamp: datetime) -> None:
        """The fund paid its advance (share x outstanding)."""
        self.status = "advanced"
        self.advanced = Advance(amount, paid_on)

    def clear(self, recovery: Decimal, settled_on: date, timestamp: datetime) -> None:
        if self.status == "cleared":
            return
        figures = clearing(self.share, self.outstanding_amount, recovery, self.advanced_amount)
        self._cleared(
            recovery=recovery,
            final_loss=figures.final_loss,
            final_share=figures.final_share,
            refund_due=figures.refund_due,
            balance_due=figures.balance_due,
            settled_on=settled_on,
            timestamp=timestamp,
        )

    @event("Cleared")
    def _cleared(
        self,
        recovery: Decimal,
        final_loss: Decimal,
        final_share: Decimal,
        refund_due: Decimal,
        balance_due: Decimal,
        settled_on: date,
        timestamp: datetime,
    ) -> None:
        """The disposal settled: the fund's share of the final loss is cleared against its
        advance (refund_due back to the fund, or balance_due still owed by it)."""
        self.status = "cleared"
        self.cleared = Clearing(
            recovery, final_loss, final_share, refund_due, balance_due, settled_on
        )
