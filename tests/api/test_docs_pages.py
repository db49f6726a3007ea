"""`/`, `/docs` and `/redoc` work offline: every asset they name is served by the service itself,
no page names an external URL, and none needs an API key."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest
from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from api.main import create_app

EXTERNAL = re.compile(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}", re.IGNORECASE)
ASSET_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


class References(HTMLParser):
    """Every URL a page makes the browser load or offer: src, href, spec-url."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []  # (tag, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [(tag, v) for k, v in attrs if k in ("src", "href", "spec-url") and v]


def references(html: str, tag: str | None = None) -> list[str]:
    parser = References()
    parser.feed(html)
    return [url for t, url in parser.urls if tag in (None, t)]


@pytest.mark.parametrize("page", ["/", "/docs", "/redoc"])
async def test_a_docs_page_names_no_external_url(client: httpx.AsyncClient, page: str) -> None:
    response = await client.get(page)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert not EXTERNAL.findall(response.text)
    assert all(url.startswith("/") for url in references(response.text))


@pytest.mark.parametrize(
    ("page", "kinds"),
    [("/", {"png"}), ("/docs", {"js", "css", "png"}), ("/redoc", {"js", "png"})],
)
async def test_every_asset_of_a_docs_page_is_served_without_a_key(
    client: httpx.AsyncClient, page: str, kinds: set[str]
) -> None:
    html = (await client.get(page)).text
    assets = [url for url in references(html) if url.startswith("/docs-assets/")]

    assert {url.rsplit(".", 1)[1] for url in assets} == kinds
    for url in assets:
        response = await client.get(url)
        assert response.status_code == 200, url
        assert ASSET_TYPES["." + url.rsplit(".", 1)[1]] in response.headers["content-type"]
        assert len(response.content) > 1000


async def test_swagger_ui_never_calls_the_public_validator(client: httpx.AsyncClient) -> None:
    assert '"validatorUrl": null' in (await client.get("/docs")).text


async def test_both_docs_pages_read_the_service_own_openapi_document(
    client: httpx.AsyncClient,
) -> None:
    assert "url: '/openapi.json'" in (await client.get("/docs")).text
    assert 'spec-url="/openapi.json"' in (await client.get("/redoc")).text
    assert (await client.get("/openapi.json")).json()["info"]["title"] == "ipledge"


async def test_the_index_links_every_human_entry_point(client: httpx.AsyncClient) -> None:
    links = references((await client.get("/")).text, "a")

    pages = ["/docs", "/redoc", "/openapi.json", "/healthz", "/readyz", "/metrics", "/guides"]
    assert links == [*pages, "/console"]
    for link in links[:3]:
        assert (await client.get(link)).status_code == 200
    assert (await client.get("/console")).headers["location"] == "/console/search"


async def test_the_index_lists_the_console_once_the_service_serves_one(container) -> None:
    app = create_app(container, run_worker=False)
    console = APIRouter()  # included as a router would be (FastAPI keeps it nested)
    console.add_api_route("/console", lambda: PlainTextResponse("console"))
    app.include_router(console)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ipledge.test") as client:
        links = references((await client.get("/")).text, "a")

    assert links[-1] == "/console"


async def test_the_index_takes_only_get_and_head(client: httpx.AsyncClient) -> None:
    response = await client.post("/")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert (await client.head("/")).status_code == 200
