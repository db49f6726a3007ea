"""What every group of methods shares: the HTTP session, JSON in and out, models with their ETag
and log position, If-Match from a resource, and cursor pages walked to the end."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

import httpx

from ipledge_client._transport import RetryPolicy, Transport

USER_AGENT = "ipledge-client-python/0.1"


class FromJson(Protocol):
    @classmethod
    def from_json(cls, data: dict[str, Any], etag: str | None = None) -> Any: ...


M = TypeVar("M")


def segment(value: object) -> str:
    """One path segment, escaped (a number may hold characters a path cannot)."""
    return quote(str(value), safe="")


def target(resource: Any, if_match: str | None) -> tuple[str, str | None]:
    """(id, If-Match) for a resource given as a model (its ETag is carried) or as a bare id."""
    if isinstance(resource, str):
        return resource, if_match
    return str(resource.id), if_match or resource.etag


class ClientBase:
    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """``base_url`` like ``https://ipledge.example.cn``; ``api_key`` is sent as a bearer
        token. ``transport`` lets tests put an httpx mock or ASGI transport underneath."""
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )
        self.transport = Transport(self.http, retry or RetryPolicy(), sleep)

    def close(self) -> None:
        self.http.close()

    def __enter__(self: M) -> M:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        if_match: str | None = None,
        idempotency_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if if_match:
            sent["If-Match"] = if_match
        return self.transport.request(
            method,
            path,
            json=json,
            params=params,
            headers=sent,
            content=content,
            idempotency_key=idempotency_key,
        )

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._call(method, path, **kwargs)
        return response.json() if response.content else None

    def _model(self, cls: type[FromJson], method: str, path: str, **kwargs: Any) -> Any:
        response = self._call(method, path, **kwargs)
        model = cls.from_json(response.json(), response.headers.get("ETag"))
        position = response.headers.get("X-Log-Position")
        return dataclasses.replace(
            model,
            log_position=int(position) if position else None,
            replayed=response.headers.get("Idempotent-Replayed") == "true",
        )

    def _pages(
        self, path: str, params: Mapping[str, Any], page_size: int
    ) -> Iterator[dict[str, Any]]:
        """Every item of a ``{"items", "next_cursor"}`` list, page after page."""
        query = {**params, "limit": page_size}
        while True:
            page = self._json("GET", path, params=query)
            yield from page["items"]
            if not page.get("next_cursor"):
                return
            query["cursor"] = page["next_cursor"]

    def _positions(
        self, path: str, params: Mapping[str, Any], after: int, page_size: int
    ) -> Iterator[dict[str, Any]]:
        """Every item of an ``{"items", "next_after"}`` log, from position ``after`` on."""
        while True:
            page = self._json("GET", path, params={**params, "after": after, "limit": page_size})
            yield from page["items"]
            if page.get("next_after") is None or not page["items"]:
                return
            after = page["next_after"]
