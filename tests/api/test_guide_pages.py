"""The role guides under /guides: listed on `/` and at /guides, rendered offline from
docs/guides, links between guides kept inside /guides, no key needed, unknown names 404."""

from __future__ import annotations

import httpx
import pytest

from api.guides import GUIDES_DIR
from tests.api.support import assert_problem
from tests.api.test_docs_pages import EXTERNAL, references

GUIDES = sorted(path.stem for path in GUIDES_DIR.glob("*.md"))


async def test_the_index_links_the_guides(client: httpx.AsyncClient) -> None:
    assert "/guides" in references((await client.get("/")).text, "a")


async def test_the_guides_page_lists_every_guide_by_its_title(client: httpx.AsyncClient) -> None:
    response = await client.get("/guides")

    assert response.status_code == 200
    assert references(response.text, "a")[2:] == [f"/guides/{name}" for name in GUIDES]
    assert "Guide for banks: filing pledges and following them to the end" in response.text


@pytest.mark.parametrize("name", GUIDES)
async def test_a_guide_renders_offline_with_links_only_inside_the_service(
    client: httpx.AsyncClient, name: str
) -> None:
    response = await client.get(f"/guides/{name}")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Guide for" in response.text and "<pre><code" in response.text
    assert not EXTERNAL.findall(response.text)
    assert all(url.startswith("/") for url in references(response.text))


async def test_links_between_guides_stay_under_guides(client: httpx.AsyncClient) -> None:
    links = references((await client.get("/guides/bank")).text, "a")

    assert "/guides/trading-centre" in links and "/guides/partner" in links


@pytest.mark.parametrize("name", ["nope", "..%2Fcontract", "BANK"])
async def test_an_unknown_guide_is_not_found(client: httpx.AsyncClient, name: str) -> None:
    assert_problem(await client.get(f"/guides/{name}"), 404, "not_found")
