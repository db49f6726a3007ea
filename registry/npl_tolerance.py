"""The IP-pledge NPL ratio and its tolerance (contract §9): a bank's IP-pledge NPL ratio may
exceed its reported overall NPL ratio by at most 3 percentage points."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NPL_TOLERANCE = Decimal("0.03")  # 3 percentage points
RATIO_PLACES = Decimal("0.0001")  # ratios are published, and compared, to 4 decimals


def ip_pledge_npl_ratio(defaulted_outstanding: Decimal, live_secured: Decimal) -> Decimal | None:
    """Outstanding of the bank's pledges in default / secured amount of its live pledges;
    None when it has no live pledge."""
    if not live_secured:
        return None
    return (defaulted_outstanding / live_secured).quantize(RATIO_PLACES, ROUND_HALF_UP)


def within_npl_tolerance(ip_pledge_ratio: Decimal, overall_ratio: Decimal) -> bool:
    """Compared as published: the 4-decimal ratio against the bank's own figure."""
    return ip_pledge_ratio <= overall_ratio + NPL_TOLERANCE
