"""Disposal rule violations, each with a stable code."""

from __future__ import annotations

from registry.business_dates import DateInFuture, DateOutOfOrder
from registry.errors import RuleViolation

__all__ = [
    "ApprovalRequired",
    "BuyerWithoutIntention",
    "DateInFuture",
    "DateOutOfOrder",
    "DeadlinePassed",
    "NotEnrolled",
    "PriceBelowAsking",
    "RouteMismatch",
]


class ApprovalRequired(RuleViolation):
    code = "approval_required"


class PriceBelowAsking(RuleViolation):
    code = "price_below_asking"


class BuyerWithoutIntention(RuleViolation):
    code = "buyer_without_intention"


class DeadlinePassed(RuleViolation):
    code = "deadline_passed"


class RouteMismatch(RuleViolation):
    code = "route_mismatch"


class NotEnrolled(RuleViolation):
    code = "not_enrolled"
