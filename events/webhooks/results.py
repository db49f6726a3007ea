"""Recording one attempt: once per claim, in one transaction, whoever holds the lease by then.

Every send is written to the attempt history, numbered by an atomic increment of the
delivery's ``attempts``, so two sends of one delivery (a lease lapsed mid-send and another
dispatcher claimed it) are both kept, never one twice and never under one number. Only the
holder of the current claim moves the delivery on (delivered, next retry, failed) and judges
the endpoint; a superseded claim's send is history, the newer claim's outcome decides. What
the outcome means is decided without I/O in events/webhooks/policy.py; this module writes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from events.tables import webhook_attempts, webhook_deliveries, webhook_endpoints
from events.webhooks.policy import Decision, Delivered, Failed, Gone, RetryAt, after_attempt
from events.webhooks.transport import Reply


@dataclass(frozen=True)
class Outcome:
    reply: Reply
    started: datetime  # wall clock
    finished: datetime  # wall clock
    timestamp: int  # the webhook-timestamp signed


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
    e = webhook_endpoints.c
    # Locked: the endpoint's run of failures is read, judged and written in one step.
    failures = conn.execute(
        select(e.consecutive_failures).where(e.id == head.endpoint_id).with_for_update()
    ).scalar_one()
    reply = outcome.reply
    decision = after_attempt(
        reply.status, reply.retry_after, attempt_no, failures, outcome.finished
    )
    _apply(conn, head, reply, decision)


def _apply(conn: Connection, head: Any, reply: Reply, decision: Decision) -> None:
    d, e = webhook_deliveries.c, webhook_endpoints.c
    delivery: dict[str, Any] = {
        "last_status": reply.status,
        "last_error": reply.error,
        "leased_until": None,
        "lease_owner": None,
    }
    endpoint: dict[str, Any] = {}
    disable: str | None = None
    match decision:
        case Delivered(at=at):
            delivery.update(status="delivered", delivered_at=at)
            endpoint["consecutive_failures"] = 0
        case RetryAt(at=at):
            delivery["next_attempt_at"] = at
        case Gone(at=at, reason=reason):
            delivery["next_attempt_at"] = at
            disable = reason
        case Failed(consecutive_failures=failures, disable=reason):
            delivery["status"] = "failed"
            endpoint["consecutive_failures"] = failures
            disable = reason
    conn.execute(update(webhook_deliveries).where(d.id == head.id).values(**delivery))
    this_endpoint = update(webhook_endpoints).where(e.id == head.endpoint_id)
    if endpoint:
        conn.execute(this_endpoint.values(**endpoint))
    if disable is not None:
        # Only an enabled endpoint: a deleted one stays deleted, a revoked one keeps its reason.
        conn.execute(
            this_endpoint.where(e.status == "enabled").values(
                status="disabled", disabled_reason=disable
            )
        )
