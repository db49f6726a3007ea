"""Calling the app at the ASGI level, where httpx cannot reach: counting how much of a request
body the app pulled, disconnecting mid-body, sending odd header bytes, acting while the
response is being sent."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message


@dataclass
class Exchange:
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    pulled: int = 0  # request body bytes the app received

    def json(self) -> Any:
        return json.loads(self.body)


async def exchange(
    app: ASGIApp,
    method: str,
    path: str,
    headers: Sequence[tuple[str, str | bytes]] = (),
    chunks: Sequence[bytes] = (b"",),
    *,
    disconnect: bool = False,
    on_send: Callable[[Message], Awaitable[None]] | None = None,
) -> Exchange:
    """One request: ``chunks`` are its body messages; ``disconnect`` drops the client after
    them instead of ending the body; ``on_send`` sees each response message before the client."""
    result = Exchange()
    pending = list(chunks)

    async def receive() -> Message:
        if not pending:
            return {"type": "http.disconnect"}
        chunk = pending.pop(0)
        result.pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending) or disconnect}

    async def send(message: Message) -> None:
        if on_send is not None:
            await on_send(message)
        if message["type"] == "http.response.start":
            result.status = message["status"]
            result.headers = {k.decode(): v.decode("latin-1") for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            result.body += message.get("body", b"")

    target, _, query = path.partition("?")
    raw = [(k.lower().encode(), v if isinstance(v, bytes) else v.encode()) for k, v in headers]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": target,
        "raw_path": target.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": raw,
        "client": ("127.0.0.1", 50000),
        "server": ("ipledge.test", 80),
    }
    await app(scope, receive, send)
    return result


def json_headers(key: str, body: bytes, *extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [
        ("authorization", f"Bearer {key}"),
        ("content-type", "application/json"),
        ("content-length", str(len(body))),
        *extra,
    ]
