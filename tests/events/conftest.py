from __future__ import annotations

import pytest

from events.store import EventStore


@pytest.fixture(scope="session")
def store() -> EventStore:
    """An in-memory store: only its mapper (transcoder + upcasting) is used."""
    return EventStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
