"""examples/webhook_receiver.py, run as a partner would run it, against real deliveries: the
dispatcher signs and sends them over HTTP; the example prints each event once, answers 2xx (so
every delivery is marked delivered), acknowledges a replayed event without printing it again,
and refuses a forged one. Both stores."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.bootstrap import Container
from events.webhooks.addresses import AddressPolicy
from events.webhooks.transport import HttpTransport
from events.webhooks.url_guard import TargetGuard
from tests.e2e.server import free_port
from tests.factories import BANK_A
from tests.webhook_support import add_endpoint, pledge

pytestmark = pytest.mark.e2e
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "webhook_receiver.py"


def url(port: int) -> str:
    return f"http://127.0.0.1:{port}/hooks"


class Example:
    def __init__(self, port: int, secret: str, workdir: Path) -> None:
        self.port = port
        self.url = url(port)
        self.out = workdir / "receiver.out"
        with self.out.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, str(EXAMPLE), str(self.port)],
                env={"IPLEDGE_WEBHOOK_SECRET": secret, "PATH": ""},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.wait_listening()

    def wait_listening(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.out.read_text()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the example receiver did not start listening")

    def printed(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.out.read_text().splitlines()]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def real_http(container: Container) -> Container:
    """The dispatcher sends for real, to loopback (a test-only allowance)."""
    guard = TargetGuard(AddressPolicy(allow_private=True))
    container.webhooks.guard = guard
    container.dispatcher.transport = HttpTransport(guard)
    return container


@pytest.fixture
def receiver(real_http: Container, tmp_path: Path) -> Iterator[tuple[Example, str]]:
    port = free_port()
    endpoint, secret = add_endpoint(real_http, BANK_A, url(port))
    example = Example(port, secret, tmp_path)
    yield example, endpoint
    example.stop()


def deliver(container: Container) -> None:
    container.projections.catch_up(timeout=60)
    container.dispatcher.drain()


def statuses(container: Container, endpoint: str) -> list[str]:
    deliveries, _ = container.webhooks.deliveries(BANK_A, endpoint, 100, None)
    return [d["status"] for d in deliveries]


def test_the_example_prints_every_signed_event_once_in_log_order(real_http, receiver):
    example, endpoint = receiver
    pledge(real_http, BANK_A, 1)
    pledge(real_http, BANK_A, 2)

    deliver(real_http)

    printed = example.printed()
    positions = [event["data"]["position"] for event in printed]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    assert "pledge.registered" in {event["type"] for event in printed}
    assert set(statuses(real_http, endpoint)) == {"delivered"}


def test_the_example_acknowledges_a_replayed_event_without_printing_it_again(real_http, receiver):
    example, endpoint = receiver
    pledge(real_http, BANK_A, 1)
    deliver(real_http)
    first = example.printed()

    real_http.webhooks.replay(BANK_A, endpoint, 0)
    deliver(real_http)

    assert example.printed() == first
    assert set(statuses(real_http, endpoint)) == {"delivered"}
    assert len(statuses(real_http, endpoint)) == 2 * len(first)


def test_the_example_refuses_a_forged_delivery(receiver):
    example, _ = receiver
    body = json.dumps({"type": "pledge.registered", "timestamp": "x", "data": {}})
    headers = {
        "webhook-id": "forged",
        "webhook-timestamp": str(int(time.time())),
        "webhook-signature": "v1,c2lnbmVkIGJ5IG5vYm9keQ==",
    }

    answer = httpx.post(example.url, content=body, headers=headers, timeout=5)

    assert answer.status_code == 400
    assert example.printed() == []
