"""Authentication happens at the edge, from the Authorization header, before any body is read."""

from __future__ import annotations

import json

import pytest
from fastapi.routing import APIRoute

from api.auth_gate import PUBLIC_V1_PATHS
from api.deps import authenticate
from api.main import create_app
from tests.api.asgi import exchange, json_headers
from tests.api.support import assert_problem, patent_filing
from tests.conftest import auth


@pytest.fixture
def app(container):
    return create_app(container, run_worker=False)


def depends_on(dependant, call) -> bool:
    return any(d.call is call or depends_on(d, call) for d in dependant.dependencies)


async def test_an_anonymous_caller_is_refused_before_its_body_is_read(app, keys):
    body = json.dumps(patent_filing("201510000001.0")).encode()
    headers = [("content-type", "application/json"), ("content-length", str(len(body)))]

    response = await exchange(app, "POST", "/v1/pledges", headers, [body])

    assert response.status == 401
    assert response.json()["code"] == "unauthenticated"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.pulled == 0
    assert response.headers["connection"] == "close"  # stop sending what will not be read


async def test_an_unknown_key_is_refused_before_its_body_is_read(app, keys):
    body = b"{not json"
    response = await exchange(app, "POST", "/v1/pledges", json_headers("ipk_unknown", body), [body])

    assert response.status == 401
    assert response.pulled == 0


async def test_an_anonymous_caller_of_an_unknown_v1_path_is_unauthenticated(client, keys):
    anonymous = await client.get("/v1/no-such-thing")
    known = await client.get("/v1/no-such-thing", headers=auth(keys.bank_a))

    assert_problem(anonymous, 401, "unauthenticated")
    assert_problem(known, 404, "not_found")


@pytest.mark.parametrize(
    "path", ["/healthz", "/metrics", "/openapi.json", "/docs", "/v1/audit/public-key"]
)
async def test_public_routes_need_no_key(client, path):
    response = await client.get(path)

    assert response.status_code == 200, response.text


async def test_the_public_search_needs_no_key(client):
    response = await client.get(
        "/v1/search", params={"kind": "invention_patent", "number": "201510000001.0"}
    )

    assert response.status_code == 200, response.text


def test_every_v1_route_but_the_public_ones_depends_on_the_authenticated_caller(app):
    routes = [r for r in app.state.api_routes if isinstance(r, APIRoute)]
    v1 = [r for r in routes if r.path.startswith("/v1/")]

    public = {r.path for r in v1 if not depends_on(r.dependant, authenticate)}

    assert public == PUBLIC_V1_PATHS
