"""Listings on the trading centre and the 180-day government buyback (contract §6)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from api.deps import (
    AsOf,
    ContainerDep,
    CursorParam,
    DisposalPlatform,
    IfMatch,
    Limit,
    MinPosition,
    PrincipalDep,
    TradingCentre,
)
from api.presenters_disposal import listing_body
from api.principals import Principal
from api.responses import aggregate_written, current_resource, resource, written
from api.schemas.disposal import Buyback, IntentionCreate, ListingCreate, Sale, Withdrawal
from api.schemas.public_common import EventPagePublic
from api.schemas.public_disposal import IntentionPublic, ListingPagePublic, ListingPublic
from disposal.listings import Listing
from events.history import as_of as as_of_state
from events.history import stream_history
from events.jsonable import fields_of, jsonable
from events.projections.queries import list_listings, page_of
from registry.errors import NotFound
from registry.visibility import can_see_listing

router = APIRouter(prefix="/v1/listings", tags=["listings"])
Status = Literal[
    "listed", "taken", "bidding", "sold", "buyback_pending", "bought_back", "withdrawn"
]


def visible_listing(container: ContainerDep, listing_id: UUID, principal: Principal) -> Listing:
    listing = container.disposals.listing(listing_id)
    if not can_see_listing(principal.actor, listing):
        raise NotFound(f"listing {listing_id} not found")
    return listing


def _written(container: ContainerDep, result, status: int = 200) -> JSONResponse:
    listing = result.value
    body = listing_body(listing, container.clock.today())
    return aggregate_written(container, listing, body, result.position, "/v1/listings", status)


@router.post(
    "",
    status_code=201,
    summary="List a disposal's collateral for 180 days",
    response_model=ListingPublic,
)
def create_listing(
    body: ListingCreate, principal: TradingCentre, container: ContainerDep
) -> JSONResponse:
    result = container.disposals.create_listing(
        body.disposal_id,
        body.asking_price,
        body.listed_on,
        body.approval_reference,
    )
    return _written(container, result, status=201)


@router.get(
    "",
    summary="Listings the caller may see; ?deadline_within_days for the buyback watch",
    dependencies=[MinPosition("disposals")],
    response_model=ListingPagePublic,
)
def search_listings(
    principal: PrincipalDep,
    container: ContainerDep,
    limit: Limit = 50,
    cursor: CursorParam = None,
    status: Status | None = None,
    deadline_within_days: Annotated[int | None, Query(ge=0, le=366)] = None,
) -> dict:
    page = list_listings(
        container.db,
        role=principal.role,
        institution_id=principal.institution_id,
        today=container.clock.today(),
        limit=limit,
        cursor=cursor,
        status=status,
        deadline_within_days=deadline_within_days,
    )
    return page.body()


def listing_as_of(
    container: ContainerDep, listing_id: UUID, principal: Principal, as_of: datetime
) -> Response:
    visible_listing(container, listing_id, principal)
    listing = as_of_state(container.store, listing_id, as_of, "listing")
    return resource(listing_body(listing, container.clock.today()), listing.version)


@router.get(
    "/{listing_id}",
    summary="A listing, with days remaining before the buyback clock",
    response_model=ListingPublic,
)
async def get_listing(
    listing_id: UUID, principal: PrincipalDep, container: ContainerDep, as_of: AsOf = None
) -> Response:
    today = container.clock.today()
    if as_of is not None:
        return await run_in_threadpool(listing_as_of, container, listing_id, principal, as_of)
    current = await container.current.get(
        Listing,
        listing_id,
        lambda: container.disposals.listing(listing_id),
        lambda listing: listing_body(listing, today),
        variant=today,  # days remaining count from it
    )
    if not can_see_listing(principal.actor, current.aggregate):
        raise NotFound(f"listing {listing_id} not found")
    return current_resource(current)


@router.get(
    "/{listing_id}/history",
    summary="The listing's events (§8 envelopes)",
    response_model=EventPagePublic,
)
def listing_history(
    listing_id: UUID,
    principal: PrincipalDep,
    container: ContainerDep,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> dict:
    visible_listing(container, listing_id, principal)
    return page_of(stream_history(container.audit, listing_id), limit, cursor).body()


@router.post(
    "/{listing_id}/intentions",
    status_code=201,
    summary="Register a taker's intention (揭牌); stops the buyback clock",
    response_model=IntentionPublic,
)
def register_intention(
    listing_id: UUID,
    body: IntentionCreate,
    principal: TradingCentre,
    container: ContainerDep,
    expected: IfMatch,
) -> JSONResponse:
    result = container.disposals.register_intention(
        listing_id, body.bidder.to_domain(), body.registered_on, expected
    )
    listing, intention_id = result.value
    intention = next(i for i in listing.intentions if i.id == intention_id)
    payload = jsonable(
        {
            **fields_of(intention),
            "listing_id": listing.id,
            "listing": listing_body(listing, container.clock.today()),
        }
    )
    return written(container, payload, result.position, status=201, version=listing.version)


@router.post(
    "/{listing_id}/sale",
    summary="Sell to a bidder at or above the asking price",
    response_model=ListingPublic,
)
def sell(
    listing_id: UUID,
    body: Sale,
    principal: TradingCentre,
    container: ContainerDep,
    expected: IfMatch,
) -> JSONResponse:
    result = container.disposals.sell(
        listing_id, body.buyer.to_domain(), body.price, body.sold_on, expected
    )
    return _written(container, result)


@router.post(
    "/{listing_id}/buyback",
    summary="Government buyback after 180 days without a taker",
    response_model=ListingPublic,
)
def buy_back(
    listing_id: UUID,
    body: Buyback,
    principal: DisposalPlatform,
    container: ContainerDep,
    expected: IfMatch,
) -> JSONResponse:
    visible_listing(container, listing_id, principal)
    result = container.disposals.buy_back(
        listing_id,
        body.buyer.to_domain(),
        body.price,
        body.bought_on,
        expected,
    )
    return _written(container, result)


@router.post(
    "/{listing_id}/withdrawal",
    summary="Withdraw the listing before sale or buyback",
    response_model=ListingPublic,
)
def withdraw(
    listing_id: UUID,
    body: Withdrawal,
    principal: TradingCentre,
    container: ContainerDep,
    expected: IfMatch,
) -> JSONResponse:
    result = container.disposals.withdraw(listing_id, body.reason, expected)
    return _written(container, result)
