"""The role guides' examples (docs/guides/*.md) run as they stand, in the order of a sandbox's
day, against a real `ipledge serve` loaded by `ipledge demo`: every call that should succeed
does, and every example of an error answers the problem its guide names."""

from __future__ import annotations

import os
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


def test_every_example_in_the_role_guides_runs_against_a_real_server(sandbox, tmp_path):
    server, keys = sandbox
    (tmp_path / "examples").symlink_to(ROOT / "examples")  # the partner guide runs the receiver
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
        "BASE": server.url,
        "KEYS": str(keys),
        "PYTHON": sys.executable,
        "RECEIVER_PORT": str(free_port()),
    }

    result = subprocess.run(
        ["bash", "-c", script()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "### all guides ran" in result.stdout
