"""Typed domain errors. Each carries a stable snake_case ``code``; the API maps the
error *category* (the base class) to an HTTP status in one place (api/errors.py)."""

from __future__ import annotations


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class RuleViolation(DomainError):
    """The command is well-formed but breaks a business rule (422)."""

    code = "rule_violation"


class InvalidValue(RuleViolation):
    """A single field value is malformed (number, credit code, ...)."""

    code = "validation_error"

    def __init__(self, detail: str, field: str = "") -> None:
        super().__init__(detail)
        self.field = field


class InvalidState(DomainError):
    """The command is not allowed in the resource's current state (409)."""

    code = "invalid_state"


class NotFound(DomainError):
    code = "not_found"


class VersionMismatch(DomainError):
    code = "version_mismatch"


class AppraisalRequired(RuleViolation):
    code = "appraisal_required"


class AmountMismatch(RuleViolation):
    code = "amount_mismatch"


class TermExceedsProtection(InvalidValue):
    code = "term_exceeds_protection"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="maturity_date")
