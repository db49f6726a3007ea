"""One stream's events as §8 envelopes (with positions and leaf hashes), and replays to an
instant for ``?as_of``."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text

from events.audit.log import AuditLog
from events.envelope import envelope
from events.store import EventStore
from kernel.errors import NotFound


def stream_positions(audit: AuditLog, stream_id: UUID) -> dict[int, int]:
    """version -> position, read from the event table (the recorder does not return them)."""
    table = audit.store.events_table
    if audit.db.config.is_sqlite:
        sql = f"SELECT originator_version, rowid FROM {table} WHERE originator_id = :id"
        key: Any = stream_id.hex
    else:
        sql = f"SELECT originator_version, notification_id FROM {table} WHERE originator_id = :id"
        key = stream_id
    with audit.db.read() as conn:
        return {version: position for version, position in conn.execute(text(sql), {"id": key})}


def stream_history(audit: AuditLog, stream_id: UUID) -> list[dict[str, Any]]:
    events = list(audit.store.stream(stream_id))  # before positions: those only grow
    positions = stream_positions(audit, stream_id)
    envelopes = [envelope(positions[e.originator_version], e) for e in events]
    if envelopes:
        audit.caught_up_size(max(e["position"] for e in envelopes))
        hashes = audit.leaf_hashes([e["position"] for e in envelopes])
        for e in envelopes:
            e["leaf_hash"] = hashes[e["position"]]
    return envelopes


def as_of(store: EventStore, aggregate_id: UUID, instant: datetime, what: str) -> Any:
    state = store.state_at(aggregate_id, instant)
    if state is None:
        raise NotFound(f"{what} {aggregate_id} did not exist at {instant.isoformat()}")
    return state
