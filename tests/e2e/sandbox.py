"""A sandbox as the README's walkthrough and the role guides expect one: a fresh store loaded
by `ipledge demo` (keys in a file), then `ipledge serve` with the manual clock and loopback
webhooks."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.e2e.server import IPLEDGE, Server, base_env


def demo_sandbox(database_url: str, workdir: Path) -> tuple[Server, Path]:
    """Starts the server; returns it and the demo keys file. The caller stops the server."""
    keys = workdir / "data" / "demo-keys.json"
    env = base_env(database_url, IPLEDGE_DEMO_KEYS_FILE=str(keys))
    for command in (["migrate"], ["demo", "--no-keys"]):
        subprocess.run([str(IPLEDGE), *command], env=env, check=True, capture_output=True)
    server = Server(database_url, workdir, IPLEDGE_WEBHOOK_ALLOW_PRIVATE="1").start()
    return server, keys
