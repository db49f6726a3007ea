"""The console's server-side sessions.

The browser holds only a random session id (an HttpOnly cookie); the table keeps its SHA-256,
the principal, the CSRF token and two instants. A session ends after 30 idle minutes, 8 hours
after sign-in, at sign-out, and at once when its principal is revoked (every lookup joins the
live principal). Times come from the wall clock, not the registry's business clock: moving the
manual clock 180 days must not sign anyone out.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, or_, select, update

from api.principals import Principal, PrincipalStore
from events.database import Database
from events.tables import console_sessions, principals

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=8)
# Touch last_seen_at at most this often: one write per page view would be wasted I/O.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class ConsoleSession:
    principal: Principal
    csrf_token: str
    created_at: datetime


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _aware(instant: datetime, like: datetime) -> datetime:
    """SQLite gives naive datetimes back; they were stored in the writer's offset (UTC)."""
    return instant if instant.tzinfo else instant.replace(tzinfo=like.tzinfo)


class SessionStore:
    def __init__(self, db: Database, principals_store: PrincipalStore) -> None:
        self.db = db
        self.principals = principals_store

    def sign_in(self, api_key: str, now: datetime) -> tuple[str, ConsoleSession] | None:
        """A new session for a live key: (the id for the cookie, the session); None otherwise."""
        principal = self.principals.authenticate(api_key)
        if principal is None:
            return None
        session_id = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        with self.db.write() as conn:
            conn.execute(
                insert(console_sessions).values(
                    id_hash=_hash(session_id),
                    principal_id=principal.id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                )
            )
        return session_id, ConsoleSession(principal, csrf, now)

    def lookup(self, session_id: str, now: datetime) -> ConsoleSession | None:
        """The live session for the cookie, or None (unknown, expired, or principal revoked);
        an expired or orphaned session is deleted on the way."""
        key = _hash(session_id)
        with self.db.read() as conn:
            row = conn.execute(
                select(
                    console_sessions.c.csrf_token,
                    console_sessions.c.created_at,
                    console_sessions.c.last_seen_at,
                    principals.c.id,
                    principals.c.name,
                    principals.c.role,
                    principals.c.institution_id,
                    principals.c.created_at.label("principal_created_at"),
                    principals.c.revoked_at,
                )
                .join(principals, principals.c.id == console_sessions.c.principal_id)
                .where(console_sessions.c.id_hash == key)
            ).first()
        if row is None:
            return None
        r = row._mapping
        created = _aware(r["created_at"], now)
        last_seen = _aware(r["last_seen_at"], now)
        if r["revoked_at"] is not None or now - last_seen > IDLE or now - created > ABSOLUTE:
            self.end(session_id)
            return None
        if now - last_seen > TOUCH_EVERY:
            with self.db.write() as conn:
                conn.execute(
                    update(console_sessions)
                    .where(console_sessions.c.id_hash == key)
                    .values(last_seen_at=now)
                )
        principal = Principal(
            r["id"],
            r["name"],
            r["role"],
            r["institution_id"],
            _aware(r["principal_created_at"], now),
        )
        return ConsoleSession(principal, r["csrf_token"], created)

    def end(self, session_id: str) -> None:
        with self.db.write() as conn:
            conn.execute(
                delete(console_sessions).where(console_sessions.c.id_hash == _hash(session_id))
            )

    def purge_expired(self, now: datetime) -> int:
        with self.db.write() as conn:
            result = conn.execute(
                delete(console_sessions).where(
                    or_(
                        console_sessions.c.last_seen_at < now - IDLE,
                        console_sessions.c.created_at < now - ABSOLUTE,
                    )
                )
            )
        return result.rowcount or 0
