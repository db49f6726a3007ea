"""Principals: who may call the API. API keys are stored only as SHA-256 hashes.

Keys are 256-bit random tokens, so a fast hash is enough (no password stretching needed)
and lets us look a key up by its hash in one indexed read.

Authentication is on every request, so a live key's principal is remembered in this process
for ``cache_seconds`` (IPLEDGE_AUTH_CACHE_SECONDS, default 1 s; 0 turns it off). Revocation
takes effect at once in the process that revoked (the admin API of that server: the very
next request is refused), and within ``cache_seconds`` in every other process (other API
servers, `ipledge principals revoke`). Unknown and revoked keys are never remembered, so a
key created by any process works at once.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, insert, select, update

from events.database import Database
from events.jsonable import rfc3339
from events.tables import principals
from events.webhooks.admin import disable_for_revoked
from kernel.errors import InvalidValue, NotFound
from registry.actors import ROLES, Actor

KEY_PREFIX = "ipk_"
CACHE_LIMIT = 10_000  # distinct live keys remembered; past it the memory starts afresh


@dataclass(frozen=True)
class Principal:
    id: str
    name: str
    role: str
    institution_id: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.id, self.role, self.institution_id)

    def public(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "institution_id": self.institution_id,
            "created_at": rfc3339(as_utc(self.created_at)),
            "revoked": self.revoked_at is not None,
        }


def as_utc(instant: datetime) -> datetime:
    """SQLite returns the stored UTC instant without its offset: put it back."""
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


class PrincipalStore:
    def __init__(
        self,
        db: Database,
        cache_seconds: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.cache_seconds = cache_seconds
        self._monotonic = monotonic
        self._live: dict[str, tuple[Principal, float]] = {}  # key hash -> (principal, until)
        self._lock = threading.Lock()
        self._generation = 0  # revocations seen by this process

    def create(
        self,
        name: str,
        role: str,
        institution_id: str,
        now: datetime,
        api_key: str | None = None,
    ) -> tuple[Principal, str]:
        if role not in ROLES:
            raise InvalidValue(f"role must be one of {', '.join(ROLES)}", field="role")
        key = api_key or new_api_key()
        principal = Principal(str(uuid.uuid4()), name, role, institution_id, now)
        with self.db.write() as conn:
            conn.execute(
                insert(principals).values(
                    id=principal.id,
                    name=name,
                    role=role,
                    institution_id=institution_id,
                    key_hash=hash_key(key),
                    created_at=now,
                )
            )
        return principal, key

    def ensure(
        self, name: str, role: str, institution_id: str, api_key: str, now: datetime
    ) -> None:
        """Registers a known key (IPLEDGE_ADMIN_KEY, demo keys) unless it already exists."""
        if self.authenticate(api_key) is None and not self._known_hash(hash_key(api_key)):
            self.create(name, role, institution_id, now, api_key=api_key)

    def authenticate(self, api_key: str) -> Principal | None:
        key_hash = hash_key(api_key)
        if (principal := self._remembered(key_hash)) is not None:
            return principal
        generation = self._generation  # a revocation while we read must not be undone
        with self.db.read() as conn:
            row = conn.execute(
                select(principals).where(
                    principals.c.key_hash == key_hash, principals.c.revoked_at.is_(None)
                )
            ).first()
        if row is None:
            return None
        principal = _principal(row)
        with self._lock:
            if self.cache_seconds > 0 and generation == self._generation:
                if len(self._live) >= CACHE_LIMIT:
                    self._live.clear()
                self._live[key_hash] = (principal, self._monotonic() + self.cache_seconds)
        return principal

    def remembered(self, api_key: str) -> Principal | None:
        """The key's principal if this process checked it within ``cache_seconds`` (no I/O:
        callable on the event loop)."""
        return self._remembered(hash_key(api_key))

    def _remembered(self, key_hash: str) -> Principal | None:
        found = self._live.get(key_hash)
        return found[0] if found is not None and self._monotonic() < found[1] else None

    def _forget(self, principal_id: str) -> None:
        with self._lock:
            self._generation += 1
            for key_hash, (principal, _) in list(self._live.items()):
                if principal.id == principal_id:
                    del self._live[key_hash]

    def list(self) -> list[Principal]:
        with self.db.read() as conn:
            rows = conn.execute(
                select(principals).order_by(principals.c.created_at, principals.c.id)
            )
            return [_principal(r) for r in rows]

    def revoke(self, principal_id: str, now: datetime) -> Principal:
        """Revokes the key and, in the same transaction, disables the principal's webhook
        endpoints: nothing more is sent on behalf of a principal that no longer exists."""
        with self.db.write() as conn:
            row = conn.execute(select(principals).where(principals.c.id == principal_id)).first()
            if row is None:
                raise NotFound(f"principal {principal_id} not found")
            conn.execute(
                update(principals)
                .where(principals.c.id == principal_id, principals.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            disable_for_revoked(conn, principal_id)
            row = conn.execute(select(principals).where(principals.c.id == principal_id)).one()
        self._forget(principal_id)  # after the commit: refused from now on
        return _principal(row)

    def _known_hash(self, key_hash: str) -> bool:
        with self.db.read() as conn:
            return (
                conn.execute(
                    select(principals.c.id).where(principals.c.key_hash == key_hash)
                ).first()
                is not None
            )


def _principal(row: Row[Any]) -> Principal:
    r = row._mapping
    return Principal(
        r["id"], r["name"], r["role"], r["institution_id"], r["created_at"], r["revoked_at"]
    )
