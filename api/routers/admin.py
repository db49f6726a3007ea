"""Principals and their API keys (contract §2)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from api.deps import Admin, ContainerDep, CursorParam, Limit
from api.responses import written
from api.schemas.common import Name, SingleLine, Strict, chars
from api.schemas.public_operations import (
    PrincipalCreatedPublic,
    PrincipalPagePublic,
    PrincipalPublic,
)
from events.projections.queries import page_of
from registry.actors import ROLES

router = APIRouter(prefix="/v1/admin/principals", tags=["admin"])


class PrincipalCreate(Strict):
    name: Name
    role: Annotated[SingleLine, chars(32, pattern="^(" + "|".join(ROLES) + ")$")]
    institution_id: Annotated[SingleLine, chars(64, pattern=r"^[A-Za-z0-9_.-]+$")]


@router.post(
    "",
    status_code=201,
    summary="Create a principal; its API key is shown only here",
    response_model=PrincipalCreatedPublic,
)
def create_principal(body: PrincipalCreate, _: Admin, container: ContainerDep) -> JSONResponse:
    principal, key = container.principals.create(
        body.name, body.role, body.institution_id, container.clock.now()
    )
    return written(container, {**principal.public(), "api_key": key}, 0, status=201)


@router.get("", summary="List principals (never their keys)", response_model=PrincipalPagePublic)
def list_principals(
    _: Admin, container: ContainerDep, limit: Limit = 50, cursor: CursorParam = None
) -> dict:
    principals = [p.public() for p in container.principals.list()]
    return page_of(principals, limit, cursor).body()


@router.delete(
    "/{principal_id}", summary="Revoke a principal's API key", response_model=PrincipalPublic
)
def revoke_principal(
    principal_id: Annotated[SingleLine, chars(36), Path()], _: Admin, container: ContainerDep
) -> JSONResponse:
    revoked = container.principals.revoke(principal_id, container.clock.now())
    return written(container, revoked.public(), 0)
