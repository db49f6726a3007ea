"""The OpenAPI document names every status an operation can answer, and every `code`.

FastAPI documents only the success status and its own 422. The problem responses (RFC 9457)
come from two sources. What the edge and the dependencies do, read from each route's method,
body and parameters (a body that is not JSON, an Idempotency-Key, the body's size and media
type, validation, the store being down): ``MECHANISMS``. And what the route's own code paths
raise, read from its source (api/problem_catalogue.py): a domain error's code at the status of
its category, an ``ApiError``'s status and code. Each status is documented with the codes it
carries as an enum over the shared `Problem` schema; ``x-roles`` names the roles a role check
admits. Response headers and request examples: api/openapi_headers.py, api/openapi_examples.py.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import fastapi.routing
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.deps import authenticate, if_match, role_check
from api.openapi_descriptions import describe
from api.openapi_examples import add_request_examples
from api.openapi_headers import (
    IDEMPOTENCY_KEY,
    IF_MATCH_DESCRIPTION,
    RETRY_AFTER_CODES,
    document_success_headers,
    header,
)
from api.problem_catalogue import codes_of
from api.problems import PROBLEM_JSON

BEARER_SCHEME = "bearer"

PROBLEM_REF = "#/components/schemas/Problem"
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details with a stable snake_case `code`.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "description": "URI identifying the problem type"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "errors": {
            "description": "With `validation_error`: every field that failed, and why",
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}


@dataclass(frozen=True)
class Route:
    """What the document needs to know about one operation."""

    method: str
    operation: dict[str, Any]
    calls: frozenset[Callable[..., Any]]
    path_params: bool
    roles: tuple[str, ...]  # empty: any authenticated principal (or public)

    @property
    def authenticated(self) -> bool:
        return authenticate in self.calls

    @property
    def has_body(self) -> bool:
        return "requestBody" in self.operation

    @property
    def has_parameters(self) -> bool:
        """Path or query parameters: what makes a request target long."""
        return any(p["in"] in ("path", "query") for p in self.operation.get("parameters", []))

    @property
    def has_json_body(self) -> bool:
        return "application/json" in self.operation.get("requestBody", {}).get("content", {})

    @property
    def has_input(self) -> bool:
        return self.has_body or bool(self.operation.get("parameters"))


@dataclass(frozen=True)
class Mechanism:
    """A problem the edge or FastAPI answers for every route it applies to."""

    status: int
    code: str
    applies: Callable[[Route], bool]


MECHANISMS = (
    Mechanism(400, "malformed_json", lambda r: r.has_json_body),
    Mechanism(400, "invalid_idempotency_key", lambda r: r.method == "POST"),
    Mechanism(401, "unauthenticated", lambda r: r.authenticated),
    Mechanism(404, "not_found", lambda r: r.path_params),  # a path naming nothing
    Mechanism(409, "idempotency_key_in_flight", lambda r: r.method == "POST"),
    Mechanism(413, "payload_too_large", lambda r: r.has_body),
    Mechanism(414, "uri_too_long", lambda r: r.has_parameters),  # api/middleware.py TargetLimit
    Mechanism(415, "unsupported_media_type", lambda r: r.has_body),
    Mechanism(422, "validation_error", lambda r: r.has_input),
    Mechanism(422, "idempotency_key_reused", lambda r: r.method == "POST"),
    Mechanism(503, "store_unavailable", lambda r: True),
)
DESCRIPTIONS = {
    400: "Malformed request: a body that is not JSON, or an invalid header",
    401: "No valid API key (send `Authorization: Bearer <api key>`)",
    403: "The caller's role may not do this",
    404: "The resource, or one the request names, does not exist or is not visible to the caller",
    409: "The resource's state does not allow this, or the same Idempotency-Key is in flight",
    412: "If-Match is not the resource's current version",
    413: "The request body is too large",
    414: "The path and query string are longer than the service accepts (8192 bytes)",
    415: "The body's media type is not accepted",
    422: "Validation failed (`errors` lists the fields), a business rule was broken (the "
    "rule's own code), or the Idempotency-Key named another request",
    429: "Too many requests; retry after Retry-After seconds",
    503: "The database cannot be reached, or read models did not catch up in time; retry "
    "after Retry-After seconds",
}
FASTAPI_VALIDATION = "422"  # FastAPI documents its own HTTPValidationError here: replaced


def document_problems(app: FastAPI) -> None:
    """Makes ``app.openapi()`` add the problem responses and the bearer scheme."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        components = schema.setdefault("components", {})
        if "Problem" not in components.setdefault("schemas", {}):
            add_problems(schema, api_routes(app))
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override


def api_routes(app: FastAPI) -> list[Any]:
    """The API routes as FastAPI documents them (newer FastAPI keeps included routers nested
    and documents their routes through route contexts, which read like an APIRoute)."""
    contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    routes = list(contexts(app.routes)) if contexts else app.routes
    return [r for r in routes if isinstance(getattr(r, "original_route", r), APIRoute)]


def add_problems(schema: dict[str, Any], routes: list[Any]) -> None:
    components = schema["components"]
    components["schemas"]["Problem"] = copy.deepcopy(PROBLEM_SCHEMA)
    components["securitySchemes"] = {
        BEARER_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key (`ipk_...`), sent as `Authorization: Bearer <api key>`; "
            "an administrator issues one per principal (`POST /v1/admin/principals`).",
        }
    }
    for route in (r for api_route in routes for r in described(schema, api_route)):
        document(route)
    for unused in ("HTTPValidationError", "ValidationError"):
        components["schemas"].pop(unused, None)
    describe(schema)


def document(route: Route) -> None:
    operation = route.operation
    responses = operation.setdefault("responses", {})
    if route.method == "PUT" and "200" in responses:  # a PUT creates (201) or replaces (200)
        responses.setdefault("201", {**responses["200"], "description": "Created"})
    responses.pop(FASTAPI_VALIDATION, None)
    for status, codes in sorted(problem_codes(route).items()):
        declared = responses.get(str(status), {}).get("description")
        responses[str(status)] = problem_response(status, codes, declared)
    for status, response in responses.items():  # declared on the route, no code derived
        if int(status) >= 400 and "content" not in response:
            response["content"] = {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}
    operation["responses"] = dict(sorted(responses.items()))
    document_success_headers(operation, route.method, route.calls)
    add_request_examples(operation)
    if route.authenticated:
        operation["security"] = [{BEARER_SCHEME: []}]
    if route.roles:
        operation["x-roles"] = list(route.roles)
    if route.method == "POST":
        operation.setdefault("parameters", []).append(copy.deepcopy(IDEMPOTENCY_KEY))
    for parameter in operation.get("parameters", []):
        if parameter["name"].lower() == "if-match":
            parameter.update(
                name="If-Match",
                description=IF_MATCH_DESCRIPTION,
                schema={"type": "string", "maxLength": 64},
                example='"3"',
            )


def problem_codes(route: Route) -> dict[int, list[str]]:
    """Status -> every code the operation can answer with it, derived (module docstring)."""
    codes: dict[int, set[str]] = {}
    for mechanism in MECHANISMS:
        if mechanism.applies(route):
            codes.setdefault(mechanism.status, set()).add(mechanism.code)
    for status, raised in codes_of(route.calls).items():
        codes.setdefault(status, set()).update(raised)
    if if_match not in route.calls:  # a version is only ever expected through If-Match
        codes.pop(412, None)
    return {status: sorted(found) for status, found in codes.items()}


def problem_response(status: int, codes: list[str], declared: str | None) -> dict[str, Any]:
    """One problem status of an operation: the shared `Problem`, its `code` one of ``codes``."""
    listed = ", ".join(f"`{c}`" for c in codes)
    response: dict[str, Any] = {
        "description": f"{declared or DESCRIPTIONS.get(status, 'Error')}. Codes: {listed}.",
        "content": {
            PROBLEM_JSON: {
                "schema": {
                    "allOf": [
                        {"$ref": PROBLEM_REF},
                        {"properties": {"code": {"enum": codes}}},
                    ]
                }
            }
        },
    }
    if RETRY_AFTER_CODES & set(codes):
        response["headers"] = {"Retry-After": header("Retry-After")}
    return response


def described(schema: dict[str, Any], route: Any) -> Iterator[Route]:
    if not route.include_in_schema:
        return
    dependants = list(walk(route.dependant))
    calls = frozenset(d.call for d in dependants if d.call is not None)
    for method in sorted(route.methods):
        yield Route(
            method=method,
            operation=schema["paths"][route.path_format][method.lower()],
            calls=calls,
            path_params=any(d.path_params for d in dependants),
            roles=roles_of(calls),
        )


def walk(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from walk(sub)


ROLE_CHECK = role_check("admin").__code__


def roles_of(calls: frozenset[Callable[..., Any]]) -> tuple[str, ...]:
    """The roles a ``role_check(...)`` dependency admits (kept in its closure)."""
    for call in calls:
        if getattr(call, "__code__", None) is ROLE_CHECK:
            return tuple(inspect.getclosurevars(call).nonlocals["roles"])
    return ()
