"""Request bodies are capped (413) and JSON routes take JSON only (415, 400), as problems."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import select

from api.main import create_app
from events.tables import idempotency_keys
from tests.api.asgi import exchange, json_headers
from tests.api.support import assert_problem, patent_filing, register_patent
from tests.builders import party, patent_entry, patent_number
from tests.conftest import auth

MAX_BODY = 4096
MAX_IMPORT = 64 * 1024
CHUNK = 1024


@pytest.fixture
def app(container):
    caps = {"max_body_bytes": MAX_BODY, "max_import_bytes": MAX_IMPORT}
    container.settings = container.settings.model_copy(update=caps)
    return create_app(container, run_worker=False)


@pytest.fixture
async def small(app):
    """A client of the app with small caps: 4 KiB bodies, 64 KiB imports."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ipledge.test") as c:
        yield c


def import_lines(count: int) -> list[bytes]:
    return [
        json.dumps(
            {"kind": "invention_patent", "number": patent_number(n), **patent_entry([party(n)])}
        ).encode()
        + b"\n"
        for n in range(count)
    ]


async def test_a_body_over_the_cap_is_refused_from_its_content_length_unread(app, keys):
    body = b" " * (MAX_BODY + 1)

    response = await exchange(app, "POST", "/v1/pledges", json_headers(keys.bank_a, body), [body])

    assert response.status == 413
    assert response.json()["code"] == "payload_too_large"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.pulled == 0


async def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_cap(app, keys):
    headers = [*json_headers(keys.bank_a, b"")[:2], ("transfer-encoding", "chunked")]
    chunks = [b" " * CHUNK] * 100

    response = await exchange(app, "POST", "/v1/pledges", headers, chunks)

    assert response.status == 413
    assert response.json()["code"] == "payload_too_large"
    assert response.pulled == MAX_BODY + CHUNK  # the chunk that passed the cap, no more
    assert response.headers["connection"] == "close"


async def test_an_oversized_chunked_body_with_an_idempotency_key_claims_nothing(
    app, keys, container
):
    headers = [
        *json_headers(keys.bank_a, b"")[:2],
        ("transfer-encoding", "chunked"),
        ("idempotency-key", "filing-0001"),
    ]

    response = await exchange(app, "POST", "/v1/pledges", headers, [b" " * CHUNK] * 100)

    assert response.status == 413
    with container.db.read() as conn:
        assert conn.execute(select(idempotency_keys)).first() is None


async def test_the_import_takes_more_than_a_json_body_but_has_its_own_cap(app, small, keys):
    lines = import_lines(20)
    assert MAX_BODY < len(b"".join(lines)) < MAX_IMPORT
    imported = await small.post(
        "/v1/ip-rights/import", content=b"".join(lines), headers=auth(keys.ip_office)
    )
    headers = [("authorization", f"Bearer {keys.ip_office}"), ("transfer-encoding", "chunked")]

    too_large = await exchange(app, "POST", "/v1/ip-rights/import", headers, lines * 100)

    assert imported.json() == {"imported": 20, "errors": []}, imported.text
    assert too_large.status == 413
    assert too_large.json()["code"] == "payload_too_large"
    assert too_large.pulled < MAX_IMPORT + len(lines[0])


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"],
)
async def test_a_json_route_refuses_other_media_types(client, keys, container, content_type):
    number = await register_patent(client, keys, 1)
    headers = {**auth(keys.bank_a), **({"Content-Type": content_type} if content_type else {})}
    before = container.store.max_position()

    response = await client.post(
        "/v1/pledges", content=json.dumps(patent_filing(number)), headers=headers
    )

    assert_problem(response, 415, "unsupported_media_type")
    assert container.store.max_position() == before


@pytest.mark.parametrize("content_type", ["application/json; charset=UTF-8", "application/x+json"])
async def test_a_json_route_takes_json_media_types(client, keys, content_type):
    number = await register_patent(client, keys, 1)
    headers = {**auth(keys.bank_a), "Content-Type": content_type}

    response = await client.post(
        "/v1/pledges", content=json.dumps(patent_filing(number)), headers=headers
    )

    assert response.status_code == 201, response.text


async def test_a_json_body_that_is_not_utf8_is_malformed_json(client, keys):
    response = await client.post(
        "/v1/pledges",
        content=b'{"pledgor": "\xff"}',
        headers={**auth(keys.bank_a), "Content-Type": "application/json"},
    )

    assert_problem(response, 400, "malformed_json")


async def test_a_post_without_a_body_needs_no_media_type(client, keys):
    response = await client.post("/v1/pledges", headers=auth(keys.bank_a))

    assert_problem(response, 422, "validation_error")
