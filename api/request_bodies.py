"""Request bodies at the edge: capped in size and, on JSON routes, declared as JSON.

Runs after authentication and before anything reads a body. A body whose Content-Length passes
the cap is refused before one byte is read; a chunked body as soon as the count passes it. The
cap is IPLEDGE_MAX_BODY_BYTES, or a larger one for the paths that stream their body (the JSON
Lines import, IPLEDGE_MAX_IMPORT_BYTES), which also take no JSON media type.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem

WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


class BodyTooLarge(HTTPException):
    """Raised by the counting receive: whoever is reading (a route, FastAPI, the idempotency
    middleware) stops, and a 413 problem answers if no response has started."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is limited to {limit} bytes")


def too_large(limit: int):
    return problem(413, "payload_too_large", BodyTooLarge(limit).detail)


def declared_length(headers: Headers) -> int | None:
    """Content-Length, or None when the body is chunked (or the header is unusable)."""
    value = headers.get("content-length", "")
    return int(value) if value.isdigit() else None


def has_body(headers: Headers) -> bool:
    return "transfer-encoding" in headers or (declared_length(headers) or 0) > 0


def json_media_type_problem(content_type: str | None) -> str | None:
    """Why a JSON route cannot take this Content-Type, or None if it can."""
    media, *params = (content_type or "").split(";")
    media = media.strip().lower()
    json_type = media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )
    if not json_type:
        return f"send Content-Type: application/json, not {media or 'nothing'}"
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            return "JSON bodies are UTF-8; drop the charset or make it utf-8"
    return None


class RequestBodies:
    def __init__(self, app: ASGIApp, max_bytes: int, streamed: Mapping[str, int]) -> None:
        """``streamed``: path -> cap for routes that read their body as a stream, not JSON."""
        self.app = app
        self.max_bytes = max_bytes
        self.streamed = dict(streamed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = self.streamed.get(scope["path"], self.max_bytes)
        if (declared_length(headers) or 0) > limit:
            await too_large(limit)(scope, receive, send)
            return
        if (wrong_type := self._wrong_media_type(scope, headers)) is not None:
            await problem(415, "unsupported_media_type", wrong_type)(scope, receive, send)
            return
        await self._counted(scope, receive, send, limit)

    def _wrong_media_type(self, scope: Scope, headers: Headers) -> str | None:
        if scope["method"] not in WITH_BODY or scope["path"] in self.streamed:
            return None
        if not scope["path"].startswith("/v1/"):  # the console's HTML forms are not JSON
            return None
        if not has_body(headers):
            return None
        return json_media_type_problem(headers.get("content-type"))

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if started:
                raise
            await too_large(limit)(scope, receive, send)
