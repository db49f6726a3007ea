"""An httpcore network backend that connects only to addresses it has resolved and checked.

httpcore asks the backend for a TCP stream to the URL's host name; this one resolves the name
once (in a worker thread: lookups block), has the guard check every address, and connects to
one of those very addresses. httpcore keeps using the host name for the Host header, TLS SNI
and certificate verification, so HTTPS still proves the receiver's identity.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import httpcore

from events.webhooks.url_guard import TargetGuard

SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)
SocketOptions = Iterable[SocketOption] | None


class PinnedBackend(httpcore.AsyncNetworkBackend):
    def __init__(
        self, guard: TargetGuard, inner: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        self.guard = guard
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: SocketOptions = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        addresses = await loop.run_in_executor(None, self.guard.resolve, host, port)
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as e:
                failure = e  # try the next checked address, as a resolver's caller would
        assert failure is not None  # resolve() returns at least one address or raises
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: SocketOptions = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("webhooks are sent over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
