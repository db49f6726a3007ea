"""Turning event payloads into JSON values: Decimal as string, dates ISO 8601, value objects
(frozen dataclasses) as objects of their fields."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID


def jsonable(value: Any) -> Any:
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
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
