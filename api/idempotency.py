"""Idempotency-Key for every POST (SPEC §1), as ASGI middleware so no route can forget it.

Same key + same request -> the stored status and body again with `Idempotent-Replayed: true`
and no new events; same key + different request -> 422 idempotency_key_reused; same key while
the first is running -> 409 idempotency_key_in_flight. Keys are scoped to the principal.
"""

from __future__ import annotations

import hashlib
import json
import re

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.bootstrap import Container
from api.idempotency_store import IdempotencyStore
from api.problems import problem

HEADER = b"idempotency-key"
KEPT_HEADERS = ("content-type", "etag", "location", "x-log-position")
SF_STRING = re.compile(r'^"((?:[^"\\]|\\["\\])*)"$')
BEARER = re.compile(r"^Bearer\s+(\S+)\s*$", re.IGNORECASE)
# Shown once and stored only as a hash (SPEC §2): never kept for a replay, which shows null.
NEVER_STORED = ("api_key",)


def parse_key(raw: str) -> str | None:
    """Bare token or RFC 8941 string ("..."); 1-255 printable ASCII characters."""
    match = SF_STRING.match(raw)
    key = re.sub(r'\\(["\\])', r"\1", match.group(1)) if match else raw.strip()
    if not 1 <= len(key) <= 255 or not all(0x20 <= ord(c) < 0x7F for c in key):
        return None
    return key


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, container: Container) -> None:
        self.app = app
        self.container = container
        self.store = IdempotencyStore(container.db)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", []))
        if scope["type"] != "http" or scope["method"] != "POST" or HEADER not in headers:
            await self.app(scope, receive, send)
            return
        key = parse_key(headers[HEADER].decode("latin-1"))
        if key is None:
            await problem(
                400,
                "invalid_idempotency_key",
                "Idempotency-Key must be 1-255 printable ASCII characters",
            )(scope, receive, send)
            return
        auth = BEARER.match(headers.get(b"authorization", b"").decode("latin-1"))
        principal = auth and await run_in_threadpool(
            self.container.principals.authenticate, auth.group(1)
        )
        if not principal:
            await self.app(scope, receive, send)  # the route answers 401
            return
        body = await _read_body(receive)
        digest = hashlib.sha256(
            b"%s\n%s\n%s\n" % (scope["path"].encode(), scope.get("query_string", b""), body)
        ).hexdigest()
        now = self.container.clock.now()
        stored = await run_in_threadpool(self.store.claim, principal.id, key, digest, now)
        if stored is not None:
            await self._answer_existing(stored, digest, scope, receive, send)
            return
        await self._run_and_record(principal.id, key, body, scope, receive, send)

    async def _answer_existing(self, stored, digest, scope, receive, send) -> None:
        if stored.request_hash != digest:
            response = problem(
                422,
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request",
            )
        elif stored.state != "done":
            response = problem(
                409,
                "idempotency_key_in_flight",
                "a request with this Idempotency-Key is still being processed",
                headers={"Retry-After": "1"},
            )
        else:
            await _replay(stored, send)
            return
        await response(scope, _empty_receive, send)

    async def _run_and_record(
        self, principal_id: str, key: str, body: bytes, scope: Scope, receive: Receive, send: Send
    ) -> None:
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, _replaying(body, receive), capture)
        except BaseException:
            await run_in_threadpool(self.store.release, principal_id, key)
            raise
        status = start.get("status", 500)
        if status >= 500:
            await run_in_threadpool(self.store.release, principal_id, key)
            return
        kept = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start.get("headers", [])
        }
        kept = {k: v for k, v in kept.items() if k in KEPT_HEADERS}
        await run_in_threadpool(
            self.store.complete, principal_id, key, status, kept, _stored_body(b"".join(chunks))
        )


def _stored_body(body: bytes) -> str:
    text = body.decode("utf-8")
    if not any(f'"{name}"'.encode() in body for name in NEVER_STORED):
        return text
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return text
    if isinstance(document, dict):
        document.update({name: None for name in NEVER_STORED if name in document})
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


async def _read_body(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


def _replaying(body: bytes, original: Receive) -> Receive:
    """Hands the app the body we already read, then the client's real messages."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive


async def _empty_receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _replay(stored, send: Send) -> None:
    payload = (stored.body or "").encode("utf-8")
    headers = [(k.encode(), v.encode()) for k, v in stored.headers.items()]
    headers += [(b"idempotent-replayed", b"true"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": stored.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
