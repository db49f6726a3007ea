"""Disposal rule violations, each with a stable code."""

from __future__ import annotations

from registry.errors import RuleViolation


class ApprovalRequired(RuleViolation):
    code = "approval_required"


class PriceBelowAsking(RuleViolation):
    code = "price_below_asking"


class BuyerWithoutIntention(RuleViolation):
    code = "buyer_without_intention"


class DeadlinePassed(RuleViolation):
    code = "deadline_passed"


class DateOutOfOrder(RuleViolation):
    code = "date_out_of_order"


class RouteMismatch(RuleViolation):
    code = "route_mismatch"


class NotEnrolled(RuleViolation):
    code = "not_enrolled"
