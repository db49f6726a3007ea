"""The API's JSON response: orjson's encoder, which writes the same bytes as the standard
library's for every value a response carries (strings, numbers, booleans, null, lists and
objects with string keys; compact, UTF-8, no escaping of non-ASCII) at a fraction of its CPU.

Money stays a string: a Decimal that reaches the encoder is written as its exact string, never
as a float. A value orjson refuses (an integer beyond 64 bits, a non-string key) falls back to
the standard library's encoder, so nothing that encoded before fails now.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from fastapi.responses import JSONResponse


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class FastJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content, default=_default)
        except TypeError:  # orjson.JSONEncodeError is a TypeError
            return super().render(content)
