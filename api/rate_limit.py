"""Rate limiting of public endpoints (the search is open to anyone)."""

from __future__ import annotations

from fastapi import Depends, Request

from api.deps import ContainerDep
from api.errors import ApiError


def rate_limited(request: Request, container: ContainerDep) -> None:
    """A dependency, so the route (and its OpenAPI 429) says it is rate-limited."""
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


RateLimited = Depends(rate_limited)
