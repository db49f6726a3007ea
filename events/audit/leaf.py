"""An event's leaf: the RFC 8785 bytes of its §8 envelope, in one walk over its values.

``canonical_json(envelope(position, event))`` walks every value three times: ``jsonable``
builds plain values, ``canonical._plain`` proves the stdlib encoder writes RFC 8785's bytes
for them, the encoder writes them. ``envelope_json`` builds the same plain values and proves
the same thing in one walk, dispatching on each value's exact type (learnt once per type).
A value it cannot prove plain (a float, a large integer, a non-ASCII key, a type that
``jsonable`` keeps as is) sends the whole event down the general path instead: the bytes are
the same either way. tests/unit/test_leaf_json.py checks both against ``rfc8785``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from json.encoder import c_encode_basestring, c_make_encoder  # type: ignore[attr-defined]
from typing import Any
from uuid import UUID

from events.audit.canonical import SAFE_INTEGER, canonical_json, encode_plain
from events.envelope import HIDDEN_FIELDS, envelope, stream_and_type
from events.jsonable import fields_of, rfc3339

Handler = Callable[[Any], Any]


class NotPlain(Exception):
    """A value the one-walk path cannot prove plain: use the general path."""


def envelope_json(position: int, event: Any) -> bytes:
    """Exactly ``canonical_json(envelope(position, event))``."""
    try:
        return _encode(plain_envelope(position, event)).encode()
    except (NotPlain, UnicodeEncodeError):  # a lone surrogate has its own JCS rule
        return canonical_json(envelope(position, event))


def _encoder() -> Callable[[Any], str]:
    """``encode_plain`` without its per-call set-up: the C encoder made once, and no cycle
    check (the values are a tree just built; a cycle would have stopped the walk)."""
    if c_make_encoder is None:
        return encode_plain
    chunks = c_make_encoder(None, None, c_encode_basestring, None, ":", ",", True, False, True)
    return lambda value: "".join(chunks(value, 0))


_encode = _encoder()


def plain_envelope(position: int, event: Any) -> dict[str, Any]:
    """``envelope(position, event)``, or NotPlain; the keys here are ASCII literals."""
    stream_type, type_name = stream_and_type(event)
    stream_id, version = event.originator_id, event.originator_version
    if type(stream_id) is not UUID:
        raise NotPlain
    return {
        "position": plain(position),
        "id": event_id_text(stream_id, version),
        "stream_id": str(stream_id),
        "stream_type": stream_type,
        "version": plain(version),
        "type": type_name,
        "occurred_at": rfc3339(event.timestamp),
        "actor": plain(getattr(event, "actor", None)) or {},
        "data": {_key(k): plain(v) for k, v in vars(event).items() if k not in HIDDEN_FIELDS},
    }


def plain(value: Any) -> Any:
    """``jsonable(value)`` if the stdlib encoder writes RFC 8785's bytes for it, else NotPlain."""
    kind = type(value)
    if kind is str or kind is bool or value is None:  # the common cases first
        return value
    if kind is int:
        return _integer(value)
    handler = _HANDLERS.get(kind)
    if handler is None:
        handler = _HANDLERS[kind] = _handler_for(kind)
    return handler(value)


def event_id_text(stream_id: UUID, version: int) -> str:
    """``str(event_id(stream_id, version))`` (a UUID 5) without building UUID objects."""
    name = str(version).encode()  # what event_id gives uuid5 to hash
    digest = bytearray(hashlib.sha1(stream_id.bytes + name).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    x = digest.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def _key(key: Any) -> str:
    if type(key) is str and key.isascii():  # UTF-16 and code point order agree on ASCII
        return key
    raise NotPlain


def _integer(value: int) -> int:
    if -SAFE_INTEGER <= value <= SAFE_INTEGER:
        return value
    raise NotPlain


def _mapping(value: dict[Any, Any]) -> dict[str, Any]:
    return {_key(k): plain(v) for k, v in value.items()}


def _sequence(value: list[Any] | tuple[Any, ...]) -> list[Any]:
    return [plain(v) for v in value]


def _refuse(value: Any) -> Any:
    raise NotPlain


def _handler_for(kind: type) -> Handler:
    """The same checks, in the same order, as ``jsonable`` and ``canonical._plain``."""
    if dataclasses.is_dataclass(kind):
        return _value_object(kind)
    for base, handler in _BY_BASE:
        if issubclass(kind, base):
            return handler
    if issubclass(kind, str):  # jsonable keeps it; the encoder writes its text
        return lambda value: value
    if issubclass(kind, int):  # an IntEnum: the encoder writes its integer
        return _integer
    return _refuse  # a float, or a type jsonable keeps as is and the encoder may not know


def _value_object(kind: type) -> Handler:
    if hasattr(kind, "changed"):  # a partial value object shows only what it changes
        return lambda value: _mapping(fields_of(value))
    names = tuple(f.name for f in dataclasses.fields(kind))
    if not all(name.isascii() for name in names):
        return _refuse
    return lambda value: {name: plain(getattr(value, name)) for name in names}


_BY_BASE: tuple[tuple[type, Handler], ...] = (
    (dict, _mapping),
    (list, _sequence),
    (tuple, _sequence),
    (Decimal, lambda value: f"{value:f}"),
    (datetime, rfc3339),
    (date, lambda value: value.isoformat()),
    (UUID, str),
)
_HANDLERS: dict[type, Handler] = {}
