"""The registry's own refusals, each with a stable snake_case ``code``. The categories
(``NotFound``, ``InvalidState``, ``RuleViolation``, ...) are the kernel's, re-exported here
for the registry's modules; the API maps a category to an HTTP status (api/errors.py)."""

from __future__ import annotations

from kernel.errors import (
    DomainError,
    InvalidState,
    InvalidValue,
    NotFound,
    RuleViolation,
    VersionMismatch,
)

__all__ = [
    "AmountMismatch",
    "AppraisalRequired",
    "DomainError",
    "InvalidState",
    "InvalidValue",
    "NotFound",
    "RuleViolation",
    "TermExceedsProtection",
    "VersionMismatch",
]


class AppraisalRequired(RuleViolation):
    code = "appraisal_required"


class AmountMismatch(RuleViolation):
    code = "amount_mismatch"


class TermExceedsProtection(InvalidValue):
    code = "term_exceeds_protection"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="maturity_date")
