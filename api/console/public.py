"""Pages anyone may open: the console's entry, sign-in and sign-out, the encumbrance search."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.console.web import (
    CSRF_REFUSED,
    PRE_CSRF_COOKIE,
    ROLE_HOME,
    SESSION_COOKIE,
    ConsoleSession,
    MaybeSession,
    api_for,
    checked_form,
    end_session,
    form_of,
    redirect,
    render,
    secure_cookies,
    session_store,
    signed_in,
    wall_clock,
)

router = APIRouter(prefix="/console", include_in_schema=False)
KINDS = (
    "invention_patent",
    "utility_model",
    "design_patent",
    "trademark",
    "copyright",
    "geographical_indication",
    "ic_layout_design",
)
AnySession = Annotated[ConsoleSession, Depends(signed_in())]


@router.get("")
@router.get("/")
def home(session: MaybeSession) -> Response:
    return redirect(
        ROLE_HOME.get(session.principal.role, "/console/search") if session else "/console/search"
    )


@router.get("/sign-in")
def sign_in_page(request: Request) -> Response:
    return _sign_in_form(request)  # signed in already: signing in again replaces the session


def _sign_in_form(request: Request, error: str | None = None, status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request, "sign_in.html", title="Sign in", pre_csrf=token, error=error, status=status
    )
    response.set_cookie(
        PRE_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        path="/console/sign-in",
    )
    return response


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    form = await form_of(request)
    expected = request.cookies.get(PRE_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(form.get("csrf", ""), expected):
        return render(
            request,
            "message.html",
            status=403,
            title="Forbidden",
            message=CSRF_REFUSED,
        )
    store, now = session_store(request), wall_clock(request).now()
    await run_in_threadpool(store.purge_expired, now)  # sessions nobody will resume
    signed = await run_in_threadpool(store.sign_in, form.get("api_key", "").strip(), now)
    if signed is None:
        return _sign_in_form(request, "The API key is unknown or revoked.", status=401)
    session_id, session = signed
    await end_session(request)  # the one this browser had, if any
    response = redirect(ROLE_HOME.get(session.principal.role, "/console/search"))
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        path="/console",
    )
    response.delete_cookie(PRE_CSRF_COOKIE, path="/console/sign-in")
    return response


@router.post("/sign-out")
async def sign_out(request: Request, session: AnySession) -> Response:
    await checked_form(request, session)
    await end_session(request)
    response = redirect("/console/search")
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


@router.get("/search")
async def search(
    request: Request, session: MaybeSession, kind: str = "", number: str = ""
) -> Response:
    result, problem = None, None
    if kind and number:
        answer = await api_for(request, None).get("/v1/search", kind=kind, number=number)
        result, problem = (answer.body, None) if answer.ok else (None, answer.problem)
    return render(
        request,
        "search.html",
        session,
        title="Encumbrance search",
        kinds=KINDS,
        kind=kind,
        number=number,
        result=result,
        problem=problem,
    )
