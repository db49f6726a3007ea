"""The one place where errors become HTTP problem responses."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api.problems import problem, problem_with
from events.outages import is_store_unavailable
from events.projections.runner import ProjectionLagging
from kernel.errors import (
    Conflict,
    DomainError,
    InvalidValue,
    NotFound,
    RuleViolation,
    VersionMismatch,
)

log = logging.getLogger("ipledge.api")
HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
}


class ApiError(Exception):
    """Raised by the HTTP layer itself (auth, headers); never by domain code."""

    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.extra = status, code, detail, extra


def status_for(error: DomainError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, VersionMismatch):
        return 412
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, RuleViolation):
        return 422
    return 400


def field_path(loc: tuple[Any, ...]) -> str:
    """('body', 'items', 0, 'number') -> 'items[0].number'."""
    path = ""
    for part in loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part not in ("function-after", "function-before") and not str(part).startswith(
            ("function-", "constrained-")
        ):
            path += ("." if path else "") + str(part)
    return path


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> Any:
        headers = dict(exc.extra.pop("headers", None) or {})
        if exc.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return problem(exc.status, exc.code, exc.detail, headers=headers or None, **exc.extra)

    @app.exception_handler(InvalidValue)
    async def _invalid_value(_: Request, exc: InvalidValue) -> Any:
        # A validation_error always lists its errors (contract §1), even with no single field.
        errors = (
            [{"field": exc.field, "message": exc.detail}]
            if exc.field or exc.code == "validation_error"
            else None
        )
        if exc.code != "validation_error" or not exc.field:
            return problem_with(422, exc.code, exc.detail, {**exc.extra, "errors": errors})
        return problem(422, "validation_error", exc.detail, errors=errors)

    @app.exception_handler(DomainError)
    async def _domain_error(_: Request, exc: DomainError) -> Any:
        return problem_with(status_for(exc), exc.code, exc.detail, exc.extra)

    @app.exception_handler(ProjectionLagging)
    async def _lagging(_: Request, exc: ProjectionLagging) -> Any:
        return problem(503, "projection_lagging", str(exc), headers={"Retry-After": "1"})

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> Any:
        # No caller is anonymous here: the auth gate answered 401 before any body was read.
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return problem(400, "malformed_json", "the request body is not valid JSON")
        items = [
            {"field": field_path(tuple(e["loc"])), "message": error_message(e)} for e in errors
        ]
        detail = "; ".join(f"{i['field'] or 'body'}: {i['message']}" for i in items[:5])
        return problem(422, "validation_error", detail, errors=items)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Any:
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            # FastAPI could not decode the JSON body (not UTF-8, say).
            return problem(400, "malformed_json", "the request body is not valid UTF-8 JSON")
        code = HTTP_CODES.get(exc.status_code, "http_error")
        detail = exc.detail if isinstance(exc.detail, str) else code
        if exc.status_code == 404 and detail == "Not Found":
            detail = "no such resource"
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405 and (allowed := _allowed_methods(request)):
            headers = {**(headers or {}), "Allow": ", ".join(allowed)}
        return problem(exc.status_code, code, detail, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Any:
        # Also reached from the middlewares (auth gate, idempotency), not only the routes.
        if is_store_unavailable(exc):
            log.error("database unavailable", extra={"path": request.url.path, "error": str(exc)})
            return problem(
                503,
                "store_unavailable",
                "the database cannot be reached right now; retry later",
                headers={"Retry-After": "5"},
            )
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem(500, "internal_error", "an unexpected error occurred; it was logged")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route takes at this path (Starlette names only the first route's);
    ``app.state.api_routes`` lists the routes (api/main.py)."""
    methods: set[str] = set()
    for route in getattr(request.app.state, "api_routes", ()):
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    if "GET" in methods:
        methods.add("HEAD")  # api/middleware.py answers HEAD as GET
    return sorted(methods)


def error_message(error: Mapping[str, object]) -> str:
    """A pydantic error's message for a problem's ``errors[].message``."""
    if error.get("type") == "string_unicode":  # JSON "\ud800": no store can keep it
        return "text must be valid Unicode (no unpaired surrogate code points)"
    message = str(error.get("msg", "invalid"))
    return message.removeprefix("Value error, ")
