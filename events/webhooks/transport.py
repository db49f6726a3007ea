"""The HTTP side of a delivery, as an injected adapter (a fake in unit tests).

contract §10: a 2xx within 15 s is delivered. httpx's and httpcore's timeouts bound each read and
write, not the request, so a receiver trickling bytes could hold an attempt for ever; here the
whole attempt (lookup, connect, TLS, send, wait for the status line) runs as one coroutine under
``asyncio.wait_for`` on a dedicated event-loop thread, and an answer after the deadline is a
failed attempt. Only the status and ``Retry-After`` matter, so the body is never read.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ssl
import threading
from dataclasses import dataclass
from typing import Protocol

import httpcore

from events.webhooks.pinned import PinnedBackend
from events.webhooks.url_guard import TargetGuard, UnsafeTarget, check_form

DEADLINE_SECONDS = 15.0
TRANSPORT_ERRORS = (
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
)


@dataclass(frozen=True)
class Reply:
    status: int | None  # None: no HTTP answer (timeout, refused, TLS...)
    retry_after: str | None = None
    error: str | None = None


class Transport(Protocol):
    def post(self, url: str, headers: dict[str, str], body: bytes) -> Reply: ...


class HttpTransport:
    """Redirects are not followed (a 3xx is a failed delivery) and no proxy is used: the
    connection goes to an address the guard checked (events/webhooks/pinned.py)."""

    def __init__(
        self,
        guard: TargetGuard | None = None,
        deadline: float = DEADLINE_SECONDS,
        backend: httpcore.AsyncNetworkBackend | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """``ssl_context``: whom to trust for https (default: the system's CAs)."""
        self.deadline = deadline
        self._backend = backend or PinnedBackend(guard or TargetGuard())
        self._ssl_context = ssl_context
        self._lock = threading.Lock()
        self._running: _Running | None = None

    def _started(self) -> _Running:
        """The event loop and connection pool of every send, started by the first one."""
        with self._lock:
            if self._running is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="ipledge-webhook-http", daemon=True
                )
                thread.start()
                pool = httpcore.AsyncConnectionPool(
                    ssl_context=self._ssl_context,
                    max_connections=100,
                    network_backend=self._backend,
                )
                self._running = _Running(loop, thread, pool)
            return self._running

    def post(self, url: str, headers: dict[str, str], body: bytes) -> Reply:
        running = self._started()
        future = asyncio.run_coroutine_threadsafe(
            self._attempt(running.pool, url, headers, body), running.loop
        )
        try:
            # The coroutine keeps its own deadline; this margin only guards a wedged loop.
            return future.result(self.deadline + 5)
        except concurrent.futures.TimeoutError:
            future.cancel()
            return self._late()

    async def _attempt(
        self, pool: httpcore.AsyncConnectionPool, url: str, headers: dict[str, str], body: bytes
    ) -> Reply:
        try:
            return await asyncio.wait_for(self._send(pool, url, headers, body), self.deadline)
        except TimeoutError:
            return self._late()
        except UnsafeTarget as e:
            return Reply(None, error=e.detail)
        except TRANSPORT_ERRORS as e:
            return Reply(None, error=f"{type(e).__name__}: {e}"[:500])

    async def _send(
        self, pool: httpcore.AsyncConnectionPool, url: str, headers: dict[str, str], body: bytes
    ) -> Reply:
        parts = check_form(url)
        fields = [
            ("Host", parts.netloc),
            *headers.items(),
            ("Content-Length", str(len(body))),
        ]
        timeouts = {k: self.deadline for k in ("connect", "read", "write", "pool")}
        async with pool.stream(
            "POST", url, headers=fields, content=body, extensions={"timeout": timeouts}
        ) as response:
            retry_after = next(
                (v.decode("latin-1") for k, v in response.headers if k.lower() == b"retry-after"),
                None,
            )
            return Reply(response.status, retry_after)

    def _late(self) -> Reply:
        return Reply(None, error=f"timeout: no answer within {self.deadline:g} s")

    def close(self) -> None:
        with self._lock:
            running, self._running = self._running, None
        if running is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(running.pool.aclose(), running.loop).result(5)
        except (concurrent.futures.TimeoutError, *TRANSPORT_ERRORS):
            pass  # closing idle connections is best effort at shutdown
        running.loop.call_soon_threadsafe(running.loop.stop)
        running.thread.join(5)
        if not running.thread.is_alive():
            running.loop.close()


@dataclass(frozen=True)
class _Running:
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    pool: httpcore.AsyncConnectionPool
