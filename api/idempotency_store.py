"""Idempotency records (contract §1): one row per (principal, key), kept 24 hours.

Their times are transport time, from the wall clock in every clock mode (like webhook retries):
a key's 24 hours are the client's, not the business (possibly manual) clock's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError

from events.clock import Clock
from events.database import Database
from events.tables import idempotency_keys as keys

RETENTION = timedelta(hours=24)
# A request still "in flight" this long after it started died with its process.
STALE_IN_FLIGHT = timedelta(minutes=5)
PURGE_BATCH = 500
PURGE_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Stored:
    request_hash: str
    state: str
    status_code: int | None
    headers: dict[str, str]
    body: str | None
    created_at: datetime


class IdempotencyStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def claim(self, principal_id: str, key: str, request_hash: str, now: datetime) -> Stored | None:
        """Marks the key in flight and returns None, or returns the record already there."""
        now = now.astimezone(UTC)  # SQLite keeps no offset: every stored instant is UTC
        with self.db.write() as conn:
            existing = self._get(conn, principal_id, key)
            if existing is not None and not self._expired(existing, now):
                return existing
            if existing is not None:
                conn.execute(
                    delete(keys).where(keys.c.principal_id == principal_id, keys.c.key == key)
                )
            try:
                conn.execute(
                    insert(keys).values(
                        principal_id=principal_id,
                        key=key,
                        request_hash=request_hash,
                        state="in_flight",
                        created_at=now,
                        expires_at=now + RETENTION,
                    )
                )
            except IntegrityError:  # a concurrent claim won (PostgreSQL; SQLite serialises)
                return Stored(request_hash, "in_flight", None, {}, None, now)
        return None

    def complete(
        self, principal_id: str, key: str, status: int, headers: dict[str, str], body: str
    ) -> None:
        with self.db.write() as conn:
            conn.execute(
                update(keys)
                .where(keys.c.principal_id == principal_id, keys.c.key == key)
                .values(state="done", status_code=status, headers=headers, body=body)
            )

    def release(self, principal_id: str, key: str) -> None:
        """Forgets a claim whose request failed on our side, so the client may retry."""
        with self.db.write() as conn:
            conn.execute(delete(keys).where(keys.c.principal_id == principal_id, keys.c.key == key))

    def purge_expired(self, now: datetime, limit: int = PURGE_BATCH) -> int:
        """Deletes up to ``limit`` records past their 24 hours; returns how many."""
        now = now.astimezone(UTC)
        expired = select(keys.c.principal_id, keys.c.key).where(keys.c.expires_at <= now)
        doomed = tuple_(keys.c.principal_id, keys.c.key).in_(expired.limit(limit))
        with self.db.write() as conn:
            return conn.execute(delete(keys).where(doomed)).rowcount

    @staticmethod
    def _get(conn: Any, principal_id: str, key: str) -> Stored | None:
        row = conn.execute(
            select(keys).where(keys.c.principal_id == principal_id, keys.c.key == key)
        ).first()
        if row is None:
            return None
        r = row._mapping
        created = r["created_at"]
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        return Stored(
            r["request_hash"], r["state"], r["status_code"], r["headers"] or {}, r["body"], created
        )

    @staticmethod
    def _expired(stored: Stored, now: datetime) -> bool:
        if now - stored.created_at >= RETENTION:
            return True
        return stored.state == "in_flight" and now - stored.created_at >= STALE_IN_FLIGHT


class ExpiredKeysPurge:
    """A worker step: purges expired records in bounded batches, one transaction each; looks
    again at once while batches come back full, otherwise after PURGE_EVERY."""

    def __init__(self, store: IdempotencyStore, wall_clock: Clock) -> None:
        self.store = store
        self.wall_clock = wall_clock
        self._next_look: datetime | None = None

    def __call__(self) -> int:
        now = self.wall_clock.now()
        if self._next_look is not None and now < self._next_look:
            return 0
        purged = self.store.purge_expired(now)
        self._next_look = None if purged == PURGE_BATCH else now + PURGE_EVERY
        return purged
