"""Turning event payloads into JSON values: Decimal as string, dates ISO 8601."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID


def jsonable(value: Any) -> Any:
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
