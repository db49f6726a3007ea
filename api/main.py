"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from api import console, guides, home
from api.auth_gate import AuthGate
from api.bootstrap import Container
from api.errors import install_error_handlers
from api.idempotency import IdempotencyMiddleware
from api.idempotency_store import IdempotencyStore
from api.json_response import FastJSONResponse
from api.middleware import CloseUnreadBodies, HeadAsGet, RequestContext, TargetLimit
from api.openapi import document_problems
from api.request_bodies import RequestBodies
from api.routers import (
    admin,
    admin_webhooks,
    audit,
    clock,
    compensation,
    disposals,
    feed,
    health,
    ip_rights,
    listings,
    pledges,
    reports,
    search,
    webhooks,
)
from events.clock import Clock, SystemClock

log = logging.getLogger("ipledge")
# Routes that read their body as a stream of lines, under IPLEDGE_MAX_IMPORT_BYTES.
STREAMED_BODIES = ("/v1/ip-rights/import",)

DESCRIPTION = """Event-sourced registry of IP pledges (patents, trademarks, copyrights) and the
disposal of distressed IP collateral.

- **Authentication**: `Authorization: Bearer <api key>` on every `/v1/` operation but the public
  search and the audit public key (*Authorize* above).
- **Errors**: RFC 9457 problem documents (`application/problem+json`) with a stable `code`; each
  operation lists the statuses and codes it can answer. A failed request writes nothing.
- **Values**: money is a JSON string with at most 2 decimals (`"5000000.00"`, never a number);
  business dates are `YYYY-MM-DD` in China Standard Time; instants RFC 3339.
- **Writes**: every POST honours `Idempotency-Key` (24 h per principal); commands on a resource
  take `If-Match` with its `ETag`; write responses carry `X-Log-Position`, which lists accept as
  `?min_position=` to reflect that write.
- **Lists**: `?limit=` (1-500) and `?cursor=`; `{"items": [...], "next_cursor": ...}`."""


def create_app(
    container: Container, *, run_worker: bool | None = None, wall_clock: Clock | None = None
) -> FastAPI:
    """``run_worker`` (default: settings) runs projections/timers in this process;
    ``wall_clock`` (default: the system's) times transport concerns such as idempotency keys."""
    in_process = container.settings.run_worker if run_worker is None else run_worker

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if in_process:
            container.start_background()
        log.info(
            "ipledge started",
            extra={"database": container.config.dialect, "clock": container.settings.clock},
        )
        yield
        container.dispatcher.stop()
        container.worker.stop()

    app = FastAPIOffline(  # /docs and /redoc with packaged assets, no CDN (api/home.py)
        title="ipledge",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        default_response_class=FastJSONResponse,  # routes returning dicts, as /v1's do
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url="/redoc",
        static_url=home.DOCS_ASSETS,
        swagger_ui_parameters=home.SWAGGER_UI,
    )
    app.state.container = container
    install_error_handlers(app)
    routers = (
        home,
        health,
        admin,
        admin_webhooks,
        ip_rights,
        pledges,
        compensation,
        disposals,
        listings,
        reports,
        audit,
        search,
        webhooks,
        feed,
        clock,
    )
    for module in routers:
        app.include_router(module.router)
    if guides.available():  # only a checkout of the repository holds docs/guides
        app.include_router(guides.router)
    app.state.api_routes = [route for module in routers for route in module.router.routes]
    console.install(app)  # /console: HTML pages, outside the API's routes and schema
    document_problems(app)
    app.state.wall_clock = wall_clock or SystemClock()  # console sessions expire on it
    add_edge_middleware(app, container, app.state.wall_clock)
    return app


def add_edge_middleware(app: FastAPI, container: Container, wall_clock: Clock) -> None:
    """Outermost first: request id and logs; connection close for unread bodies; HEAD; target
    length; authentication; body size and media type; idempotency; then the routes."""
    settings = container.settings
    store = IdempotencyStore(container.db)
    app.add_middleware(IdempotencyMiddleware, store=store, wall_clock=wall_clock)
    streamed = dict.fromkeys(STREAMED_BODIES, settings.max_import_bytes)
    app.add_middleware(RequestBodies, max_bytes=settings.max_body_bytes, streamed=streamed)
    app.add_middleware(AuthGate, principals=container.principals)
    app.add_middleware(TargetLimit)
    app.add_middleware(HeadAsGet)
    app.add_middleware(CloseUnreadBodies)
    app.add_middleware(RequestContext)
