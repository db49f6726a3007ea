"""Risk compensation (contract §5): claim, upfront advance, automatic clearing at settlement."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import (
    Bank,
    ContainerDep,
    CursorParam,
    Fund,
    IfMatch,
    Limit,
    MinPosition,
    PrincipalDep,
)
from api.presenters_disposal import claim_body
from api.responses import aggregate_written, resource
from api.schemas.common import SingleLine, chars
from api.schemas.disposal import Advance
from api.schemas.public_disposal import ClaimPagePublic, ClaimPublic
from events.projections.disposal_queries import list_claims
from registry.errors import NotFound
from registry.visibility import can_see_claim

router = APIRouter(tags=["compensation"])
Status = Literal["claimed", "advanced", "cleared"]


@router.post(
    "/v1/pledges/{pledge_id}/compensation-claims",
    status_code=201,
    summary="Claim risk compensation for a defaulted pledge (advance = share x outstanding)",
    response_model=ClaimPublic,
)
def claim(pledge_id: UUID, principal: Bank, container: ContainerDep) -> JSONResponse:
    result = container.disposals.claim_compensation(pledge_id)
    c = result.value
    return aggregate_written(
        container, c, claim_body(c), result.position, "/v1/compensation-claims", 201
    )


@router.post(
    "/v1/compensation-claims/{claim_id}/advance",
    summary="The fund pays the advance upfront",
    response_model=ClaimPublic,
)
def advance(
    claim_id: UUID, body: Advance, principal: Fund, container: ContainerDep, expected: IfMatch
) -> JSONResponse:
    result = container.disposals.advance_claim(claim_id, body.paid_on, expected)
    c = result.value
    return aggregate_written(
        container, c, claim_body(c), result.position, "/v1/compensation-claims"
    )


@router.get(
    "/v1/compensation-claims",
    summary="Compensation claims the caller may see (extension)",
    dependencies=[MinPosition("compensation_claims")],
    response_model=ClaimPagePublic,
)
def search_claims(
    principal: PrincipalDep,
    container: ContainerDep,
    limit: Limit = 50,
    cursor: CursorParam = None,
    status: Status | None = None,
    pledge_id: UUID | None = None,
    fund_id: Annotated[SingleLine, chars(64)] | None = None,
) -> dict:
    page = list_claims(
        container.db,
        role=principal.role,
        institution_id=principal.institution_id,
        limit=limit,
        cursor=cursor,
        status=status,
        pledge_id=str(pledge_id) if pledge_id else None,
        fund_id=fund_id,
    )
    return page.body()


@router.get(
    "/v1/compensation-claims/{claim_id}", summary="A compensation claim", response_model=ClaimPublic
)
def get_claim(claim_id: UUID, principal: PrincipalDep, container: ContainerDep) -> JSONResponse:
    c = container.disposals.claim(claim_id)
    if not can_see_claim(principal.actor, c):
        raise NotFound(f"compensation claim {claim_id} not found")
    return resource(claim_body(c), c.version)
