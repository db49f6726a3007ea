"""The role guides' examples (docs/guides/*.md) run as they stand, in the order of a sandbox's
day, against a real `ipledge serve` loaded by `ipledge demo`: every call that should succeed
does, and every example of an error answers the problem its guide names."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.guide_blocks import GUIDES_DIR, ORDER, script
from tests.e2e.sandbox import demo_sandbox
from tests.e2e.server import ROOT, Server, free_port

pytestmark = pytest.mark.e2e


@pytest.fixture
def sandbox(database_url: str, tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    server, keys = demo_sandbox(database_url, tmp_path)
    yield server, keys
    server.stop()


def test_every_guide_is_run() -> None:
    assert sorted(ORDER) == sorted(p.stem for p in GUIDES_DIR.glob("*.md"))


def run_guides(workdir: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", script()], cwd=workdir, env=env, capture_output=True, text=True, timeout=300
    )


def test_every_example_in_the_role_guides_runs_again_and_again_on_the_same_store(sandbox, tmp_path):
    server, keys = sandbox
    checkout = tmp_path / "checkout"  # the guides run from a checkout's root, as they say
    checkout.mkdir()
    (checkout / "examples").symlink_to(ROOT / "examples")  # the partner guide runs the receiver
    (checkout / ".venv").symlink_to(Path(sys.executable).parents[1])  # and .venv/bin/...
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",  # `ipledge` needs no PATH entry: .venv/bin/ipledge
        "IPLEDGE_URL": server.url,
        "IPLEDGE_DEMO_KEYS_FILE": str(keys),
        "RECEIVER_PORT": str(free_port()),
    }

    for run in (1, 2):  # fresh patent numbers and loan keys each run
        result = run_guides(checkout, env)
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"run {run}: {output[-4000:]}"
        assert "### all guides ran" in result.stdout

    assert sorted(p.name for p in checkout.iterdir()) == [".venv", "examples"]
