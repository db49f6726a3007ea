"""Who may see what (SPEC §2). Unseen records answer 404, never 403: existence is not revealed."""

from __future__ import annotations

from typing import Any

from registry.actors import Actor

SEE_EVERYTHING = ("regulator", "ip_office", "admin")


def can_see_pledge(actor: Actor, pledge: Any) -> bool:
    if actor.role in SEE_EVERYTHING:
        return True
    if actor.role == "bank":
        return bool(pledge.pledgee == actor.institution_id)
    if actor.role == "compensation_fund":
        compensation = pledge.filing.get("risk_compensation") or {}
        return bool(compensation.get("fund_id") == actor.institution_id)
    return False
