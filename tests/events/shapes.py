"""Does a decoded value have the type its annotation declares? (Recursively: value objects,
lists, tuples, unions.) Strict on purpose: a stored shape that no longer matches the code's
annotation is exactly what the sample tests are there to catch."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any


def mismatches(value: Any, annotation: Any, path: str) -> list[str]:
    """Where ``value`` does not have the shape of ``annotation`` (empty: it conforms)."""
    origin = typing.get_origin(annotation)
    if isinstance(annotation, types.UnionType) or origin is typing.Union:
        options = [mismatches(value, a, path) for a in typing.get_args(annotation)]
        return [] if any(not o for o in options) else [f"{path}: {value!r} is no {annotation}"]
    if annotation is type(None):
        return [] if value is None else [f"{path}: {value!r} is not None"]
    if origin in (list, tuple):
        if not isinstance(value, origin):
            return [f"{path}: {type(value).__name__} where {origin.__name__} is declared"]
        (item_type, *_) = typing.get_args(annotation)
        return [m for i, v in enumerate(value) for m in mismatches(v, item_type, f"{path}[{i}]")]
    if not isinstance(value, annotation) or (annotation is int and isinstance(value, bool)):
        return [f"{path}: {type(value).__name__} where {annotation.__name__} is declared"]
    if dataclasses.is_dataclass(annotation):
        hints = typing.get_type_hints(annotation)
        return [
            m
            for f in dataclasses.fields(annotation)
            for m in mismatches(getattr(value, f.name), hints[f.name], f"{path}.{f.name}")
        ]
    return []
