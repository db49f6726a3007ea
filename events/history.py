"""One stream's events as §8 envelopes, with their global log positions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import text

from events.database import Database
from events.envelope import envelope
from events.store import EventStore


def stream_positions(store: EventStore, db: Database, stream_id: UUID) -> dict[int, int]:
    """version -> position, read from the event table (the recorder does not return them)."""
    table = store.app_recorder.events_table_name  # type: ignore[attr-defined]
    if db.config.is_sqlite:
        sql = f"SELECT originator_version, rowid FROM {table} WHERE originator_id = :id"
        key: Any = stream_id.hex
    else:
        sql = f"SELECT originator_version, notification_id FROM {table} WHERE originator_id = :id"
        key = stream_id
    with db.read() as conn:
        return {version: position for version, position in conn.execute(text(sql), {"id": key})}


def stream_history(store: EventStore, db: Database, stream_id: UUID) -> list[dict[str, Any]]:
    events = list(store.events.get(stream_id))  # before positions: those can only grow
    positions = stream_positions(store, db, stream_id)
    return [envelope(positions[e.originator_version], e) for e in events]
