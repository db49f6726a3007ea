"""Webhook endpoints (contract §10): signed, ordered, at-least-once deliveries of visible events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import JSONResponse
from pydantic import Field, HttpUrl

from api.deps import ContainerDep, Limit, PrincipalDep
from api.errors import ApiError
from api.principals import Principal
from api.responses import deleted, written
from api.schemas.common import FreeText, Position, SingleLine, Strict, chars
from api.schemas.public_operations import (
    DeliveryPagePublic,
    ReplayPublic,
    WebhookEndpointPagePublic,
    WebhookEndpointPublic,
    WebhookEndpointSecretPublic,
)
from events.envelope import STREAMS
from events.jsonable import jsonable

router = APIRouter(prefix="/v1/webhook-endpoints", tags=["webhooks"])
EndpointId = Annotated[SingleLine, chars(36), Path()]
KNOWN_TYPES = {t for _, types in STREAMS.values() for t in types.values()}


class EndpointCreate(Strict):
    url: HttpUrl
    event_types: Annotated[
        list[Annotated[SingleLine, chars(64)]], Field(min_length=1, max_length=100)
    ]
    description: Annotated[FreeText, chars(500, min_length=0)] | None = None


class Replay(Strict):
    from_position: Annotated[Position, Field(ge=1, strict=True)]


def not_admin(principal: Principal) -> Principal:
    if principal.role == "admin":
        raise ApiError(403, "forbidden", "admins do not subscribe to webhooks")
    return principal


@router.post(
    "",
    status_code=201,
    summary="Register an endpoint; its secret is shown only here",
    response_model=WebhookEndpointSecretPublic,
)
def create_endpoint(
    body: EndpointCreate, principal: PrincipalDep, container: ContainerDep
) -> JSONResponse:
    owner = not_admin(principal).actor
    unknown = sorted(set(body.event_types) - KNOWN_TYPES - {"*"})
    if unknown:
        raise ApiError(
            422,
            "validation_error",
            f"unknown event types: {', '.join(unknown)}",
            errors=[{"field": "event_types", "message": f"unknown: {unknown}"}],
        )
    endpoint, secret = container.webhooks.create(
        owner,
        str(body.url),
        body.event_types,
        body.description,
        container.store.max_position(),
    )
    container.dispatcher.wake()
    body = jsonable({**endpoint, "secret": secret})
    location = f"/v1/webhook-endpoints/{endpoint['id']}"
    return written(container, body, 0, status=201, location=location)


@router.get("", summary="Your endpoints", response_model=WebhookEndpointPagePublic)
def list_endpoints(principal: PrincipalDep, container: ContainerDep) -> dict:
    return {"items": jsonable(container.webhooks.list(principal.actor)), "next_cursor": None}


@router.get("/{endpoint_id}", summary="One endpoint", response_model=WebhookEndpointPublic)
def get_endpoint(endpoint_id: EndpointId, principal: PrincipalDep, container: ContainerDep) -> dict:
    return jsonable(container.webhooks.get(principal.actor, endpoint_id))


@router.delete(
    "/{endpoint_id}", status_code=204, summary="Delete an endpoint (nothing more is sent)"
)
def delete_endpoint(
    endpoint_id: EndpointId, principal: PrincipalDep, container: ContainerDep
) -> Response:
    container.webhooks.delete(principal.actor, endpoint_id)
    return deleted(container)


@router.post(
    "/{endpoint_id}/rotate-secret",
    summary="New secret; the old one also signs for 24 h",
    response_model=WebhookEndpointSecretPublic,
)
def rotate_secret(
    endpoint_id: EndpointId, principal: PrincipalDep, container: ContainerDep
) -> JSONResponse:
    endpoint, secret = container.webhooks.rotate(principal.actor, endpoint_id)
    return written(container, jsonable({**endpoint, "secret": secret}), 0)


@router.post(
    "/{endpoint_id}/enable",
    summary="Re-enable a disabled endpoint; queued events flow",
    response_model=WebhookEndpointPublic,
)
def enable(
    endpoint_id: EndpointId, principal: PrincipalDep, container: ContainerDep
) -> JSONResponse:
    endpoint = container.webhooks.enable(principal.actor, endpoint_id)
    container.dispatcher.wake()
    return written(container, jsonable(endpoint), 0)


@router.post(
    "/{endpoint_id}/replay",
    summary="Send the endpoint's events again from a position",
    response_model=ReplayPublic,
)
def replay(
    endpoint_id: EndpointId, body: Replay, principal: PrincipalDep, container: ContainerDep
) -> JSONResponse:
    queued = container.webhooks.replay(principal.actor, endpoint_id, body.from_position)
    container.dispatcher.wake()
    replayed = {"endpoint_id": endpoint_id, "from_position": body.from_position, "queued": queued}
    return written(container, replayed, 0)


@router.get(
    "/{endpoint_id}/deliveries",
    summary="Deliveries, newest first, with every attempt",
    response_model=DeliveryPagePublic,
)
def deliveries(
    endpoint_id: EndpointId,
    principal: PrincipalDep,
    container: ContainerDep,
    limit: Limit = 50,
    cursor: Annotated[Position | None, Query()] = None,
) -> dict:
    items, next_before = container.webhooks.deliveries(principal.actor, endpoint_id, limit, cursor)
    return {"items": jsonable(items), "next_cursor": str(next_before) if next_before else None}
