"""FastAPI dependencies: the container, the caller, role checks, headers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query, Request
from pydantic import AwareDatetime

from api.auth_gate import principal_of
from api.bootstrap import Container
from api.errors import ApiError
from api.principals import Principal


def get_container(request: Request) -> Container:
    return request.app.state.container


ContainerDep = Annotated[Container, Depends(get_container)]


def authenticate(request: Request) -> Principal:
    """The caller the edge authenticated (api/auth_gate.py) before any body was read."""
    principal = principal_of(request.scope)
    if principal is None:  # a public path asked for a caller: refuse rather than guess
        raise ApiError(401, "unauthenticated", "send Authorization: Bearer <api key>")
    return principal


PrincipalDep = Annotated[Principal, Depends(authenticate)]


def require(*roles: str):
    def check(principal: PrincipalDep) -> Principal:
        if principal.role not in roles:
            raise ApiError(
                403,
                "forbidden",
                f"this operation needs the role {' or '.join(roles)}; you are {principal.role}",
            )
        return principal

    return Annotated[Principal, Depends(check)]


def if_match(if_match: Annotated[str | None, Header()] = None) -> int | None:
    """Parses If-Match: "3" (or W/"3"); '*' means any version."""
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise ApiError(412, "version_mismatch", f"If-Match must be a version ETag, not {if_match}")
    return int(value)


IfMatch = Annotated[int | None, Depends(if_match)]


def min_position(
    _: PrincipalDep,
    container: ContainerDep,
    min_position: Annotated[
        int | None, Query(ge=0, description="wait until read models reach this log position")
    ] = None,
) -> None:
    if min_position:
        container.projections.catch_up(until=min_position, timeout=5.0)


MinPosition = Depends(min_position)
AsOf = Annotated[
    AwareDatetime | None,
    Query(description="RFC 3339 instant: the resource as it stood then (replayed from events)"),
]
Limit = Annotated[int, Query(ge=1, le=500)]
