"""The edge over a real socket: refused bodies are not read, retries right after a 201 replay."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.builders import filing, party, patent_entry, patent_number
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e
ADMIN = {"Authorization": "Bearer ipk_e2e_admin_key_0123456789"}
HUNDRED_MB = 100 * 1024 * 1024
CHUNK = 64 * 1024
# What the two kernels' socket buffers may take before the server hangs up (about 4 MB here).
SOCKET_BUFFERS = 20 * 1024 * 1024


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    server = Server(database_url, tmp_path).start()
    yield server
    server.stop()


class CountingBody:
    """A 100 MB request body made on demand, counting how much the client was asked to send."""

    def __init__(self) -> None:
        self.pulled = 0

    def __iter__(self) -> Iterator[bytes]:
        while self.pulled < HUNDRED_MB:
            self.pulled += CHUNK
            yield b" " * CHUNK


def principal(http: httpx.Client, role: str, institution: str) -> dict[str, str]:
    response = http.post(
        "/v1/admin/principals",
        headers=ADMIN,
        json={"name": f"{role} e2e", "role": role, "institution_id": institution},
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['api_key']}"}


def post_100_mb(server: Server, headers: dict[str, str]) -> tuple[httpx.Response, int]:
    body = CountingBody()
    with httpx.Client(base_url=server.url, timeout=30) as http:
        response = http.post("/v1/pledges", content=body, headers=headers)
    return response, body.pulled


def test_an_unauthenticated_100_mb_body_is_refused_without_being_read(server: Server):
    headers = {"Content-Type": "application/json", "Content-Length": str(HUNDRED_MB)}

    response, pulled = post_100_mb(server, headers)

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert pulled < SOCKET_BUFFERS  # the server hung up instead of reading the rest


def test_an_oversized_body_is_refused_from_its_content_length(server: Server):
    with httpx.Client(base_url=server.url, timeout=10) as http:
        bank = principal(http, "bank", "BANK-A")
    headers = {**bank, "Content-Type": "application/json", "Content-Length": str(HUNDRED_MB)}

    response, pulled = post_100_mb(server, headers)

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert pulled < SOCKET_BUFFERS


def test_an_oversized_chunked_body_is_refused_once_it_passes_the_cap(server: Server):
    with httpx.Client(base_url=server.url, timeout=10) as http:
        bank = principal(http, "bank", "BANK-A")

    response, pulled = post_100_mb(server, {**bank, "Content-Type": "application/json"})

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert pulled < SOCKET_BUFFERS


def raw_exchange(server: Server, request: bytes) -> tuple[int, dict]:
    """Sends raw bytes, reads until the server closes; returns the status and the JSON body."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert b"content-type: application/problem+json" in head.lower()
    return int(head.split()[1]), json.loads(body)


def test_an_oversized_request_head_is_refused_with_a_problem(server: Server):
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000

    status, body = raw_exchange(server, request)

    assert (status, body["code"]) == (431, "request_head_too_large")


def test_a_request_that_is_not_http_gets_a_problem(server: Server):
    status, body = raw_exchange(server, b"NOT HTTP AT ALL\r\n\r\n")

    assert (status, body["code"]) == (400, "malformed_http")


def test_forty_immediate_retries_of_a_created_pledge_all_replay(server: Server):
    holders = [party(n) for n in range(40)]
    with httpx.Client(base_url=server.url, timeout=30) as http:
        office, bank = principal(http, "ip_office", "CNIPA"), principal(http, "bank", "BANK-A")
        lines = [
            json.dumps({"kind": "invention_patent", "number": patent_number(n), **entry})
            for n, entry in enumerate(patent_entry([holder]) for holder in holders)
        ]
        imported = http.post("/v1/ip-rights/import", headers=office, content="\n".join(lines))
        assert imported.json() == {"imported": 40, "errors": []}, imported.text
        outcomes = []
        for n, holder in enumerate(holders):
            body = filing(holder, [{"kind": "invention_patent", "number": patent_number(n)}])
            headers = {**bank, "Idempotency-Key": f"e2e-filing-{n}"}
            first = http.post("/v1/pledges", headers=headers, json=body)
            again = http.post("/v1/pledges", headers=headers, json=body)
            outcomes.append((first.status_code, again.status_code, again.json()["id"]))
            assert again.headers.get("Idempotent-Replayed") == "true", again.text
            assert again.json()["id"] == first.json()["id"]

    assert {(first, again) for first, again, _ in outcomes} == {(201, 201)}
