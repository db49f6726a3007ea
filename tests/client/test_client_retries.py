"""The client's retry rules, against a scripted transport (no server, no waiting): which
failures are retried, how long it waits, and that every attempt carries the same key."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from ipledge_client import (
    InvalidState,
    IpledgeClient,
    ProblemError,
    RateLimited,
    RetryPolicy,
)

PROBLEM = {"content-type": "application/problem+json"}
PLEDGE = {"id": "p-1", "status": "registered", "version": 1, "items": []}


def problem(status: int, code: str, headers: dict[str, str] | None = None) -> httpx.Response:
    body = {"type": "t", "title": "x", "status": status, "detail": "d", "code": code}
    return httpx.Response(status, json=body, headers={**PROBLEM, **(headers or {})})


class Script:
    """Answers requests in turn from ``steps`` (a response, or an exception to raise)."""

    def __init__(self, *steps: httpx.Response | type[httpx.TransportError]) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []
        self.waits: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0)
        if isinstance(step, type):
            raise step("scripted", request=request)
        return step

    def client(self, retry: RetryPolicy | None = None) -> IpledgeClient:
        return IpledgeClient(
            "http://ipledge.test",
            "ipk_test",
            transport=httpx.MockTransport(self),
            retry=retry or RetryPolicy(attempts=3, backoff=0.5, max_wait=10),
            sleep=self.waits.append,
        )

    def keys(self) -> list[str | None]:
        return [r.headers.get("Idempotency-Key") for r in self.requests]


def created() -> httpx.Response:
    return httpx.Response(201, json=PLEDGE, headers={"ETag": '"1"', "X-Log-Position": "7"})


def file(client: IpledgeClient, key: str | None = None) -> Callable[[], object]:
    return lambda: client.file_pledge({"items": []}, idempotency_key=key)


def test_every_post_carries_a_fresh_uuid_key_unless_the_caller_gives_one():
    script = Script(created(), created(), created())
    client = script.client()
    file(client)()
    file(client)()
    file(client, "BANK-A/WHB-1")()
    first, second, given = script.keys()
    assert first and second and first != second and len(first) == 36
    assert given == "BANK-A/WHB-1"


def test_429_waits_as_long_as_retry_after_says_and_retries_with_the_same_key():
    script = Script(problem(429, "rate_limited", {"Retry-After": "3"}), created())
    pledge = script.client().file_pledge({"items": []})
    assert pledge.log_position == 7 and pledge.etag == '"1"'
    assert script.waits == [3.0]
    assert len(set(script.keys())) == 1 and len(script.requests) == 2


def test_503_and_a_lost_answer_are_retried_with_growing_waits_then_give_up():
    script = Script(
        problem(503, "projection_lagging"), httpx.ReadError, problem(503, "projection_lagging")
    )
    with pytest.raises(ProblemError) as failed:
        file(script.client())()
    assert failed.value.status == 503 and len(script.requests) == 3
    assert 0.25 <= script.waits[0] <= 0.5 and 0.5 <= script.waits[1] <= 1.0
    assert len(set(script.keys())) == 1


def test_a_retry_after_longer_than_the_cap_is_not_waited_for():
    script = Script(problem(429, "rate_limited", {"Retry-After": "3600"}), created())
    with pytest.raises(RateLimited):
        file(script.client())()
    assert script.waits == [] and len(script.requests) == 1


def test_a_request_still_in_flight_under_the_same_key_is_waited_for():
    script = Script(problem(409, "idempotency_key_in_flight"), created())
    assert file(script.client())().status == "registered"  # type: ignore[attr-defined]
    assert len(script.requests) == 2


def test_a_refusal_is_raised_at_once_never_retried():
    script = Script(problem(409, "invalid_state"))
    with pytest.raises(InvalidState) as refused:
        file(script.client())()
    assert refused.value.code == "invalid_state" and refused.value.status == 409
    assert len(script.requests) == 1 and script.waits == []


def test_a_connection_never_made_is_retried_for_any_method_but_a_lost_delete_answer_is_not():
    script = Script(httpx.ConnectError, httpx.Response(204), httpx.ReadError)
    client = script.client()
    client.delete_webhook_endpoint("w-1")
    with pytest.raises(httpx.ReadError):
        client.delete_webhook_endpoint("w-1")
    assert len(script.requests) == 3


def test_an_answer_that_is_not_a_problem_document_is_still_a_problem():
    script = Script(httpx.Response(502, text="<html>bad gateway</html>"))
    with pytest.raises(ProblemError) as failed:
        script.client(RetryPolicy(attempts=1)).get_pledge("p-1")
    assert failed.value.code == "http_502" and "bad gateway" in failed.value.detail
