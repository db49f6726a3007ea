"""Liveness, readiness and metrics."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.bootstrap import Container
from api.deps import ContainerDep
from api.metrics import (
    LOG_POSITION,
    PROJECTION_FAILING,
    PROJECTION_FAILURES,
    PROJECTION_POSITION,
    TIMERS_FAILING,
    WORKER_STEP_FAILING,
)
from api.problems import problem
from api.schemas.public_operations import HealthPublic, ReadyPublic
from events.projections.runner import Progress

router = APIRouter(tags=["operations"])
READY_WITHIN_SECONDS = 5.0  # contract §11: read models caught up within 5 s


@router.get("/healthz", summary="The process is up", response_model=HealthPublic)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The store is reachable and read models are caught up",
    responses={503: {"description": "Not ready: the store is unreachable or read models lag"}},
    response_model=ReadyPublic,
)
def readyz(container: ContainerDep) -> Response:
    """503 with the read models that are stopped at an event they cannot apply (at once) or
    still behind the log's end after 5 s; 200 once every one has reached it."""
    try:
        head, progress = _settled(container)
    except Exception as e:  # readiness reports any store failure rather than raising
        return problem(503, "store_unreachable", f"{type(e).__name__}: {e}")
    failing = [_failing(p) for p in progress if p.failing]
    lagging = [_lagging(p, head) for p in progress if not p.failing and p.position < head]
    if failing or lagging:
        names = ", ".join(p["projection"] for p in failing + lagging)
        detail = f"read models not caught up with log position {head}: {names}"
        return problem(
            503,
            "projection_lagging",
            detail,
            log_position=head,
            failing=failing,
            lagging=lagging,
        )
    return JSONResponse(
        {
            "status": "ready",
            "log_position": head,
            "projections": min((p.position for p in progress), default=head),
            "read_models": {p.name: p.position for p in progress},
        }
    )


def _settled(container: Container) -> tuple[int, list[Progress]]:
    """The log's end and the read models once all reached it, one is failing (waiting is
    futile), or the wait is over."""
    head = container.store.max_position()
    deadline = time.monotonic() + READY_WITHIN_SECONDS
    while True:
        progress = list(container.projections.progress().values())
        behind = [p for p in progress if p.position < head]
        if not behind or any(p.failing for p in progress) or time.monotonic() > deadline:
            return head, progress
        time.sleep(0.05)  # the worker (maybe another process) is catching up


def _failing(p: Progress) -> dict[str, Any]:
    return {
        "projection": p.name,
        "position": p.position,
        "failed_position": p.failed_position,
        "event_type": p.failed_event_type,
        "error": p.error,
        "consecutive_failures": p.failures,
    }


def _lagging(p: Progress, head: int) -> dict[str, Any]:
    return {"projection": p.name, "position": p.position, "behind": head - p.position}


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
def metrics(container: ContainerDep) -> Response:
    LOG_POSITION.set(container.store.max_position())
    for name, p in container.projections.progress().items():
        PROJECTION_POSITION.labels(projection=name).set(p.position)
        PROJECTION_FAILING.labels(projection=name).set(1 if p.failing else 0)
        PROJECTION_FAILURES.labels(projection=name).set(p.failures)
    TIMERS_FAILING.set(container.scheduler.failing())
    for step, failing in container.worker.failing().items():
        WORKER_STEP_FAILING.labels(step=step).set(1 if failing else 0)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
