"""What every console page shares: templates, language, the session, CSRF, rendering."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from api.console.caller import Api
from api.console.i18n import LANGUAGES, translator
from api.console.sessions import ConsoleSession, SessionStore
from events.clock import Clock, SystemClock

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
SESSION_COOKIE = "ipledge_console"
LANG_COOKIE = "ipledge_console_lang"
PRE_CSRF_COOKIE = "ipledge_console_signin"  # double-submit token for the sign-in form
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
ROLE_HOME = {
    "bank": "/console/bank/pledges",
    "trading_centre": "/console/listings",
    "disposal_platform": "/console/buybacks",
    "compensation_fund": "/console/claims",
    "regulator": "/console/regulator",
    "ip_office": "/console/regulator/records",
    "admin": "/console/admin/principals",
    "partner": "/console/search",
}


# Scripts, styles and images from the console's own origin only; no framing; forms post here.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


CSRF_REFUSED = "This form has expired or was not sent from this console. Nothing was changed."


class Forbidden(Exception):
    """A form without its CSRF token, or a page the session's role may not open."""

    def __init__(self, message: str = CSRF_REFUSED) -> None:
        super().__init__(message)
        self.message = message


class SignInNeeded(Exception):
    pass


def wall_clock(request: Request) -> Clock:
    return getattr(request.app.state, "wall_clock", None) or SystemClock()


def session_store(request: Request) -> SessionStore:
    container = request.app.state.container
    return SessionStore(container.db, container.principals)


def language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return asked if asked in LANGUAGES else "zh"


def secure_cookies(request: Request) -> bool:
    return (request.url.hostname or "") not in LOCAL_HOSTS


def current_session(request: Request) -> ConsoleSession | None:
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    return session_store(request).lookup(session_id, wall_clock(request).now())


MaybeSession = Annotated[ConsoleSession | None, Depends(current_session)]


def signed_in(*roles: str) -> Callable[[ConsoleSession | None], ConsoleSession]:
    """A dependency: the live session of one of ``roles`` (any role when none given).

    Use as ``Annotated[ConsoleSession, Depends(signed_in("bank"))]``."""

    def check(session: MaybeSession) -> ConsoleSession:
        if session is None:
            raise SignInNeeded
        if roles and session.principal.role not in roles:
            raise Forbidden("This page is not for your role.")
        return session

    return check


async def form_of(request: Request) -> dict[str, str]:
    """The url-encoded form (the console posts plain HTML forms: no multipart)."""
    return dict(parse_qsl((await request.body()).decode("utf-8", "replace")))


async def checked_form(request: Request, session: ConsoleSession) -> dict[str, str]:
    """The form, once its CSRF token matches the session's; Forbidden otherwise."""
    form = await form_of(request)
    if not secrets.compare_digest(form.get("csrf", ""), session.csrf_token):
        raise Forbidden
    return form


def api_for(request: Request, session: ConsoleSession | None) -> Api:
    return Api(request, session.principal if session else None)


def render(
    request: Request,
    template: str,
    session: ConsoleSession | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    lang = language(request)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "t": translator(lang),
            "lang": lang,
            "session": session,
            "csrf": session.csrf_token if session else "",
            "path": request.url.path,
            "query": request.url.query,
            **context,
        },
        status_code=status,
    )
    response.headers.update(SECURITY_HEADERS)
    if session is not None:  # a signed-in page is nobody else's: not kept by any cache
        response.headers["Cache-Control"] = "no-store"
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 86400,
            samesite="strict",
            secure=secure_cookies(request),
            httponly=True,
        )
    return response


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


async def end_session(request: Request) -> None:
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        await run_in_threadpool(session_store(request).end, session_id)
