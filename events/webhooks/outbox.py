"""Each endpoint's outbox: deliveries for every visible, subscribed event after its cursor.

Filled by one INSERT ... SELECT over the audience read model, and the endpoint's cursor
(``scanned_position``) advances in the same transaction with a compare-and-set, so two
dispatchers never enqueue an event twice and a crash never skips one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, false, literal, select, true, update

from events.tables import event_audience, principals, webhook_deliveries, webhook_endpoints
from events.webhooks.audience import visible_to


def subscribed(event_types: list[str]) -> Any:
    if "*" in event_types:
        return true()
    return event_audience.c.event_type.in_(event_types) if event_types else false()


def enqueue(
    conn: Connection, endpoint: Any, after: int, until: int, now: datetime, replay: bool
) -> int:
    """Adds deliveries for positions in (after, until]; returns how many."""
    a = event_audience.c
    rows = (
        select(
            literal(endpoint.id).label("endpoint_id"),
            a.position,
            a.event_id,
            a.event_type,
            literal("pending").label("status"),
            literal(0).label("attempts"),
            literal(now).label("next_attempt_at"),
            literal(now).label("created_at"),
            literal(replay).label("replay"),
        )
        .where(
            a.position > after,
            a.position <= until,
            visible_to(endpoint.role, endpoint.institution_id),
            subscribed(endpoint.event_types),
        )
        .order_by(a.position)
    )
    columns = [
        "endpoint_id",
        "position",
        "event_id",
        "event_type",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
        "replay",
    ]
    # SQLAlchemy keeps an INSERT's rowcount only when asked (psycopg otherwise reports -1).
    statement = webhook_deliveries.insert().from_select(columns, rows)
    result = conn.execute(statement.execution_options(preserve_rowcount=True))
    return result.rowcount or 0


def fill(conn: Connection, endpoint: Any, until: int, now: datetime) -> int:
    """Advances one endpoint's outbox to ``until``; 0 if another dispatcher got there first."""
    if endpoint.scanned_position >= until:
        return 0
    moved = conn.execute(
        update(webhook_endpoints)
        .where(
            webhook_endpoints.c.id == endpoint.id,
            webhook_endpoints.c.scanned_position == endpoint.scanned_position,
        )
        .values(scanned_position=until)
    ).rowcount
    if moved != 1:
        return 0
    return enqueue(conn, endpoint, endpoint.scanned_position, until, now, replay=False)


def live_endpoints(conn: Connection) -> list[Any]:
    """Endpoints whose outbox keeps filling: not deleted (a disabled one queues for its
    re-enabling), and not of a revoked principal (it can never be re-enabled)."""
    e, p = webhook_endpoints.c, principals.c
    return list(
        conn.execute(
            select(webhook_endpoints)
            .join(principals, p.id == e.principal_id)
            .where(e.status != "deleted", p.revoked_at.is_(None))
        )
    )
