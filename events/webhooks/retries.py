"""When to try a failed delivery again (contract §10): the Standard Webhooks schedule, and a
receiver's ``Retry-After`` on 429/503. All of it is transport time, on the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

# The wait after the 1st, 2nd, ... failed attempt.
RETRY_AFTER = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
]
MAX_RETRY_AFTER = timedelta(hours=24)


def retry_delay(
    attempt_no: int, status: int | None, retry_after: str | None, now: datetime
) -> timedelta:
    scheduled = RETRY_AFTER[attempt_no - 1]
    if status in (429, 503) and retry_after:
        asked = parse_retry_after(retry_after, now)
        if asked is not None:
            # Honoured, but never sooner than the first scheduled retry: a receiver answering
            # "Retry-After: 0" must not use up every attempt within a second.
            return min(max(asked, RETRY_AFTER[0]), MAX_RETRY_AFTER)
    return scheduled


def parse_retry_after(value: str, now: datetime) -> timedelta | None:
    """Retry-After as delay-seconds or an HTTP date (a date without a zone is read as UTC)."""
    value = value.strip()
    if value.isascii() and value.isdigit():
        # Capped before conversion: a huge number would overflow timedelta.
        return timedelta(seconds=min(int(value), int(MAX_RETRY_AFTER.total_seconds())))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return aware(when) - now


def aware(value: datetime | None) -> datetime:
    """SQLite returns stored UTC instants without their offset: put it back (None: long ago)."""
    if value is None:
        return datetime.min.replace(tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
