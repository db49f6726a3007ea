"""Liveness, readiness and metrics."""

from __future__ import annotations

import time

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import ContainerDep
from api.metrics import LOG_POSITION, PROJECTION_POSITION
from api.problems import problem

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The store is reachable and read models are caught up",
    responses={503: {"description": "Not ready: the store is unreachable or read models lag"}},
)
def readyz(container: ContainerDep) -> Response:
    try:
        head = container.store.max_position()
        deadline = time.monotonic() + 5.0
        while (reached := container.projections.position()) < head:
            if time.monotonic() > deadline:
                return problem(503, "projection_lagging", f"read models at {reached} of {head}")
            time.sleep(0.05)
    except Exception as e:  # readiness reports any store failure rather than raising
        return problem(503, "store_unreachable", f"{type(e).__name__}: {e}")
    return JSONResponse({"status": "ready", "log_position": head, "projections": reached})


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
def metrics(container: ContainerDep) -> Response:
    LOG_POSITION.set(container.store.max_position())
    for name, position in container.projections.positions().items():
        PROJECTION_POSITION.labels(projection=name).set(position)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
