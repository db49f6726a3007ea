"""Principals: who may call the API. API keys are stored only as SHA-256 hashes.

Keys are 256-bit random tokens, so a fast hash is enough (no password stretching needed)
and lets us look a key up by its hash in one indexed read.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
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
    def __init__(self, db: Database) -> None:
        self.db = db

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
        with self.db.read() as conn:
            row = conn.execute(
                select(principals).where(
                    principals.c.key_hash == hash_key(api_key), principals.c.revoked_at.is_(None)
                )
            ).first()
        return _principal(row) if row else None

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
