"""The pull feed (contract §10): the events the caller may see, from any position, long-polled."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from api.bootstrap import Container
from api.deps import ContainerDep, PrincipalDep
from api.principals import Principal
from api.schemas.common import Position
from api.schemas.public_operations import FeedPublic
from events.tables import event_audience
from events.webhooks.audience import visible_to

router = APIRouter(tags=["webhooks"])
POLL_SECONDS = 0.2


def _scan(
    container: Container, principal: Principal, after: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """Visible events after ``after`` and the position the scan covered (the audience read
    model's, so a consumer can skip past events it may not see)."""
    container.projections.catch_up(timeout=10, names=("audience",))
    scanned = container.projections.positions().get("audience", 0)
    a = event_audience.c
    with container.db.read() as conn:
        positions = list(
            conn.execute(
                select(a.position)
                .where(
                    a.position > after,
                    a.position <= scanned,
                    visible_to(principal.role, principal.institution_id),
                )
                .order_by(a.position)
                .limit(limit)
            ).scalars()
        )
    items = container.audit.envelopes(positions)
    covered = positions[-1] if len(positions) == limit else scanned
    return items, max(covered, after)


@router.get(
    "/v1/feed",
    summary="Events you may see after a position; waits up to `wait` seconds",
    response_model=FeedPublic,
)
async def feed(
    principal: PrincipalDep,
    container: ContainerDep,
    after: Annotated[Position, Query()] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    wait: Annotated[float, Query(ge=0, le=30)] = 0,
) -> dict:
    waiting = container.wait_clock
    deadline = waiting.monotonic() + wait
    while True:
        items, covered = await run_in_threadpool(_scan, container, principal, after, limit)
        if items or waiting.monotonic() >= deadline:
            return {"items": items, "next_after": covered}
        after = covered  # nothing visible so far: no need to scan it again
        await waiting.sleep(POLL_SECONDS)
