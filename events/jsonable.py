"""Turning event payloads into JSON values: Decimal as string, dates ISO 8601, value objects
(frozen dataclasses) as objects of their fields."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

_AS_IS = (str, int, bool, float, type(None))  # exact types: what the checks below return as is
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def jsonable(value: Any) -> Any:
    if type(value) in _AS_IS:  # the common case, first (this runs for every leaf)
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(fields_of(value))
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def rfc3339(instant: datetime) -> str:
    """UTC with a 'Z', microseconds kept: a stable text form for hashing and display."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def fields_of(value: Any) -> dict[str, Any]:
    """A value object's fields by name; a partial one (an amendment, register changes) shows
    only what it changes (its ``changed()``)."""
    changed = getattr(value, "changed", None)
    if callable(changed):
        return dict(changed())
    names = _FIELD_NAMES.get(type(value))
    if names is None:  # a class's fields never change
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in dataclasses.fields(value))
    return {name: getattr(value, name) for name in names}
