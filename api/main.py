"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.bootstrap import Container
from api.errors import install_error_handlers
from api.idempotency import IdempotencyMiddleware
from api.middleware import RequestContext
from api.openapi import document_problems
from api.routers import (
    admin,
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

log = logging.getLogger("ipledge")

DESCRIPTION = """Event-sourced registry of IP pledges (patents, trademarks, copyrights) and the
disposal of distressed IP collateral. Errors are RFC 9457 problem documents with a stable `code`;
money is a JSON string; dates are YYYY-MM-DD in China Standard Time."""


def create_app(container: Container, *, run_worker: bool | None = None) -> FastAPI:
    """``run_worker`` (default: settings) runs projections/timers in this process."""
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

    app = FastAPI(
        title="ipledge",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.container = container
    install_error_handlers(app)
    routers = (
        health,
        admin,
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
    document_problems(app)
    app.add_middleware(IdempotencyMiddleware, container=container)
    app.add_middleware(RequestContext)
    return app
