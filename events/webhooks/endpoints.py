"""Webhook endpoints: registration, secrets and rotation, re-enabling, replay, delivery log.

Their instants (created_at, the rotation overlap, replayed deliveries' due times) are transport
time, on the wall clock, like the dispatcher's (contract §10).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, desc, insert, select, update

from events.clock import Clock
from events.database import Database
from events.tables import principals, webhook_attempts, webhook_deliveries, webhook_endpoints
from events.webhooks import outbox
from events.webhooks.signing import new_secret
from events.webhooks.url_guard import TargetGuard
from kernel.errors import InvalidState, InvalidValue, NotFound
from registry.actors import Actor

ROTATION_OVERLAP = timedelta(hours=24)
# Deliveries, newest first, and the cursor of the next page (an alias out here: inside the
# class, ``list`` is the method).
DeliveryPage = tuple[list[dict[str, Any]], int | None]


class EndpointStore:
    def __init__(self, db: Database, guard: TargetGuard, wall: Clock) -> None:
        self.db = db
        self.guard = guard
        self.wall = wall

    def create(
        self,
        owner: Actor,
        url: str,
        event_types: list[str],
        description: str | None,
        log_end: int,
    ) -> tuple[dict[str, Any], str]:
        self.guard.check_url(url)
        if not event_types:
            raise InvalidValue(
                'subscribe to at least one event type, or ["*"]', field="event_types"
            )
        secret = new_secret()
        endpoint_id = str(uuid.uuid4())
        row = {
            "id": endpoint_id,
            "principal_id": owner.principal_id,
            "role": owner.role,
            "institution_id": owner.institution_id,
            "url": url,
            "event_types": sorted(set(event_types)),
            "description": description,
            "secret": secret,
            "status": "enabled",
            "consecutive_failures": 0,
            "scanned_position": log_end,
            "created_at": self.wall.now(),
        }
        with self.db.write() as conn:
            _lock_live_owner(conn, owner.principal_id)
            conn.execute(insert(webhook_endpoints).values(**row))
        return self.get(owner, endpoint_id), secret

    def list(self, owner: Actor) -> list[dict[str, Any]]:
        e = webhook_endpoints.c
        with self.db.read() as conn:
            rows = conn.execute(
                select(webhook_endpoints)
                .where(
                    e.principal_id == owner.principal_id,
                    e.status != "deleted",
                )
                .order_by(e.created_at, e.id)
            )
            return [public(r) for r in rows]

    def get(self, owner: Actor, endpoint_id: str) -> dict[str, Any]:
        return public(self._row(owner, endpoint_id))

    def _row(self, owner: Actor, endpoint_id: str) -> Any:
        e = webhook_endpoints.c
        with self.db.read() as conn:
            row = conn.execute(
                select(webhook_endpoints).where(
                    e.id == endpoint_id,
                    e.principal_id == owner.principal_id,
                    e.status != "deleted",
                )
            ).first()
        if row is None:
            raise NotFound(f"webhook endpoint {endpoint_id} not found")
        return row

    def _update(self, owner: Actor, endpoint_id: str, **values: Any) -> None:
        self._row(owner, endpoint_id)
        e = webhook_endpoints.c
        with self.db.write() as conn:
            conn.execute(
                update(webhook_endpoints)
                .where(e.id == endpoint_id, e.status != "deleted")
                .values(**values)
            )

    def _set(self, owner: Actor, endpoint_id: str, **values: Any) -> dict[str, Any]:
        self._update(owner, endpoint_id, **values)
        return self.get(owner, endpoint_id)

    def delete(self, owner: Actor, endpoint_id: str) -> None:
        # Not _set: a deleted endpoint is not found any more, so there is nothing to return.
        self._update(owner, endpoint_id, status="deleted")

    def enable(self, owner: Actor, endpoint_id: str) -> dict[str, Any]:
        self._row(owner, endpoint_id)
        e, p = webhook_endpoints.c, principals.c
        owner_live = select(p.id).where(p.id == e.principal_id, p.revoked_at.is_(None)).exists()
        with self.db.write() as conn:
            enabled = conn.execute(
                update(webhook_endpoints)
                .where(e.id == endpoint_id, e.status != "deleted", owner_live)
                .values(status="enabled", disabled_reason=None, consecutive_failures=0)
            ).rowcount
        if enabled != 1:
            self._row(owner, endpoint_id)  # not found if it was deleted meanwhile
            raise InvalidState("the endpoint's principal is revoked: it cannot be re-enabled")
        return self.get(owner, endpoint_id)

    def rotate(self, owner: Actor, endpoint_id: str) -> tuple[dict[str, Any], str]:
        """New secret; the old one keeps signing alongside it for 24 h (of real time)."""
        row = self._row(owner, endpoint_id)
        secret = new_secret()
        body = self._set(
            owner,
            endpoint_id,
            secret=secret,
            previous_secret=row.secret,
            previous_secret_until=self.wall.now() + ROTATION_OVERLAP,
        )
        return body, secret

    def replay(self, owner: Actor, endpoint_id: str, from_position: int) -> int:
        """Queues the endpoint's events again from ``from_position`` up to what its outbox
        has reached (newer ones arrive anyway); they keep their webhook-id."""
        row = self._row(owner, endpoint_id)
        with self.db.write() as conn:
            return outbox.enqueue(
                conn, row, from_position - 1, row.scanned_position, self.wall.now(), replay=True
            )

    def deliveries(
        self, owner: Actor, endpoint_id: str, limit: int, before: int | None
    ) -> DeliveryPage:
        self._row(owner, endpoint_id)
        d, a = webhook_deliveries.c, webhook_attempts.c
        query = select(webhook_deliveries).where(d.endpoint_id == endpoint_id)
        if before is not None:
            query = query.where(d.id < before)
        with self.db.read() as conn:
            rows = list(conn.execute(query.order_by(desc(d.id)).limit(limit + 1)))
            more = len(rows) > limit
            rows = rows[:limit]
            attempts: dict[int, list[dict[str, Any]]] = {}
            if rows:
                for att in conn.execute(
                    select(webhook_attempts)
                    .where(a.delivery_id.in_([r.id for r in rows]))
                    .order_by(a.attempt)
                ):
                    attempts.setdefault(att.delivery_id, []).append(
                        {
                            "attempt": att.attempt,
                            "sent_at": _utc(att.sent_at),
                            "webhook_timestamp": att.webhook_timestamp,
                            "duration_ms": att.duration_ms,
                            "status_code": att.status_code,
                            "error": att.error,
                        }
                    )
        items = [
            {
                "id": r.id,
                "position": r.position,
                "event_id": r.event_id,
                "event_type": r.event_type,
                "status": r.status,
                "attempts": r.attempts,
                "next_attempt_at": _utc(r.next_attempt_at) if r.status == "pending" else None,
                "delivered_at": _utc(r.delivered_at),
                "replay": r.replay,
                "attempt_history": attempts.get(r.id, []),
            }
            for r in rows
        ]
        return items, rows[-1].id if more else None


def _lock_live_owner(conn: Connection, principal_id: str) -> None:
    """Holds the owner's principal row until the new endpoint commits, so a revocation racing
    the registration either comes first (and refuses it here) or waits and disables it."""
    p = principals.c
    owner = conn.execute(select(p.revoked_at).where(p.id == principal_id).with_for_update()).first()
    if owner is None or owner.revoked_at is not None:
        raise InvalidState("the principal is revoked: it cannot register endpoints")


def public(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "url": row.url,
        "event_types": row.event_types,
        "description": row.description,
        "status": row.status,
        "disabled_reason": row.disabled_reason,
        "consecutive_failures": row.consecutive_failures,
        "created_at": _utc(row.created_at),
        "rotating_until": _utc(row.previous_secret_until) if row.previous_secret else None,
    }


def _utc(value: datetime | None) -> datetime | None:
    """SQLite returns the stored UTC instants without their offset: put it back."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
