"""The audit log service: envelopes with leaf hashes, roots, proofs, signed checkpoints."""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import MapperDeserialisationError, Notification
from sqlalchemy import and_, desc, insert, or_, select

from events.audit import merkle
from events.audit.keys import SigningKey
from events.clock import Clock
from events.database import Database
from events.envelope import envelope
from events.jsonable import rfc3339
from events.projections.runner import ProjectionRunner
from events.store import EventStore
from events.tables import audit_checkpoints, audit_nodes, projection_tracking

CHECKPOINT_PREFIX = "ipledge-checkpoint/v1"
log = logging.getLogger("ipledge.audit")


def checkpoint_message(tree_size: int, root_hash: str, timestamp: str) -> bytes:
    return f"{CHECKPOINT_PREFIX}\n{tree_size}\n{root_hash}\n{timestamp}\n".encode()


@dataclass
class AuditLog:
    store: EventStore
    db: Database
    projections: ProjectionRunner
    clock: Clock
    key: SigningKey

    # ---- the tree --------------------------------------------------------------------

    def tree_size(self) -> int:
        with self.db.read() as conn:
            return (
                conn.execute(
                    select(projection_tracking.c.position).where(
                        projection_tracking.c.name == "audit"
                    )
                ).scalar()
                or 0
            )

    def caught_up_size(self, at_least: int | None = None) -> int:
        self.projections.catch_up(until=at_least, timeout=60, names=("audit",))
        return self.tree_size()

    def lookup(self, keys: set[merkle.Key]) -> dict[merkle.Key, bytes]:
        if not keys:
            return {}
        n = audit_nodes.c
        # One "level = L AND idx IN (...)" per level: both stores answer it from the primary
        # key (a row-value IN list makes SQLite scan the table; one OR term per key overflows
        # its expression depth on a 1000-leaf page).
        by_level: dict[int, list[int]] = {}
        for level, idx in keys:
            by_level.setdefault(level, []).append(idx)
        match = or_(
            *(
                and_(n.level == level, n.idx.in_(sorted(idxs)))
                for level, idxs in sorted(by_level.items())
            )
        )
        with self.db.read() as conn:
            rows = conn.execute(select(n.level, n.idx, n.hash).where(match))
            found = {(level, idx): bytes.fromhex(h) for level, idx, h in rows}
        missing = keys - found.keys()
        if missing:
            raise LookupError(f"audit tree nodes missing: {sorted(missing)[:3]}")
        return found

    def root_hash(self, size: int) -> str:
        return merkle.root(size, self.lookup).hex()

    def inclusion(self, position: int, size: int) -> list[str]:
        return [h.hex() for h in merkle.inclusion_path(position - 1, size, self.lookup)]

    def consistency(self, first: int, second: int) -> list[str]:
        if first == second:
            return []
        return [h.hex() for h in merkle.consistency_path(first, second, self.lookup)]

    def leaf_hashes(self, positions: list[int]) -> dict[int, str]:
        keys = {(0, p - 1) for p in positions}
        return {idx + 1: h.hex() for (_, idx), h in self.lookup(keys).items()}

    # ---- envelopes -------------------------------------------------------------------

    def page(self, after: int, limit: int) -> list[dict[str, Any]]:
        """Envelopes after ``after``, rendered from the stored events as they are now, with
        the leaf hash recorded when the event was first hashed: a later change to a stored
        event makes the two disagree, which the verifier reports by position."""
        size = self.caught_up_size()
        notifications = [n for n in self.store.read_log(after=after, limit=limit) if n.id <= size]
        hashes = self.leaf_hashes([n.id for n in notifications])
        return [{**self.render(n), "leaf_hash": hashes[n.id]} for n in notifications]

    def envelopes(self, positions: list[int]) -> list[dict[str, Any]]:
        """The envelopes (with leaf hashes) of the given positions, in order."""
        if not positions:
            return []
        self.caught_up_size(max(positions))
        wanted = set(positions)
        first, last = min(positions), max(positions)
        if last - first + 1 <= 4 * len(positions):  # dense: one range read
            found = self.store.read_log(after=first - 1, limit=last - first + 1)
        else:  # sparse (a feed filtered to one bank): one read per position
            found = [n for p in positions for n in self.store.read_log(after=p - 1, limit=1)]
        notifications = [n for n in found if n.id in wanted]
        hashes = self.leaf_hashes(positions)
        return [{**self.render(n), "leaf_hash": hashes[n.id]} for n in notifications]

    def envelope_at(self, position: int) -> dict[str, Any]:
        """One event's envelope with its leaf hash (webhook bodies, the feed)."""
        self.caught_up_size(position)
        notification = self.store.read_log(after=position - 1, limit=1)[0]
        return {**self.render(notification), "leaf_hash": self.leaf_hashes([position])[position]}

    def render(self, notification: Notification) -> dict[str, Any]:
        """The envelope of a stored event; a row whose stored bytes are not JSON any more is
        shown as undecodable, so that the verifier can name its position as changed. Any
        other failure (a bug in decoding, upcasting or rendering) is logged and raised: shown
        as "undecodable", it would make the verifier blame tampering."""
        try:
            return envelope(notification.id, self.store.decode(notification))
        except MapperDeserialisationError as e:
            if not isinstance(e.__cause__, UnicodeDecodeError | json.JSONDecodeError):
                log.exception("stored event at position %s failed to decode", notification.id)
                raise
            log.warning("stored event at position %s is not JSON: %s", notification.id, e)
            return undecodable(notification)
        except Exception:
            log.exception("stored event at position %s failed to render", notification.id)
            raise

    # ---- checkpoints -----------------------------------------------------------------

    def checkpoint(self) -> dict[str, Any]:
        """A signed checkpoint of the whole log; kept, so later ones can be proven consistent."""
        size = self.caught_up_size()
        latest = self.latest_checkpoint()
        fresh = (size, self.key.key_id)  # a new signing key re-signs: /public-key has only it
        if latest is not None and (latest["tree_size"], latest["key_id"]) == fresh:
            return latest
        root_hash = self.root_hash(size)
        timestamp = rfc3339(self.clock.now())
        signature = self.key.sign(checkpoint_message(size, root_hash, timestamp))
        row = {
            "tree_size": size,
            "root_hash": root_hash,
            "timestamp": timestamp,
            "key_id": self.key.key_id,
            "signature": signature,
        }
        with self.db.write() as conn:
            conn.execute(insert(audit_checkpoints).values(**row))
        return row

    def latest_checkpoint(self) -> dict[str, Any] | None:
        c = audit_checkpoints.c
        with self.db.read() as conn:
            row = conn.execute(
                select(c.tree_size, c.root_hash, c.timestamp, c.key_id, c.signature)
                .order_by(desc(c.id))
                .limit(1)
            ).first()
        return dict(row._mapping) if row else None


def undecodable(notification: Notification) -> dict[str, Any]:
    """An envelope for a stored row that is no event any more: what is left of it, by position."""
    return {
        "position": notification.id,
        "id": None,
        "stream_id": str(notification.originator_id),
        "stream_type": None,
        "version": notification.originator_version,
        "type": None,
        "occurred_at": None,
        "actor": None,
        "data": {
            "undecodable": base64.b64encode(notification.state).decode(),
            "topic": notification.topic,
        },
    }
