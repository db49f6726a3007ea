"""The error categories. Each package raises its own subclasses (with a stable snake_case
``code``); the API maps a category (the base class) to an HTTP status in one place
(api/errors.py), so a package never needs to know about HTTP."""

from __future__ import annotations


class DomainError(Exception):
    """A refused command: the caller's to fix, never a fault of the service (4xx)."""

    code = "domain_error"

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class RuleViolation(DomainError):
    """The command is well-formed but breaks a business rule (422)."""

    code = "rule_violation"


class InvalidValue(RuleViolation):
    """A single field value is malformed (number, credit code, URL, ...)."""

    code = "validation_error"

    def __init__(self, detail: str, field: str = "") -> None:
        super().__init__(detail)
        self.field = field


class NotFound(DomainError):
    """No such resource, or not one the caller may see (404)."""

    code = "not_found"


class Conflict(DomainError):
    """The command clashes with the resource's current state (409)."""

    code = "conflict"


class InvalidState(Conflict):
    """The command is not allowed in the resource's current state (409)."""

    code = "invalid_state"


class ConcurrencyConflict(Conflict):
    """Retried often and still conflicting: the caller may try again (409)."""

    code = "concurrency_conflict"


class VersionMismatch(DomainError):
    """If-Match named a version the resource is no longer at (412)."""

    code = "version_mismatch"
