"""Pledge registration and its life cycle (contract §4)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
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
)
from api.presenters import pledge_body
from api.principals import Principal
from api.responses import aggregate_written, current_resource, resource, written
from api.schemas.common import Kind, Number, SingleLine, chars
from api.schemas.pledges import Amendment, AnnuityPrepayment, Default, PledgeCreate, Release
from api.schemas.public_common import EventPagePublic
from api.schemas.public_pledges import AnnuityPrepaymentPublic, PledgePagePublic, PledgePublic
from events.history import stream_history
from events.jsonable import fields_of, jsonable
from events.projections.queries import list_pledges, page_of
from registry.errors import InvalidValue, NotFound
from registry.numbers import canonical_number, canonical_patent_number_or_raw
from registry.pledges import Pledge
from registry.visibility import can_see_pledge

router = APIRouter(prefix="/v1/pledges", tags=["pledges"])
Status = Literal["registered", "refused", "released", "in_default", "under_disposal", "disposed"]


def visible_pledge(container: ContainerDep, pledge_id: UUID, principal: Principal) -> Pledge:
    pledge = container.registry.pledge(pledge_id)
    if not can_see_pledge(principal.actor, pledge):
        raise NotFound(f"pledge {pledge_id} not found")
    return pledge


def _pledge_written(container: ContainerDep, result, status: int = 200) -> JSONResponse:
    pledge = result.value
    return aggregate_written(
        container, pledge, pledge_body(pledge), result.position, "/v1/pledges", status
    )


@router.post(
    "",
    status_code=201,
    response_model=PledgePublic,
    summary="File a pledge; examined at once (registered or refused)",
)
def file_pledge(body: PledgeCreate, principal: Bank, container: ContainerDep) -> JSONResponse:
    result = container.registry.file_pledge(body.to_filing())
    return _pledge_written(container, result, status=201)


@router.get(
    "",
    response_model=PledgePagePublic,
    summary="Pledges the caller may see",
    dependencies=[MinPosition("pledges")],
)
def search_pledges(
    principal: PrincipalDep,
    container: ContainerDep,
    limit: Limit = 50,
    cursor: CursorParam = None,
    status: Status | None = None,
    pledgor: Annotated[
        Annotated[SingleLine, chars(18)] | None, Query(description="the pledgor's credit code")
    ] = None,
    kind: Kind | None = None,
    number: Number | None = None,
) -> dict:
    if number and kind:
        try:
            number = canonical_number(kind, number)
        except InvalidValue as e:
            raise InvalidValue(e.detail, field="number") from None
    elif number:
        number = canonical_patent_number_or_raw(number)
    page = list_pledges(
        container.db,
        role=principal.role,
        institution_id=principal.institution_id,
        limit=limit,
        cursor=cursor,
        status=status,
        pledgor=pledgor,
        kind=kind,
        number=number,
    )
    return page.body()


def pledge_as_of(
    container: ContainerDep, pledge_id: UUID, principal: Principal, as_of: datetime
) -> Response:
    visible_pledge(container, pledge_id, principal)
    pledge = container.registry.pledge_as_of(pledge_id, as_of)
    return resource(pledge_body(pledge), pledge.version)


@router.get(
    "/{pledge_id}",
    response_model=PledgePublic,
    summary="A pledge's current state, or its state at ?as_of",
)
async def get_pledge(
    pledge_id: UUID,
    principal: PrincipalDep,
    container: ContainerDep,
    as_of: AsOf = None,
) -> Response:
    if as_of is not None:
        return await run_in_threadpool(pledge_as_of, container, pledge_id, principal, as_of)
    current = await container.current.get(
        Pledge, pledge_id, lambda: container.registry.pledge(pledge_id), pledge_body
    )
    if not can_see_pledge(principal.actor, current.aggregate):
        raise NotFound(f"pledge {pledge_id} not found")
    return current_resource(current)


@router.get(
    "/{pledge_id}/history",
    response_model=EventPagePublic,
    summary="The pledge's events in order (§8 envelopes)",
)
def pledge_history(
    pledge_id: UUID,
    principal: PrincipalDep,
    container: ContainerDep,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> dict:
    visible_pledge(container, pledge_id, principal)
    events = stream_history(container.audit, pledge_id)
    return page_of(events, limit, cursor).body()


@router.post(
    "/{pledge_id}/amendments",
    response_model=PledgePublic,
    summary="Amend amount, maturity or contract number",
)
def amend(
    pledge_id: UUID,
    body: Amendment,
    principal: Bank,
    container: ContainerDep,
    expected: IfMatch,
) -> JSONResponse:
    result = container.registry.amend_pledge(pledge_id, body.changes(), body.reason, expected)
    return _pledge_written(container, result)


@router.post(
    "/{pledge_id}/release",
    response_model=PledgePublic,
    summary="Release the pledge, or some of its items",
)
def release(
    pledge_id: UUID, body: Release, principal: Bank, container: ContainerDep, expected: IfMatch
) -> JSONResponse:
    result = container.registry.release_pledge(
        pledge_id, body.released_on, body.reason, body.domain_items(), expected
    )
    return _pledge_written(container, result)


@router.post(
    "/{pledge_id}/annuity-prepayments",
    status_code=201,
    response_model=AnnuityPrepaymentPublic,
    summary="Prepay a pledged patent's annual fees through a fee year",
)
def prepay(
    pledge_id: UUID,
    body: AnnuityPrepayment,
    principal: Bank,
    container: ContainerDep,
    expected: IfMatch,
) -> JSONResponse:
    order = body.to_domain()
    result = container.registry.prepay_annuity(pledge_id, order, expected)
    pledge, payment = result.value
    return written(
        container,
        jsonable({"pledge_id": pledge.id, **fields_of(payment)}),
        result.position,
        status=201,
        version=pledge.version,
    )


@router.post(
    "/{pledge_id}/default",
    response_model=PledgePublic,
    summary="Declare the secured loan in default",
)
def declare_default(
    pledge_id: UUID, body: Default, principal: Bank, container: ContainerDep, expected: IfMatch
) -> JSONResponse:
    result = container.registry.declare_default(
        pledge_id, body.declared_on, body.outstanding_amount, expected
    )
    return _pledge_written(container, result)
