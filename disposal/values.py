"""What disposal aggregates hold between events (state, never stored: events carry flat fields
and registry value objects; see registry/values.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from registry.values import Licence, Party


@dataclass(frozen=True)
class Intention:
    """A bidder's registered intention to acquire listed collateral."""

    id: str
    bidder: Party
    registered_on: date


@dataclass(frozen=True)
class Sale:
    buyer: Party
    price: Decimal
    sold_on: date


@dataclass(frozen=True)
class Buyback:
    buyer: Party
    price: Decimal
    bought_on: date


@dataclass(frozen=True)
class Withdrawal:
    reason: str


@dataclass(frozen=True)
class Outcome:
    """Who acquired the collateral, for how much, how (``via``) and when (``on``)."""

    buyer: Party
    price: Decimal
    via: str
    on: date


@dataclass(frozen=True)
class Conclusion:
    """A reverse licence's or an acquisition's outcome, recorded on the disposal."""

    buyer: Party
    price: Decimal
    concluded_on: date
    licence: Licence | None
    via: str


@dataclass(frozen=True)
class Advance:
    amount: Decimal
    paid_on: date


@dataclass(frozen=True)
class ClearingFigures:
    """The fund's final position once the loss is known (see disposal.compensation.clearing)."""

    final_loss: Decimal
    final_share: Decimal
    refund_due: Decimal
    balance_due: Decimal


@dataclass(frozen=True)
class Clearing:
    recovery: Decimal
    final_loss: Decimal
    final_share: Decimal
    refund_due: Decimal
    balance_due: Decimal
    settled_on: date
