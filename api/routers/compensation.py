"""Risk compensation (SPEC §5): claim, upfront advance, automatic clearing at settlement."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ContainerDep, IfMatch, PrincipalDep, require
from api.presenters_disposal import claim_body
from api.responses import aggregate_written, resource
from api.schemas.disposal import Advance
from api.schemas.public_disposal import ClaimPublic
from registry.errors import NotFound
from registry.visibility import can_see_claim

router = APIRouter(tags=["compensation"])
Bank = require("bank")
Fund = require("compensation_fund")


@router.post(
    "/v1/pledges/{pledge_id}/compensation-claims",
    status_code=201,
    summary="Claim risk compensation for a defaulted pledge (advance = share x outstanding)",
    response_model=ClaimPublic,
)
def claim(pledge_id: UUID, principal: Bank, container: ContainerDep) -> JSONResponse:
    result = container.disposals.claim_compensation(pledge_id, principal.actor)
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
    result = container.disposals.advance_claim(claim_id, body.paid_on, principal.actor, expected)
    c = result.value
    return aggregate_written(
        container, c, claim_body(c), result.position, "/v1/compensation-claims"
    )


@router.get(
    "/v1/compensation-claims/{claim_id}", summary="A compensation claim", response_model=ClaimPublic
)
def get_claim(claim_id: UUID, principal: PrincipalDep, container: ContainerDep) -> JSONResponse:
    c = container.disposals.claim(claim_id)
    if not can_see_claim(principal.actor, c):
        raise NotFound(f"compensation claim {claim_id} not found")
    return resource(claim_body(c), c.version)
