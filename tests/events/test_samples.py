"""The past stays readable: every stored v1 sample decodes with the current code into exactly
the fields, and the types, that its event class declares.

A shape change without a class_version bump and an upcaster fails here (see docs/events.md,
"How to change an event safely"); so does an event type without a sample."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from events.catalogue import BASE_FIELDS, EventType, event_types
from events.store import EventStore
from tests.events.shapes import mismatches

SAMPLES = Path(__file__).resolve().parent / "v1"
TYPES = {e.name: e for e in event_types()}


def sample_files() -> list[Path]:
    return sorted(SAMPLES.glob("*.json"))


def read_sample(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def decode(store: EventStore, sample: dict[str, Any]) -> Any:
    stored = StoredEvent(
        originator_id=UUID(sample["originator_id"]),
        originator_version=sample["originator_version"],
        topic=sample["topic"],
        state=sample["state"].encode("utf-8"),
    )
    return store.mapper.to_domain_event(stored)


def test_every_event_type_has_a_stored_v1_sample():
    recorded = {read_sample(p)["type"] for p in sample_files()}

    missing = sorted(set(TYPES) - recorded)
    assert not missing, f"record samples for {missing}: python tests/events/record_samples.py"


def test_every_sample_is_of_an_event_type_the_code_still_has():
    assert sorted({read_sample(p)["type"] for p in sample_files()} - set(TYPES)) == []


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.stem)
def test_a_v1_sample_decodes_into_the_fields_its_event_declares(store, path):
    sample = read_sample(path)
    expected: EventType = TYPES[sample["type"]]
    assert sample["class_version"] == 1

    event = decode(store, sample)

    assert type(event) is expected.cls
    stored_fields = set(vars(event)) - BASE_FIELDS
    assert stored_fields == set(expected.fields), "fields changed without an upcaster"
    problems = [
        problem
        for name, annotation in expected.fields.items()
        for problem in mismatches(getattr(event, name), annotation, name)
    ]
    assert problems == [], "field types changed without an upcaster"


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.stem)
def test_a_v1_sample_keeps_the_exact_bytes_the_store_wrote(store, path):
    """Decoding then encoding again gives the stored JSON back: no value is lost or reshaped
    on the way (a Decimal keeps its digits, a date stays a date)."""
    sample = read_sample(path)
    event = decode(store, sample)

    stored = store.mapper.to_stored_event(event)

    assert json.loads(stored.state) == json.loads(sample["state"])
