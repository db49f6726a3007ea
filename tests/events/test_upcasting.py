"""The safe path, worked through: a changed event shape with a class_version bump and an
upcaster still reads the v1 events the store holds.

The demo event below is what ``Pledge.Amended`` would become if its ``reason`` were renamed
``explanation`` and it gained ``reviewed`` (False for every amendment recorded before). It lives
here, not in the domain: it shows the steps of docs/events.md "How to change an event safely".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from events.catalogue import event_fields
from registry.actors import Actor
from registry.pledges import Pledge
from registry.values import LoanAmendment
from tests.events.shapes import mismatches
from tests.events.test_samples import decode

V1_SAMPLE = Path(__file__).resolve().parent / "v1" / "pledge.amended.json"


class AmendedV2(Pledge.Event):
    """Demo: ``pledge.amended`` as version 2."""

    class_version = 2

    changes: LoanAmendment
    explanation: str
    reviewed: bool
    actor: Actor

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["explanation"] = state.pop("reason")
        state["reviewed"] = False


class AmendedV2WithoutUpcaster(Pledge.Event):
    """The mistake: the shape changed, class_version bumped, no upcaster."""

    class_version = 2

    changes: LoanAmendment
    explanation: str
    actor: Actor


def v1_sample_as(event_class: type) -> dict[str, Any]:
    sample = json.loads(V1_SAMPLE.read_text(encoding="utf-8"))
    # The stored v1 event, read as if its class had become ``event_class``.
    return {**sample, "topic": f"{event_class.__module__}:{event_class.__qualname__}"}


def test_a_v1_event_is_upcast_into_the_v2_shape(store):
    event = decode(store, v1_sample_as(AmendedV2))

    stored_reason = json.loads(json.loads(V1_SAMPLE.read_text())["state"])["reason"]
    assert (event.explanation, event.reviewed) == (stored_reason, False)
    assert not hasattr(event, "reason")
    fields = event_fields(AmendedV2)
    assert [m for n, t in fields.items() for m in mismatches(getattr(event, n), t, n)] == []


def test_a_v2_event_is_written_with_its_class_version(store):
    event = decode(store, v1_sample_as(AmendedV2))

    assert json.loads(store.mapper.to_stored_event(event).state)["class_version"] == 2


def test_without_an_upcaster_the_v1_sample_does_not_load(store):
    with pytest.raises(AttributeError, match="upcast_v1_v2"):
        decode(store, v1_sample_as(AmendedV2WithoutUpcaster))
