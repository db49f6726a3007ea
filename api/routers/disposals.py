"""Disposal of distressed collateral (contract §6): open, conclude (direct routes), settle."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from api.deps import (
    AsOf,
    Bank,
    ContainerDep,
    CursorParam,
    IfMatch,
    Limit,
    MinPosition,
    PrincipalDep,
    TradingCentre,
)
from api.presenters_disposal import disposal_body
from api.principals import Principal
from api.responses import aggregate_written, current_resource, resource
from api.schemas.disposal import Conclusion, DisposalCreate, Settlement
from api.schemas.public_common import EventPagePublic
from api.schemas.public_disposal import DisposalPagePublic, DisposalPublic
from disposal.disposals import Disposal
from events.history import as_of as as_of_state
from events.history import stream_history
from events.projections.disposal_queries import list_disposals
from events.projections.queries import page_of
from registry.errors import NotFound
from registry.visibility import can_see_disposal

router = APIRouter(prefix="/v1/disposals", tags=["disposals"])
Status = Literal["open", "concluded", "settled"]
Route = Literal["exchange_listing", "auction", "reverse_licence", "acquisition"]


def visible_disposal(container: ContainerDep, disposal_id: UUID, principal: Principal) -> Disposal:
    disposal = container.disposals.disposal(disposal_id)
    if not can_see_disposal(principal.actor, disposal):
        raise NotFound(f"disposal {disposal_id} not found")
    return disposal


def _written(container: ContainerDep, result, status: int = 200) -> JSONResponse:
    d = result.value
    return aggregate_written(
        container, d, disposal_body(d), result.position, "/v1/disposals", status
    )


@router.post(
    "",
    status_code=201,
    summary="Open the disposal of a defaulted pledge's collateral",
    response_model=DisposalPublic,
)
def open_disposal(body: DisposalCreate, principal: Bank, container: ContainerDep) -> JSONResponse:
    result = container.disposals.open_disposal(body.pledge_id, body.route, body.appraised_value)
    return _written(container, result, status=201)


@router.get(
    "",
    summary="Disposals the caller may see (extension)",
    dependencies=[MinPosition("disposals")],
    response_model=DisposalPagePublic,
)
def search_disposals(
    principal: PrincipalDep,
    container: ContainerDep,
    limit: Limit = 50,
    cursor: CursorParam = None,
    status: Status | None = None,
    route: Route | None = None,
    pledge_id: UUID | None = None,
) -> dict:
    page = list_disposals(
        container.db,
        role=principal.role,
        institution_id=principal.institution_id,
        limit=limit,
        cursor=cursor,
        status=status,
        route=route,
        pledge_id=str(pledge_id) if pledge_id else None,
    )
    return page.body()


def disposal_as_of(
    container: ContainerDep, disposal_id: UUID, principal: Principal, as_of: datetime
) -> Response:
    visible_disposal(container, disposal_id, principal)
    disposal = as_of_state(container.store, disposal_id, as_of, "disposal")
    return resource(disposal_body(disposal), disposal.version)


@router.get("/{disposal_id}", summary="A disposal case", response_model=DisposalPublic)
async def get_disposal(
    disposal_id: UUID, principal: PrincipalDep, container: ContainerDep, as_of: AsOf = None
) -> Response:
    if as_of is not None:
        return await run_in_threadpool(disposal_as_of, container, disposal_id, principal, as_of)
    current = await container.current.get(
        Disposal, disposal_id, lambda: container.disposals.disposal(disposal_id), disposal_body
    )
    if not can_see_disposal(principal.actor, current.aggregate):
        raise NotFound(f"disposal {disposal_id} not found")
    return current_resource(current)


@router.get(
    "/{disposal_id}/history",
    summary="The disposal's events (§8 envelopes)",
    response_model=EventPagePublic,
)
def disposal_history(
    disposal_id: UUID,
    principal: PrincipalDep,
    container: ContainerDep,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> dict:
    visible_disposal(container, disposal_id, principal)
    return page_of(stream_history(container.audit, disposal_id), limit, cursor).body()


@router.post(
    "/{disposal_id}/conclusion",
    summary="Record a reverse licence or an acquisition (routes without a listing)",
    response_model=DisposalPublic,
)
def conclude(
    disposal_id: UUID,
    body: Conclusion,
    principal: TradingCentre,
    container: ContainerDep,
    expected: IfMatch,
) -> JSONResponse:
    result = container.disposals.conclude(
        disposal_id,
        body.counterparty.to_domain(),
        body.price,
        body.concluded_on,
        body.domain_licence(),
        expected,
    )
    return _written(container, result)


@router.post(
    "/{disposal_id}/settlement",
    summary="Settle after a sale, buyback or conclusion: recovery, surplus, transfer",
    response_model=DisposalPublic,
)
def settle(
    disposal_id: UUID,
    body: Settlement,
    principal: TradingCentre,
    container: ContainerDep,
    expected: IfMatch,
) -> JSONResponse:
    result = container.disposals.settle(
        disposal_id, body.proceeds, body.costs, body.settled_on, expected
    )
    return _written(container, result)
