"""A bank's pages: its pledges, a pledge's timeline and annual fees, filing and the actions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.console import forms
from api.console.caller import Api
from api.console.web import (
    ConsoleSession,
    api_for,
    checked_form,
    redirect,
    render,
    signed_in,
)

router = APIRouter(prefix="/console", include_in_schema=False)
Bank = Annotated[ConsoleSession, Depends(signed_in("bank"))]
PAGE_SIZE = 20
DUE_SOON = timedelta(days=90)
ACTIONS = ("release", "amendments", "annuity-prepayments", "default", "compensation-claims")
PATENTS = ("invention_patent", "utility_model", "design_patent")
STATUSES = ("registered", "refused", "released", "in_default", "under_disposal", "disposed")


def today(request: Request) -> date:
    return request.app.state.container.clock.today()


@router.get("/bank/pledges")
async def pledges(request: Request, session: Bank) -> Response:
    filters = {k: request.query_params.get(k, "") for k in ("status", "pledgor", "kind", "number")}
    cursor = request.query_params.get("cursor")
    answer = await api_for(request, session).get(
        "/v1/pledges", limit=PAGE_SIZE, cursor=cursor, **filters
    )
    page = answer.body if answer.ok else {"items": [], "next_cursor": None}
    return render(
        request,
        "bank_pledges.html",
        session,
        title="Pledges",
        page=page,
        filters=filters,
        statuses=STATUSES,
        problem=answer.problem,
    )


@router.get("/bank/pledges/new")
def new_pledge(request: Request, session: Bank) -> Response:
    return render(request, "bank_file.html", session, title="File a pledge", form={})


@router.post("/bank/pledges/new")
async def file_pledge(request: Request, session: Bank) -> Response:
    form = await checked_form(request, session)
    answer = await api_for(request, session).post("/v1/pledges", forms.pledge_filing(form))
    if not answer.ok:
        return render(
            request,
            "bank_file.html",
            session,
            status=answer.status,
            title="File a pledge",
            form=form,
            problem=answer.problem,
        )
    return redirect(f"/console/bank/pledges/{answer.body['id']}?filed=1")


@router.get("/bank/pledges/{pledge_id}")
async def pledge_page(request: Request, pledge_id: str, session: Bank) -> Response:
    return await _pledge_page(request, session, pledge_id)


async def _pledge_page(
    request: Request, session: ConsoleSession, pledge_id: str, **extra: Any
) -> Response:
    api = api_for(request, session)
    answer = await api.get(f"/v1/pledges/{pledge_id}")
    if not answer.ok:
        return render(
            request, "message.html", session, status=404, title="Not found", message="Not found"
        )
    pledge = answer.body
    history = await api.get(f"/v1/pledges/{pledge_id}/history", limit=500)
    fees = await annual_fees(api, pledge, today(request))
    return render(
        request,
        "bank_pledge.html",
        session,
        title="Pledge",
        pledge=pledge,
        events=history.body.get("items", []) if history.ok else [],
        fees=fees,
        today=today(request).isoformat(),
        filed=request.query_params.get("filed"),
        done=request.query_params.get("done"),
        **extra,
    )


async def annual_fees(api: Api, pledge: dict[str, Any], on: date) -> list[dict[str, Any]]:
    """Each pledged patent's fee schedule, every unpaid year marked by how urgent it is."""
    schedules = []
    for item in pledge["items"]:
        if item["kind"] not in PATENTS or item.get("released"):
            continue
        answer = await api.get(f"/v1/ip-rights/{item['kind']}/{item['number']}/annuities")
        if not answer.ok:
            continue
        status = answer.body.get("annuity_status")
        rows = [{**fee, "urgency": urgency(fee, status, on)} for fee in answer.body["items"]]
        schedules.append({"item": item, "status": status, "rows": rows})
    return schedules


def urgency(fee: dict[str, Any], annuity_status: str | None, on: date) -> str:
    if fee.get("paid"):
        return "paid"
    due = date.fromisoformat(fee["due_date"])
    if due <= on:
        return "lapsed" if annuity_status == "lapsed" else "overdue"
    return "due-soon" if due - on <= DUE_SOON else "upcoming"


@router.post("/bank/pledges/{pledge_id}/{action}")
async def pledge_action(request: Request, pledge_id: str, action: str, session: Bank) -> Response:
    form = await checked_form(request, session)
    if action not in ACTIONS:
        return render(
            request, "message.html", session, status=404, title="Not found", message="Not found"
        )
    answer = await api_for(request, session).post(
        f"/v1/pledges/{pledge_id}/{action}",
        forms.pledge_action(action, form),
        version=form.get("version"),
    )
    if answer.ok:
        return redirect(f"/console/bank/pledges/{pledge_id}?done={action}")
    response = await _pledge_page(
        request, session, pledge_id, problem=answer.problem, failed_action=action
    )
    response.status_code = answer.status
    return response
