"""Public encumbrance search with a signed certificate (contract §9)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ContainerDep
from api.rate_limit import RateLimited
from api.routers.ip_rights import canonical
from api.schemas.common import Kind, Number, Position
from api.schemas.public_audit import SearchPublic
from events.projections.search import search_certificate

router = APIRouter(tags=["search"])


@router.get(
    "/v1/search",
    summary="Is this IP right pledged? Public, signed, rate-limited per client",
    dependencies=[RateLimited],
    response_model=SearchPublic,
)
def search(
    container: ContainerDep,
    kind: Kind,
    number: Number,
    min_position: Annotated[
        Position | None, Query(description="wait until read models reach this log position")
    ] = None,
) -> dict:
    if min_position:  # contract §1, as on the lists (which need a key; the search does not)
        container.projections.catch_up(until=min_position, timeout=5.0, names=("pledges",))
    return search_certificate(
        container.db, container.audit.key, container.clock, kind, canonical(kind, number)
    )
