"""Idempotency-Key for every POST (contract §1), as ASGI middleware so no route can forget it.

Same key + same request -> the stored status and body again with `Idempotent-Replayed: true`
and no new events; same key + different request -> 422 idempotency_key_reused; same key while
the first is running -> 409 idempotency_key_in_flight. Keys are scoped to the principal.

Only a request that completed (2xx: it wrote) is stored for replay, and it is recorded before
its response leaves, so a retry after the response is always a replay. Any other outcome (4xx:
nothing was written; 5xx) releases the key: the client may correct or retry with the same key.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth_gate import principal_of
from api.idempotency_store import IdempotencyStore, Stored
from api.problems import problem
from api.spooled_body import SpooledBody
from events.clock import Clock

log = logging.getLogger("ipledge.idempotency")
HEADER = b"idempotency-key"
KEPT_HEADERS = ("content-type", "etag", "location", "x-log-position")
SF_STRING = re.compile(r'^"((?:[^"\\]|\\["\\])*)"$')
# Shown once and stored only as a hash (contract §2): never kept for a replay, which shows null.
NEVER_STORED = ("api_key",)


def parse_key(raw: str) -> str | None:
    """Bare token or RFC 8941 string ("..."); 1-255 printable ASCII characters."""
    match = SF_STRING.match(raw)
    key = re.sub(r'\\(["\\])', r"\1", match.group(1)) if match else raw.strip()
    if not 1 <= len(key) <= 255 or not all(0x20 <= ord(c) < 0x7F for c in key):
        return None
    return key


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, store: IdempotencyStore, wall_clock: Clock) -> None:
        self.app = app
        self.store = store
        self.wall_clock = wall_clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", []))
        principal = principal_of(scope) if scope["type"] == "http" else None
        if principal is None or scope["method"] != "POST" or HEADER not in headers:
            await self.app(scope, receive, send)
            return
        key = parse_key(headers[HEADER].decode("latin-1"))
        if key is None:
            detail = "Idempotency-Key must be 1-255 printable ASCII characters"
            await problem(400, "invalid_idempotency_key", detail)(scope, receive, send)
            return
        fingerprint = hashlib.sha256(
            b"%s\n%s\n" % (scope["path"].encode(), scope.get("query_string", b""))
        )
        with SpooledBody() as body:
            await body.read(receive, fingerprint.update)  # all of it, before the claim
            fingerprint.update(b"\n")
            digest = fingerprint.hexdigest()
            now = self.wall_clock.now()
            stored = await run_in_threadpool(self.store.claim, principal.id, key, digest, now)
            if stored is not None:
                await _answer_existing(stored, digest, scope, send)
                return
            await self._run_and_record(principal.id, key, scope, body.replay(receive), send)

    async def _run_and_record(
        self, principal_id: str, key: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        start: Message = {}
        chunks: list[bytes] = []
        settled = False

        async def hold_until_recorded(message: Message) -> None:
            nonlocal settled
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    body = b"".join(chunks)
                    await self._settle(principal_id, key, start, body)
                    settled = True
                    await send(start)
                    await send({"type": "http.response.body", "body": body})
            else:
                await send(message)

        try:
            await self.app(scope, receive, hold_until_recorded)
        finally:
            if not settled:  # the app failed or gave no answer: nothing to replay
                await run_in_threadpool(self.store.release, principal_id, key)

    async def _settle(self, principal_id: str, key: str, start: Message, body: bytes) -> None:
        """Records a 2xx for replay; releases the key for any other outcome. A failure to
        record is logged, and the response still goes out: the request did its work."""
        status = start["status"]
        try:
            if 200 <= status < 300:
                kept = _kept_headers(start)
                await run_in_threadpool(
                    self.store.complete, principal_id, key, status, kept, _stored_body(body)
                )
            else:
                await run_in_threadpool(self.store.release, principal_id, key)
        except Exception:
            log.exception("could not settle an idempotency key", extra={"status": status})


async def _answer_existing(stored: Stored, digest: str, scope: Scope, send: Send) -> None:
    if stored.request_hash != digest:
        detail = "this Idempotency-Key was used for a different request"
        response = problem(422, "idempotency_key_reused", detail)
    elif stored.state != "done":
        detail = "a request with this Idempotency-Key is still being processed"
        response = problem(409, "idempotency_key_in_flight", detail, headers={"Retry-After": "1"})
    else:
        await _replay(stored, send)
        return
    await response(scope, _empty_receive, send)


def _kept_headers(start: Message) -> dict[str, str]:
    pairs = ((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in start["headers"])
    return {k: v for k, v in pairs if k in KEPT_HEADERS}


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


async def _empty_receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _replay(stored: Stored, send: Send) -> None:
    payload = (stored.body or "").encode("utf-8")
    headers = [(k.encode(), v.encode()) for k, v in stored.headers.items()]
    headers += [(b"idempotent-replayed", b"true"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": stored.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
