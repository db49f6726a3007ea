"""HTTP helpers shared by the API tests: put a register entry, file a pledge."""

from __future__ import annotations

from typing import Any

import httpx

from tests.builders import filing, party, patent_entry, patent_number
from tests.conftest import Keys, auth


async def register_patent(
    client: httpx.AsyncClient, keys: Keys, serial: int, holder: dict[str, str] | None = None
) -> str:
    """Puts an in-force invention patent held by ``holder`` (party 1); returns its number."""
    number = patent_number(serial)
    response = await client.put(
        f"/v1/ip-rights/invention_patent/{number}",
        json=patent_entry([holder or party(1)]),
        headers=auth(keys.ip_office),
    )
    assert response.status_code in (200, 201), response.text
    return number


def patent_filing(number: str, holder: dict[str, str] | None = None, **overrides: Any) -> dict:
    return filing(holder or party(1), [{"kind": "invention_patent", "number": number}], **overrides)


async def file_pledge(
    client: httpx.AsyncClient,
    key: str,
    number: str,
    holder: dict[str, str] | None = None,
    **overrides: Any,
) -> httpx.Response:
    response = await client.post(
        "/v1/pledges", json=patent_filing(number, holder, **overrides), headers=auth(key)
    )
    assert response.status_code == 201, response.text
    return response


async def registered_pledge(
    client: httpx.AsyncClient, keys: Keys, serial: int, key: str | None = None
) -> dict[str, Any]:
    """Registers a patent and a pledge of it by ``key`` (bank A); returns the pledge body."""
    number = await register_patent(client, keys, serial)
    body = (await file_pledge(client, key or keys.bank_a, number)).json()
    assert body["status"] == "registered", body
    return body


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem document with the given status and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "title", "status", "detail", "code"} <= body.keys(), body
    assert body["status"] == status
    assert body["code"] == code
    return body


async def refused(
    client: httpx.AsyncClient,
    container: Any,
    method: str,
    url: str,
    key: str,
    status: int,
    code: str,
    **kwargs: Any,
) -> dict[str, Any]:
    """The request is answered with the problem and records nothing; read models still
    catch up."""
    before = container.store.max_position()
    headers = {**auth(key), **kwargs.pop("headers", {})}
    response = await client.request(method, url, headers=headers, **kwargs)
    body = assert_problem(response, status, code)
    assert container.store.max_position() == before
    container.projections.catch_up(timeout=10)
    return body


def fields_of(problem: dict[str, Any]) -> list[str]:
    return [e["field"] for e in problem["errors"]]
