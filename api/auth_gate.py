"""Authentication at the edge, before anything reads a request body.

Every `/v1/` request except the few public routes must carry a live API key. The gate checks it
from the Authorization header alone and stores the principal in the request scope, where the
`authenticate` dependency finds it, and makes it the actor of every command the request runs
(registry.actors.acting_as). So an anonymous caller gets `401` before the server reads,
buffers or parses one byte of its body (contract §1: auth first), whatever the body holds. An
anonymous caller of an unknown `/v1/` path also gets `401`: which paths exist is not public.
Everything outside `/v1/` (health, metrics, OpenAPI, docs) is public.
"""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from api.principals import Principal, PrincipalStore
from api.problems import problem
from registry.actors import acting_as

# The /v1/ routes that need no key (exact paths): a search certificate must be checkable by anyone.
PUBLIC_V1_PATHS = frozenset({"/v1/search", "/v1/audit/public-key"})
BEARER = re.compile(r"^Bearer\s+(\S+)\s*$", re.IGNORECASE)
SCOPE_KEY = "principal"


def is_protected(path: str) -> bool:
    return path.startswith("/v1/") and path not in PUBLIC_V1_PATHS


def principal_of(scope: Scope) -> Principal | None:
    """The caller the gate authenticated, or None on a public path."""
    return scope.get("state", {}).get(SCOPE_KEY)


def unauthenticated(detail: str) -> JSONResponse:
    return problem(401, "unauthenticated", detail, headers={"WWW-Authenticate": "Bearer"})


class AuthGate:
    def __init__(self, app: ASGIApp, principals: PrincipalStore) -> None:
        self.app = app
        self.principals = principals

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_protected(scope["path"]):
            await self.app(scope, receive, send)
            return
        header = Headers(scope=scope).get("authorization")
        if header is None:
            await unauthenticated("send Authorization: Bearer <api key>")(scope, receive, send)
            return
        match = BEARER.match(header)
        principal = None
        if match is not None:  # no thread hop for a key this process checked just now
            principal = self.principals.remembered(match[1]) or await run_in_threadpool(
                self.principals.authenticate, match[1]
            )
        if principal is None:
            await unauthenticated("the API key is unknown or revoked")(scope, receive, send)
            return
        scope.setdefault("state", {})[SCOPE_KEY] = principal
        with acting_as(principal.actor):  # every command of this request acts for the caller
            await self.app(scope, receive, send)
