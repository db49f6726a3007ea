"""A principal's webhook endpoints and their delivery log (banks and partners use them)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.console.caller import Api
from api.console.web import ConsoleSession, api_for, checked_form, render, signed_in

router = APIRouter(prefix="/console", include_in_schema=False)
Subscriber = Annotated[
    ConsoleSession,
    Depends(
        signed_in(
            "bank",
            "partner",
            "trading_centre",
            "disposal_platform",
            "compensation_fund",
            "regulator",
            "ip_office",
        )
    ),
]
DELIVERIES_SHOWN = 20


async def endpoints_with_deliveries(api: Api) -> list[dict[str, Any]]:
    answer = await api.get("/v1/webhook-endpoints", limit=100)
    endpoints = answer.body["items"] if answer.ok else []
    for endpoint in endpoints:
        log = await api.get(
            f"/v1/webhook-endpoints/{endpoint['id']}/deliveries", limit=DELIVERIES_SHOWN
        )
        endpoint["deliveries"] = log.body["items"] if log.ok else []
    return endpoints


async def _page(
    request: Request, session: ConsoleSession, status: int = 200, **extra: Any
) -> Response:
    endpoints = await endpoints_with_deliveries(api_for(request, session))
    return render(
        request,
        "webhooks.html",
        session,
        status=status,
        title="Webhooks",
        endpoints=endpoints,
        **extra,
    )


@router.get("/webhooks")
async def webhooks(request: Request, session: Subscriber) -> Response:
    return await _page(request, session)


@router.post("/webhooks")
async def add_endpoint(request: Request, session: Subscriber) -> Response:
    form = await checked_form(request, session)
    types = [t.strip() for t in form.get("event_types", "").split(",") if t.strip()]
    body = {
        "url": form.get("url", "").strip(),
        "event_types": types,
        "description": form.get("description") or None,
    }
    answer = await api_for(request, session).post("/v1/webhook-endpoints", body)
    if not answer.ok:
        return await _page(request, session, answer.status, problem=answer.problem, form=form)
    response = await _page(request, session, created=answer.body)  # the secret, shown once
    response.headers["Cache-Control"] = "no-store"
    return response
