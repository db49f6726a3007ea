"""Value objects that events carry: the typed shapes of the registry's permanent record.

Each is a frozen dataclass, compared by value. Their field names and types ARE the stored
event contract (see docs/events.md): renaming a field here changes what is written forever,
so it takes a ``class_version`` bump and an upcaster (tests/events catches a silent change).
Collections inside a value object are tuples (immutable); money is ``Decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Party:
    """A legal person: name and unified social credit code."""

    name: str
    credit_code: str


@dataclass(frozen=True)
class Item:
    """One IP right in a pledge, by kind and canonical number."""

    kind: str
    number: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.number)


@dataclass(frozen=True)
class Consent:
    """A co-owner's consent to the pledge: who (credit code) and the consent document."""

    credit_code: str
    reference: str


@dataclass(frozen=True)
class Loan:
    """The secured loan: contract number, principal (CNY) and term."""

    contract_number: str
    principal: Decimal
    start_date: date
    maturity_date: date


@dataclass(frozen=True)
class Valuation:
    """The collateral's value (CNY), how it was established and by whom (appraisals)."""

    amount: Decimal
    method: str
    appraiser: str | None = None


@dataclass(frozen=True)
class RiskCompensation:
    """Enrolment in a risk-compensation fund that bears ``share`` of a loss."""

    fund_id: str
    share: Decimal


@dataclass(frozen=True)
class Encumbrance:
    """The registered pledge that holds an IP right."""

    pledge_id: str
    registration_number: str
    pledgee: str


@dataclass(frozen=True)
class RefusalReason:
    """One ground on which a filing was refused (``item`` None: the filing as a whole)."""

    code: str
    item: Item | None
    detail: str


@dataclass(frozen=True)
class AnnuityPayment:
    """Patent annual fees prepaid for ``item``, fee years ``from_year``..``through_year``."""

    through_year: int
    amount: Decimal
    paid_on: date
    receipt_number: str
    item: Item
    from_year: int


@dataclass(frozen=True)
class FeePrepayment:
    """The bank's order to prepay a pledged patent's fees through ``through_year``."""

    item: Item
    through_year: int
    amount: Decimal
    paid_on: date
    receipt_number: str

    def recorded(self, from_year: int) -> AnnuityPayment:
        return AnnuityPayment(
            through_year=self.through_year,
            amount=self.amount,
            paid_on=self.paid_on,
            receipt_number=self.receipt_number,
            item=self.item,
            from_year=from_year,
        )


@dataclass(frozen=True)
class LoanAmendment:
    """What an amendment changes; a field left None is not changed."""

    secured_amount: Decimal | None = None
    maturity_date: date | None = None
    loan_contract_number: str | None = None

    @property
    def is_empty(self) -> bool:
        return not self.changed()

    def changed(self) -> dict[str, object]:
        return {name: value for name, value in vars(self).items() if value is not None}


@dataclass(frozen=True)
class PledgeRelease:
    """When and why a pledge was released (pledge state, not stored)."""

    released_on: date
    reason: str


@dataclass(frozen=True)
class DefaultDeclaration:
    """When the loan was declared in default and what was then outstanding (pledge state)."""

    declared_on: date
    outstanding_amount: Decimal


@dataclass(frozen=True)
class Licence:
    """A reverse licence's licensee and terms."""

    licensee: Party
    terms: str
    term_years: int | None = None


@dataclass(frozen=True)
class Settlement:
    """A settled disposal: who acquired the collateral, how, and where the money went."""

    buyer: Party
    via: str
    proceeds: Decimal
    costs: Decimal
    recovery: Decimal
    surplus_to_pledgor: Decimal
    settled_on: date


@dataclass(frozen=True, kw_only=True)
class RegisterEntry:
    """A register entry's fields, as the IP office keeps them."""

    title: str
    holders: tuple[Party, ...]
    filing_date: date
    grant_date: date | None = None
    status: str
    annuity_paid_through_year: int | None = None
    valid_until: date | None = None
    dispute_hold: bool = False
    invalidation_pending: bool = False

    @property
    def holder_codes(self) -> set[str]:
        return {h.credit_code for h in self.holders}


class Unchanged(Enum):
    """Marks a register field an update leaves as it is (None is a value: a date removed)."""

    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED


@dataclass(frozen=True)
class RegisterChanges:
    """The register fields an update changed, with their new values; the rest UNCHANGED."""

    title: str | Unchanged = UNCHANGED
    holders: tuple[Party, ...] | Unchanged = UNCHANGED
    filing_date: date | Unchanged = UNCHANGED
    grant_date: date | None | Unchanged = UNCHANGED
    status: str | Unchanged = UNCHANGED
    annuity_paid_through_year: int | None | Unchanged = UNCHANGED
    valid_until: date | None | Unchanged = UNCHANGED
    dispute_hold: bool | Unchanged = UNCHANGED
    invalidation_pending: bool | Unchanged = UNCHANGED

    def changed(self) -> dict[str, object]:
        """Only the changed fields, by name (what projections and the envelope show)."""
        return {name: value for name, value in vars(self).items() if value is not UNCHANGED}

    def applied_to(self, entry: RegisterEntry) -> RegisterEntry:
        """``entry`` with these changes made."""
        return RegisterEntry(
            title=_pick(self.title, entry.title),
            holders=_pick(self.holders, entry.holders),
            filing_date=_pick(self.filing_date, entry.filing_date),
            grant_date=_pick(self.grant_date, entry.grant_date),
            status=_pick(self.status, entry.status),
            annuity_paid_through_year=_pick(
                self.annuity_paid_through_year, entry.annuity_paid_through_year
            ),
            valid_until=_pick(self.valid_until, entry.valid_until),
            dispute_hold=_pick(self.dispute_hold, entry.dispute_hold),
            invalidation_pending=_pick(self.invalidation_pending, entry.invalidation_pending),
        )


def _pick(new: T | Unchanged, old: T) -> T:
    return old if isinstance(new, Unchanged) else new
