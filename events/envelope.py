"""The one public shape of an event (contract §8) and the dotted event type names."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from disposal import compensation, disposals, listings
from events.jsonable import jsonable, rfc3339
from registry import ip_rights, pledges

# Aggregate class name -> (stream_type, {event class name -> dotted type}).
STREAMS: dict[str, tuple[str, dict[str, str]]] = {
    "IPRight": ("ip_right", ip_rights.EVENT_TYPES),
    "Pledge": ("pledge", pledges.EVENT_TYPES),
    "Disposal": ("disposal", disposals.EVENT_TYPES),
    "Listing": ("listing", listings.EVENT_TYPES),
    "CompensationClaim": ("compensation_claim", compensation.EVENT_TYPES),
}
HIDDEN_FIELDS = {"originator_id", "originator_version", "originator_topic", "timestamp", "actor"}


def stream_and_type(event: Aggregate.Event) -> tuple[str, str]:
    aggregate, _, name = type(event).__qualname__.rpartition(".")
    stream_type, types = STREAMS[aggregate]
    return stream_type, types[name]


def event_type(event: Aggregate.Event) -> str:
    return stream_and_type(event)[1]


def event_id(stream_id: UUID, version: int) -> UUID:
    """Stable per (stream, version): the same event always has the same id (webhook-id)."""
    return uuid5(stream_id, str(version))


def event_data(event: Aggregate.Event) -> dict[str, Any]:
    return {k: jsonable(v) for k, v in vars(event).items() if k not in HIDDEN_FIELDS}


def envelope(position: int, event: Aggregate.Event) -> dict[str, Any]:
    """The §8 envelope without ``leaf_hash`` (that is computed over exactly this dict)."""
    stream_type, type_name = stream_and_type(event)
    return {
        "position": position,
        "id": str(event_id(event.originator_id, event.originator_version)),
        "stream_id": str(event.originator_id),
        "stream_type": stream_type,
        "version": event.originator_version,
        "type": type_name,
        "occurred_at": rfc3339(event.timestamp),
        "actor": jsonable(getattr(event, "actor", None)) or {},
        "data": event_data(event),
    }
