"""HTTP hygiene around every request: a request id, access logs and metrics, HEAD, the length of
the request target, and closing connections whose request body was left unread."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.logs import request_id
from api.metrics import LATENCY, REQUESTS
from api.problems import problem
from api.request_bodies import has_body

log = logging.getLogger("ipledge.access")
SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
# Path plus query string; longer targets are refused (no route or cursor needs more).
MAX_TARGET_BYTES = 8 * 1024
CLIENT_GONE = 499  # nginx's status for a client that went away before its answer


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except ClientDisconnect:  # gone mid-body: nothing was written, nobody to answer
            status = CLIENT_GONE
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            REQUESTS.labels(scope["method"], template, str(status)).inc()
            LATENCY.labels(scope["method"], template).observe(elapsed)
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
            request_id.reset(token)


class CloseUnreadBodies:
    """An answer given before the request body was read (401, 404, 413, ...) closes the
    connection, so the client stops sending and the server stops receiving what it refused."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not has_body(Headers(scope=scope)):
            await self.app(scope, receive, send)
            return
        body_read = False

        async def watching_receive() -> Message:
            nonlocal body_read
            message = await receive()
            if message["type"] == "http.request" and not message.get("more_body", False):
                body_read = True
            return message

        async def closing_send(message: Message) -> None:
            if message["type"] == "http.response.start" and not body_read:
                message["headers"] = [*message.get("headers", []), (b"connection", b"close")]
            await send(message)

        await self.app(scope, watching_receive, closing_send)


class HeadAsGet:
    """HEAD is GET without the content (RFC 9110 §9.3.2); FastAPI routes only declare GET."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_content(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        as_get = {**scope, "method": "GET"}
        await self.app(as_get, receive, without_content)
        if "route" in as_get:  # for the access log and metrics outside
            scope["route"] = as_get["route"]


class TargetLimit:
    """Refuses request targets (path and query) longer than MAX_TARGET_BYTES with 414."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope.get("raw_path") or scope["path"].encode()
            if len(path) + len(scope.get("query_string", b"")) > MAX_TARGET_BYTES:
                detail = f"the path and query string are limited to {MAX_TARGET_BYTES} bytes"
                await problem(414, "uri_too_long", detail)(scope, receive, send)
                return
        await self.app(scope, receive, send)
