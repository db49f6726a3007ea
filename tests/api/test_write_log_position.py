"""Every write response carries X-Log-Position (contract §1): each POST/PUT/PATCH/DELETE route
of the app, found from its routes, answered with success on each store."""

from __future__ import annotations

import json
from typing import Any

from fastapi.routing import APIRoute

from api.main import create_app
from tests.api.write_scenarios import ENDPOINTS, Endpoint, Request
from tests.api.write_states import Ctx
from tests.conftest import auth

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


async def _principal(ctx: Ctx) -> dict[str, Any]:
    body = {"name": "to revoke", "role": "partner", "institution_id": "INSURER-2"}
    return await ctx.ok("POST", "/v1/admin/principals", ctx.keys.admin, body)


async def _disabled_webhook(ctx: Ctx) -> dict[str, Any]:
    endpoint = await ctx.webhook()
    url = f"/v1/admin/webhook-endpoints/{endpoint['id']}/disable"
    await ctx.ok("POST", url, ctx.keys.admin, {"reason": "paused"})
    return endpoint


def _at(method: str, *segments: str, body: Any = None) -> Any:
    def request(_: Ctx, state: dict[str, Any]) -> Request:
        path = ["", "v1", *segments]
        return Request(method, [state["id"] if s == "{id}" else s for s in path], body)

    return request


# The writes the input property test leaves out: they take no input worth mutating.
MORE_ENDPOINTS = [
    Endpoint("revoke_principal", "admin", _principal, _at("DELETE", "admin", "principals", "{id}")),
    Endpoint("delete_webhook", "bank_a", Ctx.webhook, _at("DELETE", "webhook-endpoints", "{id}")),
    Endpoint(
        "enable_webhook",
        "bank_a",
        _disabled_webhook,
        _at("POST", "webhook-endpoints", "{id}", "enable"),
    ),
    Endpoint(
        "admin_disable_webhook",
        "admin",
        Ctx.webhook,
        _at("POST", "admin", "webhook-endpoints", "{id}", "disable", body={"reason": "abuse"}),
    ),
    Endpoint(
        "admin_delete_webhook",
        "admin",
        Ctx.webhook,
        _at("DELETE", "admin", "webhook-endpoints", "{id}"),
    ),
]


def write_routes(container: Any) -> list[tuple[str, APIRoute]]:
    app = create_app(container, run_worker=False)
    routes = [r for r in app.state.api_routes if isinstance(r, APIRoute)]  # not /console
    return [(m, r) for r in routes for m in sorted(r.methods & WRITE_METHODS)]


# Stands in for any state when matching a scenario's request to a route.
ANY_STATE = {"id": "x", "disposal_id": "x", "items": [{"kind": "invention_patent", "number": "x"}]}


def scenario_for(method: str, route: APIRoute, ctx: Ctx) -> Endpoint:
    """The scenario whose request this route answers."""
    for endpoint in [*ENDPOINTS, *MORE_ENDPOINTS]:
        request = endpoint.request(ctx, ANY_STATE)
        if request.method == method and route.path_regex.match(request.url):
            return endpoint
    raise AssertionError(f"no scenario for {method} {route.path}: add one to MORE_ENDPOINTS")


def content(request: Request) -> bytes | None:
    if request.body is None:
        return None
    if request.lines:
        return "\n".join(json.dumps(line) for line in request.body).encode()
    return json.dumps(request.body).encode()


async def test_every_write_route_answers_success_with_the_log_position(client, keys, container):
    ctx = Ctx(client, keys, container)
    routes = write_routes(container)
    assert len(routes) >= len(ENDPOINTS) + len(MORE_ENDPOINTS)
    missing = []
    for method, route in routes:
        endpoint = scenario_for(method, route, ctx)
        request = endpoint.request(ctx, await endpoint.prepare(ctx))  # just before: clock moves
        response = await client.request(
            method,
            request.url,
            content=content(request),
            headers={**auth(getattr(keys, endpoint.role)), "Content-Type": "application/json"},
        )
        assert 200 <= response.status_code < 300, (method, route.path, response.text)
        position = response.headers.get("X-Log-Position", "")
        if not position.isdigit() or int(position) != container.store.max_position():
            missing.append(f"{method} {route.path}: {position!r}")
    assert not missing, missing


async def test_moving_the_clock_reports_the_last_timer_event_it_fired(client, keys, container):
    await Ctx(client, keys, container).listing()  # its 180 days run out
    before = container.store.max_position()

    response = await client.post("/v1/_clock", json={"advance_days": 181}, headers=auth(keys.admin))

    assert response.status_code == 200, response.text
    assert int(response.headers["X-Log-Position"]) == container.store.max_position() > before
