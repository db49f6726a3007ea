"""The HTTP headers of the contract (§1), as the OpenAPI document states them.

Request headers are parameters (``Idempotency-Key`` on every POST, ``If-Match`` where a route
takes it); ``Authorization`` is the bearer security scheme, which is how OpenAPI names it.
Response headers are read from the code a route runs: a success response documents
``ETag``, ``X-Log-Position`` or ``Location`` when the route's endpoint, or a helper it calls
(api/responses.py), sets them; ``Retry-After`` goes with 429, 503 and the 409 of a key in flight.
"""

from __future__ import annotations

import ast
import copy
import inspect
import textwrap
from collections.abc import Callable
from functools import cache
from typing import Any

IDEMPOTENCY_KEY: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Any 1-255 characters, unique per request you mean (e.g. derived from your own "
        "record's id). The same key and body within 24 h (per principal) replays the first "
        "2xx response with `Idempotent-Replayed: true` and records nothing; the same key "
        "with another body is `422 idempotency_key_reused`; while the first is still "
        "running, `409 idempotency_key_in_flight`."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "example": "loan-HT-2026-0001-file",
}
IF_MATCH_DESCRIPTION = (
    'The resource\'s ETag as last read (`"3"`): the command applies only to that version, '
    "otherwise `412 version_mismatch`. Omitted or `*`: any version."
)
HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": 'The resource\'s version (`"3"`); send it back as If-Match',
        "schema": {"type": "string", "pattern": '^"[0-9]+"$'},
    },
    "X-Log-Position": {
        "description": "The global log position of the last event written; pass it as "
        "`?min_position=` to read your own write from a list",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    "Location": {
        "description": "The created resource",
        "schema": {"type": "string", "format": "uri-reference"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored response of an earlier request "
        "with the same Idempotency-Key",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
}
SUCCESS_HEADERS = ("ETag", "X-Log-Position", "Location")
# ``written(...)`` (api/responses.py) sets these only when given the keyword.
GATED = {"ETag": "version", "Location": "location"}
RETRY_AFTER_CODES = {"rate_limited", "store_unavailable", "projection_lagging"}
RETRY_AFTER_CODES |= {"idempotency_key_in_flight"}


def header(name: str) -> dict[str, Any]:
    return copy.deepcopy(HEADERS[name])


def document_success_headers(operation: dict[str, Any], method: str, calls: frozenset[Any]) -> None:
    """Response headers of every 2xx: those the route's code sets, and the replay marker."""
    sets = {name for call in calls for name in headers_set(call)}
    for status, response in operation.get("responses", {}).items():
        if not status.startswith("2"):
            continue
        headers = response.setdefault("headers", {})
        for name in SUCCESS_HEADERS:
            if name in sets and not (name == "Location" and status != "201"):
                headers[name] = header(name)
        if method == "POST":
            headers["Idempotent-Replayed"] = header("Idempotent-Replayed")
        if not headers:
            response.pop("headers")


def headers_set(function: Callable[..., Any]) -> frozenset[str]:
    """Header names a function, or a project function it calls by name, puts in a response.
    ``written(...)`` sets ETag and Location only when given ``version`` and ``location``."""
    return frozenset(_headers_set(inspect.unwrap(function)))


@cache
def _headers_set(function: Callable[..., Any]) -> frozenset[str]:
    body = _body(function)
    if body is None:
        return frozenset()
    found: set[str] = set()
    scope = getattr(function, "__globals__", {})
    for node in (n for statement in body for n in ast.walk(statement)):
        if isinstance(node, ast.Constant) and node.value in HEADERS:
            found.add(node.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            callee = scope.get(node.func.id)
            if callable(callee) and _project(callee) and callee is not function:
                inherited = set(_headers_set(inspect.unwrap(callee)))
                if node.func.id == "written":
                    inherited -= {h for h, k in GATED.items() if not _has_keyword(node, k)}
                found |= inherited
    return frozenset(found)


def _has_keyword(call: ast.Call, name: str) -> bool:
    return any(k.arg == name for k in call.keywords)


def _project(thing: Any) -> bool:
    return (getattr(thing, "__module__", "") or "").startswith("api.")


def _body(function: Callable[..., Any]) -> list[ast.stmt] | None:
    if not _project(function):
        return None
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return None
    definition = tree.body[0] if tree.body else None
    if isinstance(definition, ast.FunctionDef | ast.AsyncFunctionDef):
        return definition.body
    return None
