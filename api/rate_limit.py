"""Rate limiting of public endpoints (the search is open to anyone)."""

from __future__ import annotations

from fastapi import Request

from api.bootstrap import Container
from api.errors import ApiError


def limit_by_client(request: Request, container: Container) -> None:
    buckets = container.search_limits
    client = request.client.host if request.client else "unknown"
    wait = buckets.take(client)
    if wait > 0:
        raise ApiError(
            429,
            "rate_limited",
            "too many searches from this address; slow down",
            headers={"Retry-After": str(max(1, round(wait)))},
        )
