"""The console calls the registry through its own HTTP contract, in process.

A console page is one more client of `/v1`: its requests enter the application just below the
authentication gate, with the session's principal already in the request scope, so the same
routes, services, visibility rules, validation and problem documents answer the browser as answer
any program. There is no second set of rules here, and no SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth_gate import SCOPE_KEY, AuthGate
from api.principals import Principal
from registry.actors import acting_as

if TYPE_CHECKING:
    import httpx


def below_the_gate(app: FastAPI) -> ASGIApp:
    """The layer the authentication gate hands authenticated requests to."""
    layer: Any = app.middleware_stack or app.build_middleware_stack()
    if app.middleware_stack is None:
        app.middleware_stack = layer
    while layer is not None and not isinstance(layer, AuthGate):
        layer = getattr(layer, "app", None)
    if layer is None:
        raise RuntimeError("the application has no authentication gate")
    return layer.app


@dataclass
class Answer:
    status: int
    body: Any
    headers: httpx.Headers

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def problem(self) -> dict[str, Any]:
        return self.body if isinstance(self.body, dict) and not self.ok else {}


class Api:
    """`/v1` as the given principal (None: only the public routes answer)."""

    def __init__(self, request: Request, principal: Principal | None) -> None:
        app = request.app
        inner = below_the_gate(app)

        async def as_principal(scope: Scope, receive: Receive, send: Send) -> None:
            scope["app"] = app  # what Starlette's own entry sets; the routes' dependencies read it
            if principal is None:
                await inner(scope, receive, send)
                return
            scope.setdefault("state", {})[SCOPE_KEY] = principal
            with acting_as(principal.actor):  # what the gate does for every request it passes
                await inner(scope, receive, send)

        import httpx  # here: start-up need not import it before the console is used

        client = (request.client.host, request.client.port) if request.client else ("", 0)
        self._transport = httpx.ASGITransport(app=as_principal, client=client)

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        query = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        import httpx

        async with httpx.AsyncClient(
            transport=self._transport, base_url="http://console.internal"
        ) as client:
            response = await client.request(method, path, params=query, json=json, headers=headers)
        content_type = response.headers.get("content-type", "")
        body: Any = response.json() if "json" in content_type else response.text
        return Answer(response.status_code, body, response.headers)

    async def get(self, path: str, **params: Any) -> Answer:
        return await self.call("GET", path, params=params)

    async def post(self, path: str, body: Any, version: str | None = None) -> Answer:
        headers = {"If-Match": f'"{version}"'} if version else None
        return await self.call("POST", path, json=body, headers=headers)
