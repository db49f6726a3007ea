"""The one-walk leaf (events/audit/leaf.py) writes exactly the bytes of the general path,
``canonical_json(envelope(...))``, and so RFC 8785's: leaf hashes and proofs are unchanged."""

from __future__ import annotations

import dataclasses
import enum
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.leaf_cost import sample_events
from events.audit.canonical import canonical_json
from events.audit.leaf import NotPlain, envelope_json, event_id_text, plain, plain_envelope
from events.envelope import envelope, event_id
from events.jsonable import jsonable


@dataclasses.dataclass(frozen=True)
class Party:
    name: str
    credit_code: str | None


@dataclasses.dataclass(frozen=True)
class Changes:  # a partial value object: shows only what it changes
    title: Any = None
    note: Any = None

    def changed(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v is not None}


Unusual = dataclasses.make_dataclass("Unusual", [("名称", str), ("plain", Any)], frozen=True)


class Role(enum.StrEnum):
    BANK = "bank"


class Level(enum.IntEnum):
    HIGH = 3


class Pledge:
    class Registered:  # stream_and_type reads the class's qualified name
        def __init__(self, **fields: Any) -> None:
            self.__dict__.update(fields)


BASE = {"originator_id", "originator_version", "timestamp", "actor"}
texts = st.text() | st.text(alphabet=st.characters(max_codepoint=0x7F))  # controls, non-BMP too
keys = texts.filter(lambda k: len(k) < 10) | st.sampled_from(["b", "é", "\ue000", "𝄞", "a\ud800"])
instants = st.datetimes(timezones=st.just(UTC) | st.just(timezone(timedelta(hours=8))))
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts
    | st.decimals(allow_nan=False, allow_infinity=False, places=2)
    | st.dates()
    | instants
    | st.uuids()
    | st.sampled_from([Role.BANK, Level.HIGH])
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(keys, inner, max_size=3)
        | st.builds(Party, inner, inner)
        | st.builds(Changes, inner, inner)
        | st.builds(Unusual, texts, inner)
    ),
    max_leaves=12,
)


def outcome(encode: Any, value: Any) -> bytes | type[Exception]:
    """The bytes, or the kind of error: JCS refuses a too-large integer, and rfc8785 cannot
    sort a key with a lone surrogate."""
    try:
        return encode(value)
    except (rfc8785.CanonicalizationError, UnicodeEncodeError) as error:
        return type(error)


@settings(max_examples=400)
@given(values)
def test_a_value_is_either_proven_plain_and_as_jsonable_makes_it_or_refused(value):
    expected = jsonable(value)
    try:
        got = plain(value)
    except NotPlain:
        return
    assert got == expected
    assert outcome(canonical_json, got) == outcome(rfc8785.dumps, expected)


@settings(max_examples=400)
@given(
    position=st.integers(min_value=1, max_value=2**40),
    stream=st.uuids(),
    version=st.integers(min_value=1, max_value=2**31),
    at=instants,
    actor=st.none() | values,
    data=st.dictionaries(keys.filter(lambda k: k not in BASE), values),
)
def test_an_envelope_has_the_bytes_of_the_general_path_and_of_rfc_8785(
    position, stream, version, at, actor, data
):
    event = Pledge.Registered(
        originator_id=stream, originator_version=version, timestamp=at, actor=actor, **data
    )
    expected = outcome(rfc8785.dumps, envelope(position, event))
    assert outcome(lambda e: envelope_json(position, e), event) == expected


@settings(max_examples=200)
@given(st.uuids(), st.integers(min_value=0, max_value=2**60))
def test_the_event_id_text_is_the_uuid_5_of_the_stream_and_version(stream, version):
    assert event_id_text(stream, version) == str(event_id(stream, version))


@pytest.mark.parametrize("position", [1, 2, 1023, 2**53 - 1])
def test_every_catalogue_sample_takes_the_one_walk_and_gives_rfc_8785_bytes(position):
    for event in sample_events():
        plain_envelope(position, event)  # raises NotPlain if an event type left the walk
        assert envelope_json(position, event) == rfc8785.dumps(envelope(position, event))


def test_what_the_walk_cannot_prove_goes_the_general_path_with_the_same_bytes():
    event = Pledge.Registered(
        originator_id=UUID(int=7),
        originator_version=3,
        timestamp=datetime(2026, 1, 5, 9, tzinfo=UTC),
        actor=None,
        amount=1e21,  # a float: JCS writes it its own way
        keys={"𝄞": 1, "\ue000": 2},  # UTF-16 order differs from code point order
        when=date(2026, 1, 5),
    )
    for refused in (1e21, 2**53, {"𝄞": 1}, {1: 2}, b"bytes"):
        with pytest.raises(NotPlain):
            plain(refused)
    assert envelope_json(5, event) == rfc8785.dumps(envelope(5, event))
    lone = Pledge.Registered(**{**vars(event), "amount": "\ud800"})  # JCS refuses it
    assert outcome(lambda e: envelope_json(5, e), lone) == rfc8785.CanonicalizationError
