"""Fills an event log fast with synthetic but valid stored events: register entries
(``IPRight.Registered``, version 1 of a fresh stream each), encoded once by the store's own
mapper and copied with a new stream id and number, then inserted by the library's recorder in
large transactions. Every row decodes to a real event the service can apply."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from eventsourcing.persistence import StoredEvent

from bench.bodies import HOLDER, patent_number
from events.database_url import DatabaseConfig
from events.store import EventStore, open_event_store
from registry.actors import Actor, acting_as
from registry.ip_rights import IPRight
from registry.values import Party, RegisterEntry

CHUNK = 5000


def right(serial: int) -> IPRight:
    fields = RegisterEntry(
        title="t",
        holders=(Party(**HOLDER),),
        filing_date=date(2015, 3, 10),
        grant_date=date(2017, 6, 20),
        status="in_force",
        annuity_paid_through_year=12,
    )
    with acting_as(Actor("bench", "ip_office", "CNIPA")):
        return IPRight("invention_patent", patent_number(serial), fields, datetime.now(UTC))


def _template(store: EventStore) -> StoredEvent:
    event = right(0).collect_events()[0]
    stored = store.mapper.to_stored_event(event)
    assert patent_number(0).encode() in stored.state, "the template carries its number verbatim"
    return stored


def seed_rights(url: str, count: int, first: int = 1_000_000) -> int:
    """Appends ``count`` register entries (serials first..); returns the log's end."""
    store = open_event_store(DatabaseConfig.parse(url))
    try:
        template = _template(store)
        head = patent_number(0)
        for start in range(first, first + count, CHUNK):
            batch = [
                StoredEvent(
                    originator_id=uuid.uuid4(),
                    originator_version=template.originator_version,
                    topic=template.topic,
                    state=template.state.replace(head.encode(), patent_number(i).encode()),
                )
                for i in range(start, min(start + CHUNK, first + count))
            ]
            store.app_recorder.insert_events(batch)
        return store.max_position()
    finally:
        store.close()
