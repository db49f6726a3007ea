"""Every webhook endpoint, for administrators (contract §10): list, read, disable, delete."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import JSONResponse

from api.deps import Admin, ContainerDep, Limit
from api.responses import deleted, written
from api.schemas.common import Cursor, Identifier, SingleLine, Strict, Text, chars
from api.schemas.public_operations import (
    WebhookEndpointAdminPagePublic,
    WebhookEndpointAdminPublic,
)
from events.jsonable import jsonable

router = APIRouter(prefix="/v1/admin/webhook-endpoints", tags=["admin"])
EndpointId = Annotated[SingleLine, chars(36), Path()]


class Disable(Strict):
    reason: Text | None = None


@router.get(
    "",
    summary="Every principal's endpoints, oldest first (deleted ones on request)",
    response_model=WebhookEndpointAdminPagePublic,
)
def list_endpoints(
    _: Admin,
    container: ContainerDep,
    limit: Limit = 50,
    cursor: Annotated[Cursor | None, Query()] = None,
    principal_id: Annotated[Identifier | None, Query()] = None,
    status: Literal["enabled", "disabled", "deleted"] | None = None,
) -> dict:
    page = container.webhook_admin.list(limit, cursor, principal_id=principal_id, status=status)
    return jsonable(page.body())


@router.get(
    "/{endpoint_id}",
    summary="Any endpoint, with its owner",
    response_model=WebhookEndpointAdminPublic,
)
def get_endpoint(endpoint_id: EndpointId, _: Admin, container: ContainerDep) -> dict:
    return jsonable(container.webhook_admin.get(endpoint_id))


@router.post(
    "/{endpoint_id}/disable",
    summary="Stop deliveries to any endpoint at once",
    response_model=WebhookEndpointAdminPublic,
)
def disable_endpoint(
    endpoint_id: EndpointId, _: Admin, container: ContainerDep, body: Disable | None = None
) -> JSONResponse:
    reason = body.reason if body else None
    return written(container, jsonable(container.webhook_admin.disable(endpoint_id, reason)), 0)


@router.delete("/{endpoint_id}", status_code=204, summary="Delete any endpoint")
def delete_endpoint(endpoint_id: EndpointId, _: Admin, container: ContainerDep) -> Response:
    container.webhook_admin.delete(endpoint_id)
    return deleted(container)
