"""A pledge filing as the bank submits it, and the rules it must meet before examination."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from registry.business_dates import check_in_range
from registry.errors import AppraisalRequired, InvalidValue
from registry.values import Consent, Item, Loan, Party, RiskCompensation, Valuation

MAX_ITEMS = 50
# Jiangsu rule: below this, the bank's own or a negotiated valuation is enough.
APPRAISAL_THRESHOLD = Decimal("10000000.00")
VALUATION_METHODS = ("internal", "appraisal", "negotiated")


def item_key(item: Item) -> tuple[str, str]:
    return item.key


@dataclass(frozen=True)
class Filing:
    """What the bank files: stored whole in ``pledge.registered`` / ``pledge.refused``."""

    pledgor: Party
    debtor: Party
    co_owner_consents: tuple[Consent, ...]
    loan: Loan
    secured_amount: Decimal
    items: tuple[Item, ...]
    valuation: Valuation
    risk_compensation: RiskCompensation | None = None

    @property
    def consenting_codes(self) -> set[str]:
        return {c.credit_code for c in self.co_owner_consents}

    def check(self) -> None:
        """Rules that need no register: raise on the first broken one."""
        check_items(self.items)
        check_loan_dates(self.loan.start_date, self.loan.maturity_date)
        check_valuation(self.secured_amount, self.valuation.method)
        if self.risk_compensation is not None:
            check_share(self.risk_compensation.share)


def check_items(items: Iterable[Item]) -> None:
    items = list(items)
    if not 1 <= len(items) <= MAX_ITEMS:
        raise InvalidValue(f"a pledge has 1 to {MAX_ITEMS} items", field="items")
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(items):
        if item.key in seen:
            raise InvalidValue(
                f"{item.kind} {item.number} is listed twice", field=f"items[{index}]"
            )
        seen.add(item.key)


def check_loan_dates(start: date, maturity: date, field: str = "loan.maturity_date") -> None:
    """A loan's dates lie in the registry's date range, maturity after start."""
    check_in_range(start, "loan.start_date")
    check_in_range(maturity, field)
    if maturity <= start:
        raise InvalidValue("maturity_date must be after start_date", field=field)


def check_valuation(secured_amount: Decimal, method: str) -> None:
    if method != "appraisal" and secured_amount >= APPRAISAL_THRESHOLD:
        raise AppraisalRequired(
            f"a secured amount of {APPRAISAL_THRESHOLD} CNY or more needs an appraisal "
            f"(valuation.method 'appraisal'), not '{method}'"
        )


def check_share(share: Decimal) -> None:
    if not Decimal(0) < share < Decimal(1):
        raise InvalidValue("share must be between 0 and 1", field="risk_compensation.share")
