"""docs/walkthrough.sh, run as the README says, against a real `ipledge serve` on a fresh store
loaded by `ipledge demo`: it exits 0 and shows every step of both disposal tracks, the audit
and a webhook the example receiver verified. A second run on the same store works too (fresh
numbers, dates from the moved clock)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.sandbox import demo_sandbox
from tests.e2e.server import ROOT, Server

pytestmark = pytest.mark.e2e
SCRIPT = ROOT / "docs" / "walkthrough.sh"
KEY_LINES = [
    '"status":"refused","refusal_reasons":[{"code":"pledgor_not_holder"',
    '{"code":"ip_unknown","item":"999999999"}',
    '"status":"registered","registration_number":"Y',
    "Idempotent-Replayed: true",
    '{"from_year":4,"through_year":6,"amount":"3600.00"}',
    '"status":"claimed","share":"0.40","advance_due":"1680000.00"',
    '{"status":"advanced","advance_due":"1680000.00"',
    '{"status":"settled","recovery":"3000000.00","surplus_to_pledgor":"0.00"}',
    '{"status":"cleared","refund_due":"1200000.00","balance_due":"0.00"}',
    '"listing.expired":',
    '"buyback.requested":',
    '{"status":"buyback_pending"',
    '{"status":"bought_back"',
    '{"status":"settled","recovery":"1950000.00","surplus_to_pledgor":"0.00"}',
    '"encumbered":false,"pledges":[{"registration_number":"Y',
    '"algorithm":"Ed25519"',
    '    {"type":"pledge.registered","position":',
    '    {"type":"buyback.requested","position":',
    "walkthrough complete",
]


@pytest.fixture
def demo_server(database_url: str, tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    server, keys = demo_sandbox(database_url, tmp_path)
    yield server, keys
    server.stop()


def walk(server: Server, keys: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "IPLEDGE_URL": server.url,
        "IPLEDGE_DEMO_KEYS_FILE": str(keys),
        "PYTHON": sys.executable,
    }
    return subprocess.run(
        ["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=300
    )


def test_the_walkthrough_runs_every_step_and_runs_again(demo_server):
    server, keys = demo_server

    for _ in range(2):
        result = walk(server, keys)

        assert result.returncode == 0, result.stdout[-3000:] + result.stderr
        missing = [line for line in KEY_LINES if line not in result.stdout]
        assert not missing, f"{missing}\n{result.stdout}"
