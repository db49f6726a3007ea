"""HTTP at the edge: HEAD, OPTIONS, long targets, odd header bytes, clients that leave."""

from __future__ import annotations

import json

import pytest

from api.main import create_app
from api.middleware import MAX_TARGET_BYTES
from tests.api.asgi import exchange
from tests.api.support import assert_problem, registered_pledge
from tests.builders import party, patent_entry, patent_number
from tests.conftest import auth


@pytest.fixture
def app(container):
    return create_app(container, run_worker=False)


async def test_head_is_get_without_content(client, keys):
    pledge = await registered_pledge(client, keys, 1)
    url = f"/v1/pledges/{pledge['id']}"

    got = await client.get(url, headers=auth(keys.bank_a))
    head = await client.head(url, headers=auth(keys.bank_a))

    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["ETag"] == got.headers["ETag"]
    assert head.headers["Content-Length"] == got.headers["Content-Length"]


async def test_head_of_health_answers_like_get(client):
    assert (await client.head("/healthz")).status_code == 200


async def test_options_is_not_allowed_and_names_the_methods_that_are(client, keys):
    response = await client.options("/v1/pledges", headers=auth(keys.bank_a))

    assert_problem(response, 405, "method_not_allowed")
    assert response.headers["Allow"] == "GET, HEAD, POST"


async def test_a_wrong_method_names_every_method_of_the_path(client, keys):
    response = await client.delete("/v1/pledges", headers=auth(keys.bank_a))

    assert_problem(response, 405, "method_not_allowed")
    assert response.headers["Allow"] == "GET, HEAD, POST"


async def test_a_request_target_over_the_limit_is_414(client, keys):
    response = await client.get(
        "/v1/pledges", params={"cursor": "x" * MAX_TARGET_BYTES}, headers=auth(keys.bank_a)
    )

    assert_problem(response, 414, "uri_too_long")


@pytest.mark.parametrize(
    ("header", "value", "status", "code"),
    [
        ("authorization", b"Bearer \xff\xfe", 401, "unauthenticated"),
        ("idempotency-key", b"k\xe9y", 400, "invalid_idempotency_key"),
        ("content-type", b"application/\xffjson", 415, "unsupported_media_type"),
    ],
)
async def test_odd_bytes_in_a_header_get_a_problem(app, keys, header, value, status, code):
    body = b"{}"
    headers = {
        "authorization": f"Bearer {keys.bank_a}".encode(),
        "content-type": b"application/json",
        "content-length": b"2",
        header: value,
    }

    response = await exchange(app, "POST", "/v1/pledges", list(headers.items()), [body])

    assert response.status == status, response.body
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


async def test_odd_bytes_in_if_match_are_a_version_mismatch(app, client, keys):
    pledge = await registered_pledge(client, keys, 1)
    body = json.dumps({"secured_amount": "4000000.00"}).encode()
    headers = [
        ("authorization", f"Bearer {keys.bank_a}"),
        ("content-type", "application/json"),
        ("if-match", b'"\xff"'),
    ]

    response = await exchange(
        app, "POST", f"/v1/pledges/{pledge['id']}/amendments", headers, [body]
    )

    assert response.status == 412
    assert response.json()["code"] == "version_mismatch"


async def test_odd_bytes_in_a_request_id_are_replaced(app):
    response = await exchange(app, "GET", "/healthz", [("x-request-id", b"\xff\n")])

    assert response.status == 200
    assert len(response.headers["x-request-id"]) == 32


async def test_a_client_gone_mid_import_imports_nothing(app, keys, container):
    lines = [
        json.dumps({"kind": "invention_patent", "number": patent_number(n), **entry}).encode()
        + b"\n"
        for n, entry in enumerate(patent_entry([party(n)]) for n in range(3))
    ]
    headers = [("authorization", f"Bearer {keys.ip_office}"), ("transfer-encoding", "chunked")]
    before = container.store.max_position()

    gone = await exchange(app, "POST", "/v1/ip-rights/import", headers, lines, disconnect=True)

    assert gone.status is None
    assert container.store.max_position() == before
