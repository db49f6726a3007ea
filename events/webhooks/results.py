"""Recording one attempt: once per claim, in one transaction, whoever holds the lease by then.

Every send is written to the attempt history, numbered by an atomic increment of the
delivery's ``attempts``, so two sends of one delivery (a lease lapsed mid-send and another
dispatcher claimed it) are both kept, never one twice and never under one number. Only the
holder of the current claim moves the delivery on (delivered, next retry, failed) and judges
the endpoint; a superseded claim's send is history, the newer claim's outcome decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from events.tables import webhook_attempts, webhook_deliveries, webhook_endpoints
from events.webhooks.retries import RETRY_AFTER, retry_delay
from events.webhooks.transport import Reply

DISABLE_AFTER_FAILED_DELIVERIES = 5


@dataclass(frozen=True)
class Outcome:
    reply: Reply
    started: datetime  # wall clock
    finished: datetime  # wall clock
    timestamp: int  # the webhook-timestamp signed

    @property
    def ok(self) -> bool:
        return self.reply.status is not None and 200 <= self.reply.status < 300


def record(conn: Connection, head: Any, token: str, outcome: Outcome) -> int:
    """Writes one attempt of ``head`` made under claim ``token``; returns its number."""
    d = webhook_deliveries.c
    conn.execute(update(webhook_deliveries).where(d.id == head.id).values(attempts=d.attempts + 1))
    row = conn.execute(select(d.attempts, d.lease_owner).where(d.id == head.id)).one()
    reply = outcome.reply
    conn.execute(
        webhook_attempts.insert().values(
            delivery_id=head.id,
            attempt=row.attempts,
            sent_at=outcome.started,
            webhook_timestamp=outcome.timestamp,
            duration_ms=int((outcome.finished - outcome.started).total_seconds() * 1000),
            status_code=reply.status,
            error=reply.error,
        )
    )
    if row.lease_owner == token:
        _move_on(conn, head, row.attempts, outcome)
    return int(row.attempts)


def _move_on(conn: Connection, head: Any, attempt_no: int, outcome: Outcome) -> None:
    d, e = webhook_deliveries.c, webhook_endpoints.c
    reply, now = outcome.reply, outcome.finished
    values: dict[str, Any] = {
        "last_status": reply.status,
        "last_error": reply.error,
        "leased_until": None,
        "lease_owner": None,
    }
    failures: Any = None  # the endpoint's new consecutive_failures, if it changes
    disable: str | None = None
    if outcome.ok:
        values.update(status="delivered", delivered_at=now)
        failures = 0
    elif reply.status == 410:
        values["next_attempt_at"] = now  # waits, first in line, for the endpoint's re-enabling
        disable = "the receiver answered 410 Gone"
    elif attempt_no > len(RETRY_AFTER):
        values["status"] = "failed"
        failures = e.consecutive_failures + 1
    else:
        values["next_attempt_at"] = now + retry_delay(
            attempt_no, reply.status, reply.retry_after, now
        )
    conn.execute(update(webhook_deliveries).where(d.id == head.id).values(**values))
    endpoint = update(webhook_endpoints).where(e.id == head.endpoint_id)
    if failures is not None:
        conn.execute(endpoint.values(consecutive_failures=failures))
    if values.get("status") == "failed":
        limit = e.consecutive_failures >= DISABLE_AFTER_FAILED_DELIVERIES
        disable = "5 consecutive deliveries failed"
        endpoint = endpoint.where(limit)
    if disable is not None:
        # Only an enabled endpoint: a deleted one stays deleted, a revoked one keeps its reason.
        conn.execute(
            endpoint.where(e.status == "enabled").values(status="disabled", disabled_reason=disable)
        )
