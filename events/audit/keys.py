"""The Ed25519 key that signs checkpoints and search certificates.

From IPLEDGE_SIGNING_KEY (base64 of the 32-byte private seed) when given; otherwise generated on
first run and kept in the database, so every process of one deployment signs with one key.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import insert, select

from events.database import Database
from events.tables import signing_keys

log = logging.getLogger("ipledge.audit")


class SigningKey:
    def __init__(self, seed: bytes) -> None:
        if len(seed) != 32:
            raise ValueError("an Ed25519 private key is 32 bytes (base64 of the raw seed)")
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_raw = self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.key_id = hashlib.sha256(self.public_raw).hexdigest()[:16]

    @property
    def public_key(self) -> str:
        return base64.b64encode(self.public_raw).decode()

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self._private.sign(message)).decode()


def load_signing_key(configured: str | None, db: Database, now: datetime) -> SigningKey:
    if configured:
        return SigningKey(base64.b64decode(configured, validate=True))
    if (stored := _first_stored(db)) is None:
        fresh = Ed25519PrivateKey.generate().private_bytes_raw()
        key = SigningKey(fresh)
        with db.write() as conn:
            conn.execute(
                insert(signing_keys).values(
                    key_id=key.key_id, private_key=base64.b64encode(fresh).decode(), created_at=now
                )
            )
        log.warning(
            "generated a new signing key; set IPLEDGE_SIGNING_KEY in production",
            extra={"key_id": key.key_id},
        )
        stored = _first_stored(db)  # two processes racing both settle on the first key
    assert stored is not None
    return SigningKey(base64.b64decode(stored))


def _first_stored(db: Database) -> str | None:
    with db.read() as conn:
        return conn.execute(
            select(signing_keys.c.private_key)
            .order_by(signing_keys.c.created_at, signing_keys.c.key_id)
            .limit(1)
        ).scalar()
