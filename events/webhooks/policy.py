"""What one attempt's answer means for its delivery and its endpoint (contract §10), decided
without I/O: events/webhooks/results.py reads the inputs and writes the decision.

- a 2xx delivers it, and the endpoint's run of failed deliveries starts again at 0;
- a 410 Gone disables the endpoint; the delivery waits, first in line, for its re-enabling;
- any other failure is retried on the Standard Webhooks schedule (or a receiver's Retry-After);
- once the schedule is used up the delivery has failed, and the endpoint's 5th failed delivery
  in a row disables it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from events.webhooks.retries import RETRY_AFTER, retry_delay

DISABLE_AFTER_FAILED_DELIVERIES = 5
GONE_REASON = "the receiver answered 410 Gone"
FAILURES_REASON = f"{DISABLE_AFTER_FAILED_DELIVERIES} consecutive deliveries failed"


@dataclass(frozen=True)
class Delivered:
    at: datetime


@dataclass(frozen=True)
class RetryAt:
    at: datetime


@dataclass(frozen=True)
class Gone:
    """The endpoint is disabled; the delivery is due at once, for when it is re-enabled."""

    at: datetime
    reason: str = GONE_REASON


@dataclass(frozen=True)
class Failed:
    """The delivery is given up; the endpoint counts one more failure, maybe its last."""

    consecutive_failures: int
    disable: str | None = None


Decision = Delivered | RetryAt | Gone | Failed


def after_attempt(
    status: int | None,
    retry_after: str | None,
    attempt_no: int,
    consecutive_failures: int,
    now: datetime,
) -> Decision:
    """The decision after attempt number ``attempt_no`` (1-based) of a delivery answered
    ``status`` (None: no HTTP answer), its endpoint having ``consecutive_failures`` failed
    deliveries in a row before this one."""
    if status is not None and 200 <= status < 300:
        return Delivered(now)
    if status == 410:
        return Gone(now)
    if attempt_no > len(RETRY_AFTER):
        failures = consecutive_failures + 1
        disable = FAILURES_REASON if failures >= DISABLE_AFTER_FAILED_DELIVERIES else None
        return Failed(failures, disable)
    return RetryAt(now + retry_delay(attempt_no, status, retry_after, now))
