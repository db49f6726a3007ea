"""The disposal side: the trading centre's listings board and listing pages, the disposal
platform's buyback queue, the compensation fund's claims."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.console import forms
from api.console.caller import Api
from api.console.web import ConsoleSession, api_for, checked_form, redirect, render, signed_in

router = APIRouter(prefix="/console", include_in_schema=False)
TradingCentre = Annotated[ConsoleSession, Depends(signed_in("trading_centre"))]
Platform = Annotated[ConsoleSession, Depends(signed_in("disposal_platform"))]
Fund = Annotated[ConsoleSession, Depends(signed_in("compensation_fund"))]
Disposal = Annotated[ConsoleSession, Depends(signed_in("trading_centre", "disposal_platform"))]
LIVE = ("listed", "taken", "bidding", "buyback_pending")
# Listing actions by the role that may take them (the API refuses any other anyway).
LISTING_ACTIONS = {"intentions", "sale", "withdrawal", "buyback"}


async def all_listings(api: Api, **filters: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        answer = await api.get("/v1/listings", limit=500, cursor=cursor, **filters)
        if not answer.ok:
            return items
        items += answer.body["items"]
        cursor = answer.body.get("next_cursor")
        if not cursor:
            return items


def most_urgent_first(listings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    live = [x for x in listings if x["status"] in LIVE]
    return sorted(live, key=lambda x: (x["days_remaining"] is None, x["days_remaining"] or 0))


async def listed_ids(api: Api, path: str, **filters: Any) -> list[str]:
    """The ids a list endpoint gives the caller, every page."""
    ids: list[str] = []
    cursor = None
    while True:
        answer = await api.get(path, limit=500, cursor=cursor, **filters)
        if not answer.ok:
            return ids
        ids += [item["id"] for item in answer.body["items"]]
        cursor = answer.body.get("next_cursor")
        if not cursor:
            return ids


async def resources(api: Api, path: str, ids: list[str]) -> list[dict[str, Any]]:
    answers = [await api.get(f"{path}/{i}") for i in ids]
    return [a.body for a in answers if a.ok]


@router.get("/listings")
async def board(request: Request, session: TradingCentre) -> Response:
    api = api_for(request, session)
    listings = most_urgent_first(await all_listings(api))
    open_ids = await listed_ids(api, "/v1/disposals", status="open")
    disposals = await resources(api, "/v1/disposals", open_ids)
    unlisted = [d for d in disposals if not d.get("current_listing_id") and d["status"] == "open"]
    return render(
        request,
        "listings_board.html",
        session,
        title="Listings board",
        listings=listings,
        unlisted=unlisted,
        today=_today(request),
    )


@router.post("/listings")
async def create_listing(request: Request, session: TradingCentre) -> Response:
    form = await checked_form(request, session)
    body = {
        "disposal_id": form.get("disposal_id", "").strip(),
        "asking_price": form.get("asking_price", "").strip(),
        "listed_on": form.get("listed_on", "").strip(),
    }
    answer = await api_for(request, session).post("/v1/listings", body)
    if answer.ok:
        return redirect(f"/console/listings/{answer.body['id']}?done=listed")
    api = api_for(request, session)
    return render(
        request,
        "listings_board.html",
        session,
        status=answer.status,
        title="Listings board",
        listings=most_urgent_first(await all_listings(api)),
        unlisted=[],
        problem=answer.problem,
        today=_today(request),
    )


@router.get("/listings/{listing_id}")
async def listing_page(request: Request, listing_id: str, session: Disposal) -> Response:
    return await _listing_page(request, session, listing_id)


async def _listing_page(
    request: Request, session: ConsoleSession, listing_id: str, **extra: Any
) -> Response:
    api = api_for(request, session)
    answer = await api.get(f"/v1/listings/{listing_id}")
    if not answer.ok:
        return render(
            request, "message.html", session, status=404, title="Not found", message="Not found"
        )
    listing = answer.body
    disposal = await api.get(f"/v1/disposals/{listing['disposal_id']}")
    history = await api.get(f"/v1/listings/{listing_id}/history", limit=500)
    return render(
        request,
        "listing.html",
        session,
        title="Listing",
        listing=listing,
        disposal=disposal.body if disposal.ok else None,
        events=history.body.get("items", []) if history.ok else [],
        today=_today(request),
        done=request.query_params.get("done"),
        **extra,
    )


@router.post("/listings/{listing_id}/{action}")
async def listing_action(
    request: Request, listing_id: str, action: str, session: Disposal
) -> Response:
    form = await checked_form(request, session)
    api = api_for(request, session)
    if action == "settlement":
        path, body = f"/v1/disposals/{form.get('disposal_id', '')}/settlement", settlement(form)
    elif action in LISTING_ACTIONS:
        path, body = f"/v1/listings/{listing_id}/{action}", listing_body(action, form)
    else:
        return render(
            request, "message.html", session, status=404, title="Not found", message="Not found"
        )
    answer = await api.post(path, body, version=form.get("version"))
    if answer.ok:
        return redirect(f"/console/listings/{listing_id}?done={action}")
    response = await _listing_page(request, session, listing_id, problem=answer.problem)
    response.status_code = answer.status
    return response


def listing_body(action: str, form: dict[str, str]) -> dict[str, Any]:
    party = forms.party(form, "party") or {"name": "", "credit_code": ""}
    if action == "intentions":
        return {"bidder": party, "registered_on": form.get("on", "")}
    if action == "sale":
        return {"buyer": party, "price": form.get("price", ""), "sold_on": form.get("on", "")}
    if action == "buyback":
        return {"buyer": party, "price": form.get("price", ""), "bought_on": form.get("on", "")}
    return {"reason": form.get("reason", "")}


def settlement(form: dict[str, str]) -> dict[str, Any]:
    return {
        "proceeds": form.get("proceeds", "").strip(),
        "costs": form.get("costs", "").strip() or "0.00",
        "settled_on": form.get("on", "").strip(),
    }


@router.get("/buybacks")
async def buyback_queue(request: Request, session: Platform) -> Response:
    listings = await all_listings(api_for(request, session))
    queue = [x for x in listings if x["status"] == "buyback_pending"]
    upcoming = most_urgent_first([x for x in listings if x["status"] != "buyback_pending"])
    done = [x for x in listings if x["status"] == "bought_back"]
    return render(
        request,
        "buybacks.html",
        session,
        title="Buyback queue",
        queue=queue,
        upcoming=upcoming,
        done=done,
    )


@router.get("/claims")
async def claims(request: Request, session: Fund) -> Response:
    api = api_for(request, session)
    ids = await listed_ids(api, "/v1/compensation-claims")
    found = await resources(api, "/v1/compensation-claims", ids)
    return render(
        request,
        "claims.html",
        session,
        title="Compensation claims",
        to_advance=[c for c in found if c["status"] == "claimed"],
        others=[c for c in found if c["status"] != "claimed"],
        today=_today(request),
        done=request.query_params.get("done"),
    )


@router.post("/claims/{claim_id}/advance")
async def advance(request: Request, claim_id: str, session: Fund) -> Response:
    form = await checked_form(request, session)
    answer = await api_for(request, session).post(
        f"/v1/compensation-claims/{claim_id}/advance",
        {"paid_on": form.get("paid_on", "")},
        version=form.get("version"),
    )
    if answer.ok:
        return redirect("/console/claims?done=advanced")
    return render(
        request,
        "message.html",
        session,
        status=answer.status,
        title="The request was refused",
        message=answer.problem.get("detail", ""),
    )


def _today(request: Request) -> str:
    return request.app.state.container.clock.today().isoformat()
