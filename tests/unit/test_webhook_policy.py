"""What an attempt's answer does to its delivery and endpoint (contract §10), decided without
I/O (events/webhooks/policy.py): a table of answers, attempt numbers and failure runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from events.webhooks.policy import (
    Decision,
    Delivered,
    Failed,
    Gone,
    RetryAt,
    after_attempt,
)

NOW = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
LAST_ATTEMPT = 10  # the first try and 9 scheduled retries
DISABLED = "5 consecutive deliveries failed"


@pytest.mark.parametrize(
    ("status", "retry_after", "attempt_no", "failures", "expected"),
    [
        # 2xx: delivered, whatever came before
        (200, None, 1, 0, Delivered(NOW)),
        (204, None, 7, 4, Delivered(NOW)),
        (299, "60", LAST_ATTEMPT, 4, Delivered(NOW)),
        # 410 Gone: the endpoint is disabled at once, even on the last attempt
        (410, None, 1, 0, Gone(NOW)),
        (410, None, LAST_ATTEMPT, 4, Gone(NOW)),
        # other failures: retried on the schedule
        (500, None, 1, 0, RetryAt(NOW + timedelta(seconds=5))),
        (None, None, 2, 0, RetryAt(NOW + timedelta(minutes=5))),
        (302, None, 3, 3, RetryAt(NOW + timedelta(minutes=30))),
        (404, None, 9, 4, RetryAt(NOW + timedelta(hours=24))),
        (199, None, 1, 0, RetryAt(NOW + timedelta(seconds=5))),
        (300, None, 1, 0, RetryAt(NOW + timedelta(seconds=5))),
        # Retry-After is honoured on 429 and 503 only
        (429, "120", 1, 0, RetryAt(NOW + timedelta(minutes=2))),
        (503, "120", 4, 0, RetryAt(NOW + timedelta(minutes=2))),
        (500, "120", 1, 0, RetryAt(NOW + timedelta(seconds=5))),
        # the schedule used up: failed; the 5th failed delivery in a row disables the endpoint
        (500, None, LAST_ATTEMPT, 0, Failed(1)),
        (None, None, LAST_ATTEMPT, 3, Failed(4)),
        (503, "1", LAST_ATTEMPT, 4, Failed(5, DISABLED)),
        (500, None, LAST_ATTEMPT, 9, Failed(10, DISABLED)),
    ],
)
def test_an_attempts_answer_decides_what_happens_next(
    status: int | None,
    retry_after: str | None,
    attempt_no: int,
    failures: int,
    expected: Decision,
) -> None:
    assert after_attempt(status, retry_after, attempt_no, failures, NOW) == expected


def test_a_410_gives_the_reason_the_endpoint_shows() -> None:
    decision = after_attempt(410, None, 1, 0, NOW)
    assert isinstance(decision, Gone)
    assert decision.reason == "the receiver answered 410 Gone"


def test_a_failure_short_of_the_limit_leaves_the_endpoint_enabled() -> None:
    decision = after_attempt(500, None, LAST_ATTEMPT, 3, NOW)
    assert decision == Failed(4, disable=None)
