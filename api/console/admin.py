"""The administrator's pages: principals (create, revoke, a new key shown once) and the manual
clock where it is enabled."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.console.web import ConsoleSession, api_for, checked_form, redirect, render, signed_in
from registry.actors import ROLES

router = APIRouter(prefix="/console/admin", include_in_schema=False)
Admin = Annotated[ConsoleSession, Depends(signed_in("admin"))]


@router.get("/principals")
async def principals(request: Request, session: Admin) -> Response:
    return await _principals_page(request, session)


async def _principals_page(
    request: Request, session: ConsoleSession, status: int = 200, **extra: object
) -> Response:
    answer = await api_for(request, session).get("/v1/admin/principals", limit=500)
    listed = answer.body.get("items", answer.body) if answer.ok else []
    return render(
        request,
        "admin_principals.html",
        session,
        status=status,
        title="Principals",
        principals=listed,
        roles=ROLES,
        done=request.query_params.get("done"),
        **extra,
    )


@router.post("/principals")
async def create_principal(request: Request, session: Admin) -> Response:
    form = await checked_form(request, session)
    body = {k: form.get(k, "").strip() for k in ("name", "role", "institution_id")}
    answer = await api_for(request, session).post("/v1/admin/principals", body)
    if not answer.ok:
        return await _principals_page(request, session, answer.status, problem=answer.problem)
    # The key is in this one response and nowhere else: not in a URL, a cookie or the session.
    response = await _principals_page(request, session, created=answer.body)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/principals/{principal_id}/revoke")
async def revoke(request: Request, principal_id: str, session: Admin) -> Response:
    await checked_form(request, session)
    answer = await api_for(request, session).call("DELETE", f"/v1/admin/principals/{principal_id}")
    if not answer.ok:
        return await _principals_page(request, session, answer.status, problem=answer.problem)
    return redirect("/console/admin/principals?done=revoked")


@router.get("/clock")
async def clock(request: Request, session: Admin) -> Response:
    answer = await api_for(request, session).get("/v1/_clock")
    return render(
        request,
        "admin_clock.html",
        session,
        title="Clock",
        clock=answer.body if answer.ok else None,
        fired=None,
        done=request.query_params.get("done"),
    )


@router.post("/clock")
async def move_clock(request: Request, session: Admin) -> Response:
    form = await checked_form(request, session)
    days = form.get("advance_days", "").strip()
    api = api_for(request, session)
    answer = await api.post("/v1/_clock", {"advance_days": int(days) if days.isdigit() else days})
    now = await api.get("/v1/_clock")
    return render(
        request,
        "admin_clock.html",
        session,
        status=answer.status,
        title="Clock",
        clock=now.body if now.ok else None,
        fired=answer.body if answer.ok else None,
        problem=answer.problem,
        done=answer.ok,
    )
