"""FastAPI dependencies: the container, the caller, role checks, headers."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request

from api.auth_gate import principal_of
from api.bootstrap import Container
from api.errors import ApiError
from api.principals import Principal
from api.schemas.common import Cursor, Instant, Position

VERSION_ETAG = re.compile(r'^(?:W/)?"?([0-9]{1,18})"?$')


# The cheap dependencies are coroutines: FastAPI runs a plain function dependency on the thread
# pool, one hop per dependency per request, for what is a dictionary look-up.
async def get_container(request: Request) -> Container:
    return request.app.state.container


ContainerDep = Annotated[Container, Depends(get_container)]


async def authenticate(request: Request) -> Principal:
    """The caller the edge authenticated (api/auth_gate.py) before any body was read."""
    principal = principal_of(request.scope)
    if principal is None:  # a public path asked for a caller: refuse rather than guess
        raise ApiError(401, "unauthenticated", "send Authorization: Bearer <api key>")
    return principal


PrincipalDep = Annotated[Principal, Depends(authenticate)]


def role_check(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting callers of one of ``roles`` (api/openapi.py reads them back)."""

    async def check(principal: PrincipalDep) -> Principal:
        if principal.role not in roles:
            raise ApiError(
                403,
                "forbidden",
                f"this operation needs the role {' or '.join(roles)}; you are {principal.role}",
            )
        return principal

    return check


# The caller, admitted only in that role: a parameter ``_: Admin`` guards a route.
Admin = Annotated[Principal, Depends(role_check("admin"))]
Bank = Annotated[Principal, Depends(role_check("bank"))]
IPOffice = Annotated[Principal, Depends(role_check("ip_office"))]
TradingCentre = Annotated[Principal, Depends(role_check("trading_centre"))]
DisposalPlatform = Annotated[Principal, Depends(role_check("disposal_platform"))]
Fund = Annotated[Principal, Depends(role_check("compensation_fund"))]
Regulator = Annotated[Principal, Depends(role_check("regulator"))]


async def if_match(if_match: Annotated[str | None, Header()] = None) -> int | None:
    """Parses If-Match: "3" (or W/"3"); '*' means any version."""
    if if_match is None or if_match.strip() == "*":
        return None
    match = VERSION_ETAG.match(if_match.strip())
    if match is None:  # ASCII digits only: "²" is a digit to str.isdigit, not to int()
        raise ApiError(412, "version_mismatch", 'If-Match must be a version ETag such as "3"')
    return int(match.group(1))


IfMatch = Annotated[int | None, Depends(if_match)]


def MinPosition(*projections: str) -> Any:
    """A list's ``?min_position=n`` (contract §1): waits until the read models the list reads
    (by projection name) reach n, or answers 503 projection_lagging: after 5 s, or at once
    when one of them is stopped at an event it cannot apply. The others are not waited for."""

    def min_position(
        _: PrincipalDep,
        container: ContainerDep,
        min_position: Annotated[
            Position | None, Query(description="wait until read models reach this log position")
        ] = None,
    ) -> None:
        if min_position:
            container.projections.catch_up(until=min_position, timeout=5.0, names=projections)

    return Depends(min_position)


AsOf = Annotated[
    Instant | None,
    Query(description="RFC 3339 instant: the resource as it stood then (replayed from events)"),
]
Limit = Annotated[int, Query(ge=1, le=500)]
CursorParam = Annotated[Cursor | None, Query(description="next_cursor of the previous page")]
