"""The web console under /console: server-rendered pages for every role (issue 11)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from api.console import admin, bank, disposal, public, regulator, webhooks
from api.console.web import HERE, SESSION_COOKIE, Forbidden, SignInNeeded, redirect, render

PAGES = (public, bank, disposal, regulator, admin, webhooks)


def install(app: FastAPI) -> None:
    """Adds the console's pages, its static files and its two error pages to ``app``."""
    for module in PAGES:
        app.include_router(module.router)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")

    @app.exception_handler(SignInNeeded)
    async def sign_in_needed(request: Request, _: SignInNeeded) -> Response:
        response = redirect("/console/sign-in")
        response.delete_cookie(SESSION_COOKIE, path="/console")
        return response

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, refused: Forbidden) -> Response:
        return render(
            request, "message.html", status=403, title="Forbidden", message=refused.message
        )
