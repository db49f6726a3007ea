"""The event catalogue: every stored event type with its fields and their types, read from the
code (aggregate event classes, their docstrings and annotations; the value objects and their
transcoding names).

``python -m events.catalogue > docs/events.md`` writes the documentation; tests/events checks
that the committed file is current and that every event type has a stored v1 sample.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import Aggregate, CommandMethodDecorator

from disposal.compensation import CompensationClaim
from disposal.disposals import Disposal
from disposal.listings import Listing
from events.envelope import STREAMS
from events.transcodings import VALUE_OBJECTS
from registry.ip_rights import IPRight
from registry.pledges import Pledge

AGGREGATES: tuple[type[Aggregate], ...] = (IPRight, Pledge, Disposal, Listing, CompensationClaim)
# Every event has these (the envelope shows them as stream_id, version, occurred_at).
BASE_FIELDS = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic", "originator_id_type"}
)


@dataclass(frozen=True)
class EventType:
    name: str  # the dotted type of the envelope, e.g. "pledge.registered"
    aggregate: type[Aggregate]
    cls: type[Aggregate.Event]
    doc: str
    fields: dict[str, Any]  # field name -> annotation

    @property
    def class_version(self) -> int:
        return int(getattr(self.cls, "class_version", 1))

    @property
    def topic(self) -> str:
        return f"{self.cls.__module__}:{self.cls.__qualname__}"


def event_types() -> list[EventType]:
    found = []
    for aggregate in AGGREGATES:
        _, names = STREAMS[aggregate.__name__]
        docs = _method_docs(aggregate)
        for class_name, dotted in names.items():
            cls = getattr(aggregate, class_name)
            doc = docs.get(class_name) or _class_doc(cls)
            found.append(EventType(dotted, aggregate, cls, doc, event_fields(cls)))
    return found


def event_fields(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {name: hint for name, hint in hints.items() if name not in BASE_FIELDS}


def _method_docs(aggregate: type) -> dict[str, str]:
    """Event class name -> the docstring of the method that records it (``@event``)."""
    docs = {}
    for value in vars(aggregate).values():
        if isinstance(value, CommandMethodDecorator) and value.decorated_func.__doc__:
            docs[str(value.event_cls_name)] = _clean(value.decorated_func.__doc__)
    return docs


def _class_doc(cls: type) -> str:
    # eventsourcing rebuilds a declared event class as a dataclass (whose own docstring is its
    # signature); the declared class, with the written docstring, is next in the MRO.
    for klass in cls.__mro__:
        if klass is object:
            break
        doc = klass.__doc__ or ""
        if doc and not doc.startswith(f"{klass.__name__}("):
            return _clean(doc)
    return ""


def _clean(doc: str) -> str:
    return " ".join(doc.split())


def type_name(annotation: Any) -> str:
    """An annotation as a reader would write it: ``list[Item]``, ``date | None``."""
    if annotation is type(None):
        return "None"
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return " | ".join(type_name(a) for a in typing.get_args(annotation))
    origin = typing.get_origin(annotation)
    if origin is not None:
        args = typing.get_args(annotation)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return f"tuple[{type_name(args[0])}, ...]"
        return f"{origin.__name__}[{', '.join(type_name(a) for a in args)}]"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "UNCHANGED" if annotation.__name__ == "Unchanged" else annotation.__name__
    return str(getattr(annotation, "__name__", annotation))


def render() -> str:
    return "\n".join(_render_lines()) + "\n"


def _render_lines() -> Iterator[str]:
    yield from HEADER.splitlines()
    for aggregate in AGGREGATES:
        stream, _ = STREAMS[aggregate.__name__]
        yield ""
        yield f"## Stream `{stream}` ({aggregate.__name__})"
        for event in (e for e in event_types() if e.aggregate is aggregate):
            yield ""
            yield f"### `{event.name}`"
            yield ""
            yield f"{event.doc}" if event.doc else "(no description)"
            yield ""
            yield f"Class `{event.topic}`, class_version {event.class_version}."
            yield ""
            yield "| field | type |"
            yield "| --- | --- |"
            for name, annotation in event.fields.items():
                yield f"| `{name}` | `{type_name(annotation)}` |"
    yield ""
    yield "## Value objects"
    yield ""
    yield 'Stored as `{"_type_": <name>, "_data_": {<field>: <value>}}`; the name is stable.'
    for name, value_type in VALUE_OBJECTS.items():
        yield ""
        yield f"### `{value_type.__name__}` (`{name}`)"
        yield ""
        yield _class_doc(value_type) or "(no description)"
        yield ""
        yield "| field | type |"
        yield "| --- | --- |"
        for field in dataclasses.fields(value_type):
            hint = typing.get_type_hints(value_type)[field.name]
            yield f"| `{field.name}` | `{type_name(hint)}` |"
    yield from FOOTER.splitlines()


HEADER = """\
# Event catalogue

<!-- Generated by `python -m events.catalogue > docs/events.md`; do not edit by hand
(tests/events/test_catalogue.py fails when this file is stale). -->

Every event the registry stores, by stream. Events are the legal record and are kept forever:
their shapes below are **event contract 1** (a store holding events from before it is refused
at start-up, see events/contract.py). Each event also has `originator_id` (the stream id),
`originator_version` (its version in the stream) and `timestamp` (when it was recorded); a
stream's first event also has `originator_topic`. The public envelope (contract §8) shows the
fields below as `data`, except `actor`, which it shows beside `data`.

Money is `Decimal` (stored and shown as a string), dates are ISO calendar dates (CST business
dates), `timestamp` is UTC."""

FOOTER = """
## How to change an event safely

Stored events are never rewritten. To change what an event carries:

1. Leave the stored sample alone: `tests/events/v1/<type>.json` is what the store already holds.
2. Change the event (its method signature, or the declared class) **and** raise its
   `class_version` (e.g. `class_version = 2` on the event class, or
   `@event("Amended")` replaced by an explicit class with `class_version = 2`).
3. Add the upcaster on the event class: `@staticmethod def upcast_v1_v2(state: dict) -> None`
   that turns a v1 state into a v2 state in place (rename a key, add a default, ...).
   tests/events/test_upcasting.py shows the pattern on a demo event.
4. For a value object (registry/values.py), never change a registered shape: add a new type
   or a new transcoding name (`party_v2`) and keep the old name decoding the old shape.
5. Run `python tests/events/record_samples.py` (it writes only samples that are missing, e.g.
   for a new event type) and `python -m events.catalogue > docs/events.md`.

What catches a mistake: `tests/events/test_samples.py` decodes every v1 sample with the current
code and checks each field's name and type, so a renamed, retyped, added or dropped field
without a class_version bump and an upcaster fails; it also fails when an event type has no
sample. `tests/events/test_catalogue.py` fails when this file is stale."""


if __name__ == "__main__":
    print(render(), end="")
