"""The human entry points: `/` lists them, `/docs` (Swagger UI) and `/redoc` serve the OpenAPI
document with assets packaged by ``fastapi-offline``, so the docs work on a network without
Internet access and load nothing from a CDN."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.routing import Match

DOCS_ASSETS = "/docs-assets"  # where fastapi-offline mounts Swagger UI's and ReDoc's files
# Swagger UI never asks the public validator service to check the document.
SWAGGER_UI = {"validatorUrl": None}

router = APIRouter(tags=["operations"])


@dataclass(frozen=True)
class Page:
    path: str
    title: str
    about: str


PAGES = (
    Page("/docs", "API reference (Swagger UI)", "every operation; try it with an API key"),
    Page("/redoc", "API reference (ReDoc)", "the same document, for reading"),
    Page("/openapi.json", "OpenAPI document", "for client generators and contract tests"),
    Page("/healthz", "Liveness", "the process is up"),
    Page("/readyz", "Readiness", "the store is reachable and read models are caught up"),
    Page("/metrics", "Metrics", "Prometheus text format"),
)
# Listed on the index and in `ipledge serve --banner` as soon as the application serves it.
OPTIONAL_PAGES = (
    Page("/guides", "Guides", "each role's tasks step by step, with the calls to make"),
    Page("/console", "Console", "the operator console"),
)


def serves(app: FastAPI, path: str) -> bool:
    """Whether a GET of ``path`` (or ``path/``) reaches a route, however deeply it is included
    (newer FastAPI keeps included routers nested, so ``app.routes`` does not list theirs)."""
    for candidate in (path, path.rstrip("/") + "/"):
        scope = {"type": "http", "method": "GET", "path": candidate, "root_path": ""}
        if any(route.matches(scope)[0] != Match.NONE for route in app.routes):
            return True
    return False


def served_pages(app: FastAPI) -> list[Page]:
    """The pages above, and each optional one the application serves."""
    return [*PAGES, *(p for p in OPTIONAL_PAGES if serves(app, p.path))]


@router.get("/", include_in_schema=False)
def index(request: Request) -> HTMLResponse:
    items = "\n".join(
        f'<li><a href="{escape(p.path)}">{escape(p.title)}</a> '
        f"<code>{escape(p.path)}</code> — {escape(p.about)}</li>"
        for p in served_pages(request.app)
    )
    title = escape(request.app.title)
    return HTMLResponse(INDEX.format(title=title, items=items, assets=DOCS_ASSETS))


INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="{assets}/favicon.png">
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem}}
code{{color:#555}}li{{margin:.4rem 0}}</style></head>
<body><h1>{title}</h1>
<p>Registry of IP pledges and the disposal of distressed IP collateral. Every <code>/v1/</code>
operation takes <code>Authorization: Bearer &lt;api key&gt;</code>, except the public search and
the audit public key.</p>
<ul>
{items}
</ul></body></html>
"""
