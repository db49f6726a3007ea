"""docs/events.md is generated from the code and kept current."""

from __future__ import annotations

from pathlib import Path

from events.catalogue import event_types, render

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def test_the_committed_event_catalogue_is_current():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/events.md is stale: python -m events.catalogue > docs/events.md"
    )


def test_the_catalogue_describes_every_event_type_with_its_fields():
    text = render()

    for event in event_types():
        assert f"### `{event.name}`" in text
        assert event.doc, f"{event.topic} has no docstring to describe it"
        for name in event.fields:
            assert f"| `{name}` |" in text
