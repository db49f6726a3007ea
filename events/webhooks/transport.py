"""The HTTP side of a delivery, as an injected adapter (a fake in unit tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx

TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class Reply:
    status: int | None  # None: no HTTP answer (timeout, refused, TLS...)
    retry_after: str | None = None
    error: str | None = None


class Transport(Protocol):
    def post(self, url: str, headers: dict[str, str], body: bytes) -> Reply: ...


class HttpTransport:
    def __init__(self, timeout: float = TIMEOUT_SECONDS) -> None:
        # Redirects are not followed: a 3xx is a failed delivery (SPEC §10).
        self._client = httpx.Client(
            timeout=timeout, follow_redirects=False, limits=httpx.Limits(max_connections=100)
        )

    def post(self, url: str, headers: dict[str, str], body: bytes) -> Reply:
        try:
            response = self._client.post(url, headers=headers, content=body)
        except httpx.HTTPError as e:
            return Reply(None, error=f"{type(e).__name__}: {e}"[:500])
        return Reply(response.status_code, response.headers.get("retry-after"))

    def close(self) -> None:
        self._client.close()
