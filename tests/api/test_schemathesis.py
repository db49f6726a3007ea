"""Schemathesis against the app from its own OpenAPI document, as every role and anonymously,
on both stores: phases examples, coverage, fuzzing and stateful; checks `not_a_server_error`
(the contract's `503 projection_lagging` alone allowed), `status_code_conformance` and
`response_schema_conformance` (every body, problem `code`s included, as the document says).

Each role fuzzes what it reaches past authorisation, every operation in depth once per store
(tests/api/fuzz_plan.py). Deterministic (derandomized, fixed seed, no example database) and
bounded. The dispatcher does not run (``run_worker=False``), so no webhook is ever sent, and
the URL guard looks nothing up: a fuzzed host name is refused without a DNS query.
"""

from __future__ import annotations

import socket

import pytest

from api.bootstrap import Container
from api.main import create_app
from api.rate_limit_buckets import TokenBuckets
from events.webhooks.url_guard import TargetGuard
from tests.api.fuzz_plan import ROLES
from tests.api.fuzz_seed import seed
from tests.api.fuzz_support import ServedApp, load, run


def offline_resolver(host: str, port: int) -> list[str]:
    raise socket.gaierror(socket.EAI_NONAME, f"{host}: no lookups in this test")


@pytest.fixture
def offline(container: Container) -> None:
    """Webhook URLs the fuzzer registers are never looked up (nor sent to)."""
    guard = container.webhooks.guard
    container.webhooks.guard = TargetGuard(guard.policy, resolver=offline_resolver)


class ServerErrors(AssertionError):
    """5xx answers found by the fuzzer (anything else it finds fails the test outright)."""


@pytest.mark.parametrize("role", ROLES)
def test_the_api_answers_every_generated_request_as_its_document_says(
    container: Container, role: str, offline: None, request: pytest.FixtureRequest
) -> None:
    # Not rate-limited, or the public search would answer the fuzzer mostly 429.
    container.search_limits = TokenBuckets(per_minute=10**6, burst=10**6)
    seeded = seed(container)
    app = ServedApp(create_app(container, run_worker=False), seeded)
    schema = load(app, role)

    findings = run(schema, app)
    request.node.user_properties.append(("requests_sent", app.requests))

    undocumented = [f for f in findings if f.status is None or f.status < 500]
    assert not undocumented, "\n".join(map(str, undocumented))
    if findings:
        raise ServerErrors("\n".join(map(str, findings)))
