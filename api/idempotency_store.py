"""Idempotency records (SPEC §1): one row per (principal, key), kept 24 hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from events.database import Database
from events.tables import idempotency_keys as keys

RETENTION = timedelta(hours=24)
# A request still "in flight" this long after it started died with its process.
STALE_IN_FLIGHT = timedelta(minutes=5)


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
