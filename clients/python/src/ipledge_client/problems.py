"""RFC 9457 problems raised as exceptions, one class per stable `code` the API documents."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class ProblemError(Exception):
    """An answer with status >= 400. ``code`` is the problem's stable snake_case code; an answer
    that is not a problem document (a proxy's HTML page, say) gets ``http_<status>``."""

    code_name: ClassVar[str | None] = None

    def __init__(self, status: int, body: dict[str, Any], headers: httpx.Headers) -> None:
        self.status = status
        self.body = body
        self.headers = headers
        self.code: str = str(body.get("code") or f"http_{status}")
        self.title: str = str(body.get("title") or "")
        self.detail: str = str(body.get("detail") or "")
        self.errors = [
            FieldError(str(e.get("field", "")), str(e.get("message", "")))
            for e in body.get("errors") or []
            if isinstance(e, dict)
        ]
        super().__init__(f"{status} {self.code}: {self.detail}")


class ValidationProblem(ProblemError):
    code_name = "validation_error"


class Unauthenticated(ProblemError):
    code_name = "unauthenticated"


class Forbidden(ProblemError):
    code_name = "forbidden"


class NotFound(ProblemError):
    code_name = "not_found"


class InvalidState(ProblemError):
    code_name = "invalid_state"


class VersionMismatch(ProblemError):
    """412: the If-Match value is stale; read the resource again and retry."""

    code_name = "version_mismatch"


class ConcurrencyConflict(ProblemError):
    code_name = "concurrency_conflict"


class IdempotencyKeyReused(ProblemError):
    """The same Idempotency-Key was sent before with a different body."""

    code_name = "idempotency_key_reused"


class IdempotencyKeyInFlight(ProblemError):
    code_name = "idempotency_key_in_flight"


class RateLimited(ProblemError):
    code_name = "rate_limited"


class ProjectionLagging(ProblemError):
    code_name = "projection_lagging"


class AmountMismatch(ProblemError):
    """An annuity prepayment's amount differs from the computed sum; see ``body["expected"]``."""

    code_name = "amount_mismatch"


class AppraisalRequired(ProblemError):
    code_name = "appraisal_required"


class ApprovalRequired(ProblemError):
    code_name = "approval_required"


class DateProblem(ProblemError):
    """Any ``date_*`` code: a business date after today or before the record it follows."""


PROBLEM_CLASSES: dict[str, type[ProblemError]] = {
    cls.code_name: cls
    for cls in (
        ValidationProblem,
        Unauthenticated,
        Forbidden,
        NotFound,
        InvalidState,
        VersionMismatch,
        ConcurrencyConflict,
        IdempotencyKeyReused,
        IdempotencyKeyInFlight,
        RateLimited,
        ProjectionLagging,
        AmountMismatch,
        AppraisalRequired,
        ApprovalRequired,
    )
    if cls.code_name
}


def problem_from(response: httpx.Response) -> ProblemError:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        body = {"detail": response.text[:500]}
    code = str(body.get("code") or "")
    cls = PROBLEM_CLASSES.get(code) or (DateProblem if code.startswith("date_") else ProblemError)
    return cls(response.status_code, body, response.headers)
