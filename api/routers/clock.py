"""The manual clock (contract §7): only when IPLEDGE_CLOCK=manual, never in production."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field, model_validator

from api.bootstrap import Container
from api.deps import Admin, ContainerDep, PrincipalDep
from api.errors import ApiError
from api.responses import written
from api.schemas.common import Instant, Strict
from api.schemas.public_operations import ClockMovedPublic, ClockPublic
from events.clock import ManualClock, business_date
from events.jsonable import rfc3339
from registry.business_dates import LATEST

NOT_MANUAL: dict[int | str, dict[str, Any]] = {
    404: {"description": "The service's clock is not the manual clock"}
}
router = APIRouter(prefix="/v1/_clock", tags=["clock"], responses=NOT_MANUAL)


class ClockMove(Strict):
    advance_days: Annotated[int, Field(ge=0, le=36600, strict=True)] | None = None
    now: Instant | None = None

    @model_validator(mode="after")
    def _one(self) -> ClockMove:
        if (self.advance_days is None) == (self.now is None):
            raise ValueError("give exactly one of advance_days or now")
        return self


def manual_clock(container: Container) -> ManualClock:
    clock = container.manual_clock
    if clock is None:
        raise ApiError(
            404, "not_found", "the clock can only be read or moved when IPLEDGE_CLOCK=manual"
        )
    return clock


@router.get(
    "", summary="The service's current time (manual clock only)", response_model=ClockPublic
)
def get_clock(_: PrincipalDep, container: ContainerDep) -> dict:
    clock = manual_clock(container)
    return {"now": rfc3339(clock.now()), "today": clock.today().isoformat()}


@router.post(
    "",
    summary="Move the manual clock forward and fire every timer that came due",
    response_model=ClockMovedPublic,
)
def move_clock(body: ClockMove, _: Admin, container: ContainerDep) -> JSONResponse:
    clock = manual_clock(container)
    target: datetime = (
        clock.now() + timedelta(days=body.advance_days)
        if body.advance_days is not None
        else body.now  # type: ignore[assignment]  # ClockMove admits exactly one of the two
    )
    if target < clock.now():
        raise ApiError(
            409, "clock_backwards", "the clock cannot move backwards", now=rfc3339(clock.now())
        )
    if business_date(target) > LATEST:  # the registry keeps no date beyond it
        field = "advance_days" if body.advance_days is not None else "now"
        raise ApiError(
            422,
            "validation_error",
            f"the clock cannot pass {LATEST}",
            errors=[{"field": field, "message": f"the clock cannot pass {LATEST}"}],
        )
    fired = container.advance_clock(target)
    moved = {"now": rfc3339(clock.now()), "today": clock.today().isoformat(), "fired": fired}
    return written(container, moved, 0)  # the last timer event it fired, or the log's end
