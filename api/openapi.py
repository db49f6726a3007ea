"""The OpenAPI document names every status an operation can answer.

FastAPI documents only the success status and its own 422. The problem responses (RFC 9457)
are derived here from each route — its method, path parameters, body and dependencies
(authentication, a role check, If-Match, a wait for ``min_position``, rate limiting) — so a new
route is documented without being listed; ``x-roles`` names the roles its role check admits.
A status a route raises by itself, outside those mechanisms, is declared on the route with
``responses={status: {"description": ...}}``. Every 4xx/5xx response in the document, derived
or declared, is an ``application/problem+json`` `Problem`."""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import fastapi.routing
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.deps import authenticate, if_match, role_check
from api.problems import PROBLEM_JSON
from api.rate_limit import rate_limited

BEARER_SCHEME = "bearer"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

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

IDEMPOTENCY_KEY: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Replays the first response for 24 h (per principal) instead of acting twice",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}


@dataclass(frozen=True)
class Route:
    """What the document needs to know about one operation."""

    method: str
    operation: dict[str, Any]
    calls: frozenset[Callable[..., Any]]
    path_params: bool
    query_params: frozenset[str]
    body_refers_to_resource: bool
    roles: tuple[str, ...]  # empty: any authenticated principal (or public)

    @property
    def authenticated(self) -> bool:
        return authenticate in self.calls

    @property
    def has_body(self) -> bool:
        return "requestBody" in self.operation

    @property
    def has_input(self) -> bool:
        return self.has_body or bool(self.operation.get("parameters"))


@dataclass(frozen=True)
class Problem:
    description: str
    codes: tuple[str, ...]  # a later refinement can narrow them per operation
    applies: Callable[[Route], bool]

    def response(self) -> dict[str, Any]:
        codes = ", ".join(f"`{c}`" for c in self.codes)
        return {"description": f"{self.description}. Codes: {codes}."}


PROBLEMS: dict[int, Problem] = {
    400: Problem(
        "Malformed request: a body that is not JSON, or an invalid header",
        ("malformed_json", "malformed_body", "invalid_idempotency_key"),
        lambda r: r.has_body or r.method == "POST",
    ),
    401: Problem("No valid API key", ("unauthenticated",), lambda r: r.authenticated),
    403: Problem("The caller's role may not do this", ("forbidden",), lambda r: r.authenticated),
    404: Problem(
        "The resource, or one the request names, does not exist or is not visible to the caller",
        ("not_found",),
        lambda r: r.path_params or r.body_refers_to_resource,
    ),
    409: Problem(
        "The resource's state does not allow this, or the same Idempotency-Key is in flight",
        ("invalid_state", "concurrency_conflict", "idempotency_key_in_flight"),
        lambda r: r.method in WRITE_METHODS,
    ),
    412: Problem(
        "If-Match is not the resource's current version",
        ("version_mismatch",),
        lambda r: if_match in r.calls,
    ),
    413: Problem("The request body is too large", ("payload_too_large",), lambda r: r.has_body),
    415: Problem(
        "The body's media type is not accepted", ("unsupported_media_type",), lambda r: r.has_body
    ),
    422: Problem(
        "Validation failed (`errors` lists the fields), a business rule was broken (the rule's "
        "own code, e.g. `appraisal_required`), or the Idempotency-Key named another request",
        ("validation_error", "idempotency_key_reused"),
        lambda r: r.has_input or r.method == "POST",
    ),
    429: Problem(
        "Too many requests; retry after Retry-After seconds",
        ("rate_limited",),
        lambda r: rate_limited in r.calls,
    ),
    503: Problem(
        "The database cannot be reached right now (`store_unavailable`), or read models did not "
        "reach `min_position` within 5 s (`projection_lagging`); retry after Retry-After seconds",
        ("store_unavailable", "projection_lagging"),
        lambda r: True,
    ),
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
        BEARER_SCHEME: {"type": "http", "scheme": "bearer", "description": "an API key"}
    }
    for route in (r for api_route in routes for r in described(schema, api_route)):
        document(route)
    for unused in ("HTTPValidationError", "ValidationError"):
        components["schemas"].pop(unused, None)


def document(route: Route) -> None:
    operation = route.operation
    responses = operation.setdefault("responses", {})
    if route.method == "PUT" and "200" in responses:  # a PUT creates (201) or replaces (200)
        responses.setdefault("201", {**responses["200"], "description": "Created"})
    for status, problem in PROBLEMS.items():
        declared = responses.get(str(status))
        if problem.applies(route) and (declared is None or str(status) == FASTAPI_VALIDATION):
            responses[str(status)] = problem.response()
    for status, response in responses.items():
        if int(status) >= 400:
            response["content"] = {PROBLEM_JSON: {"schema": problem_response(status)}}
    operation["responses"] = dict(sorted(responses.items()))
    if route.authenticated:
        operation["security"] = [{BEARER_SCHEME: []}]
    if route.roles:
        operation["x-roles"] = list(route.roles)
    if route.method == "POST":
        operation.setdefault("parameters", []).append(copy.deepcopy(IDEMPOTENCY_KEY))


def problem_response(_status: str) -> dict[str, Any]:
    """The schema of one problem response (one place to add per-operation `code` enums)."""
    return {"$ref": "#/components/schemas/Problem"}


def described(schema: dict[str, Any], route: Any) -> Iterator[Route]:
    if not route.include_in_schema:
        return
    dependants = list(walk(route.dependant))
    calls = frozenset(d.call for d in dependants if d.call is not None)
    queries = frozenset(p.name for d in dependants for p in d.query_params)
    for method in sorted(route.methods):
        yield Route(
            method=method,
            operation=schema["paths"][route.path_format][method.lower()],
            calls=calls,
            path_params=any(d.path_params for d in dependants),
            query_params=queries,
            body_refers_to_resource=refers_to_resource(route),
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


def refers_to_resource(route: Any) -> bool:
    """A body naming another resource by id (``pledge_id``) may name one that is not there."""
    model = route.body_field.field_info.annotation if route.body_field else None
    fields = getattr(model, "model_fields", {})
    return any(f.annotation is UUID or f.annotation == UUID | None for f in fields.values())
