"""Helpers for write responses: X-Log-Position, ETag, waking the worker."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from api.bootstrap import Container
from api.current import Current
from api.json_response import FastJSONResponse


def written(
    container: Container,
    body: Any,
    position: int,
    status: int = 200,
    version: int | None = None,
    location: str | None = None,
) -> FastJSONResponse:
    """A write's response. ``position`` 0 (nothing recorded) reports the log's current end,
    which is still a position whose read models reflect this request."""
    headers = {"X-Log-Position": str(position or container.store.max_position())}
    if version is not None:
        headers["ETag"] = f'"{version}"'
    if location:
        headers["Location"] = location
    if position:
        container.worker.wake()
    return FastJSONResponse(body, status_code=status, headers=headers)


def deleted(container: Container) -> Response:
    """A ``204`` to a delete, which records no event: the log's current end, as ``written``."""
    return Response(
        status_code=204, headers={"X-Log-Position": str(container.store.max_position())}
    )


def aggregate_written(
    container: Container,
    aggregate: Any,
    body: Any,
    position: int,
    collection: str,
    status: int = 200,
) -> FastJSONResponse:
    """A command's response carrying the resource it changed (or created, at ``collection``)."""
    location = f"{collection}/{aggregate.id}" if status == 201 else None
    return written(
        container, body, position, status=status, version=aggregate.version, location=location
    )


def resource(body: Any, version: int) -> FastJSONResponse:
    return FastJSONResponse(body, headers={"ETag": f'"{version}"'})


def current_resource(current: Current[Any]) -> Response:
    """A single resource's remembered state (api/current.py): its body as encoded, its ETag."""
    return Response(
        current.body,
        media_type=FastJSONResponse.media_type,
        headers={"ETag": f'"{current.version}"'},
    )
