"""Who may see what (contract §2). Unseen records answer 404, never 403: existence stays hidden."""

from __future__ import annotations

from typing import Any

from registry.actors import Actor

SEE_EVERYTHING = ("regulator", "ip_office", "admin")


def can_see_pledge(actor: Actor, pledge: Any) -> bool:
    if actor.role in SEE_EVERYTHING:
        return True
    if actor.role in ("bank", "partner"):  # a partner acts for its own institution's records
        return bool(pledge.pledgee == actor.institution_id)
    if actor.role == "compensation_fund":
        compensation = pledge.filing.risk_compensation
        return compensation is not None and bool(compensation.fund_id == actor.institution_id)
    return False


def can_see_disposal(actor: Actor, disposal: Any) -> bool:
    if actor.role in SEE_EVERYTHING or actor.role == "trading_centre":
        return True
    return actor.role in ("bank", "partner") and disposal.pledgee == actor.institution_id


BUYBACK_STATUSES = ("buyback_pending", "bought_back")


def can_see_listing(actor: Actor, listing: Any) -> bool:
    if actor.role == "disposal_platform":
        return listing.status in BUYBACK_STATUSES
    return can_see_disposal(actor, listing)


def can_see_claim(actor: Actor, claim: Any) -> bool:
    if actor.role in SEE_EVERYTHING:
        return True
    if actor.role == "compensation_fund":
        return bool(claim.fund_id == actor.institution_id)
    return actor.role in ("bank", "partner") and claim.pledgee == actor.institution_id
