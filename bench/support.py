"""What every benchmark shares: a fresh database (SQLite file or PostgreSQL schema), a real
`ipledge serve` child process, and percentiles."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg

PG = "host=127.0.0.1 port=5432 user=postgres dbname=test"
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
ADMIN_KEY = "ipk_bench_admin_key_0123456789abcdef"


@dataclass(frozen=True)
class Target:
    """One empty database for one measurement."""

    store: str
    url: str
    schema: str | None
    workdir: Path


def new_target(store: str) -> Target:
    workdir = Path(tempfile.mkdtemp(prefix="ipledge-bench-"))
    if store == "sqlite":
        return Target(store, f"sqlite:///{workdir}/bench.db", None, workdir)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG, autocommit=True) as c:
        c.execute(f'CREATE SCHEMA "{schema}"')
    return Target(store, f"{PG_URL}?schema={schema}", schema, workdir)


def drop_target(target: Target) -> None:
    if target.schema:
        with psycopg.connect(PG, autocommit=True) as c:
            c.execute(f'DROP SCHEMA IF EXISTS "{target.schema}" CASCADE')
    shutil.rmtree(target.workdir, ignore_errors=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def rate(count: float, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else 0.0


def ratio(value: float, baseline: float) -> float:
    return round(value / baseline, 3) if baseline else 0.0


def ipledge_command() -> list[str]:
    script = Path(sys.executable).parent / "ipledge"
    return [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]


def env_for(target: Target, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "IPLEDGE_DATABASE_URL": target.url,
        "IPLEDGE_ADMIN_KEY": ADMIN_KEY,
        "IPLEDGE_CLOCK": "system",
        "IPLEDGE_LOG_LEVEL": "WARNING",
        "IPLEDGE_WORKER_POLL_SECONDS": "0.1",
        "IPLEDGE_DEMO_KEYS_FILE": str(target.workdir / "demo-keys.json"),
        **extra,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Serve:
    """A real `ipledge serve` on a free port; ``start()`` returns the seconds until /healthz
    answered 200 (process start, imports, migrations check, bootstrap)."""

    def __init__(self, target: Target, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = target.workdir / f"serve-{self.port}.log"
        self.env = env_for(target, **env)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120) -> float:
        started = time.perf_counter()
        with self.log.open("ab") as log:
            args = [*ipledge_command(), "serve", "--port", str(self.port), "--no-migrate"]
            self.process = subprocess.Popen(args, env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        # One client for every poll: httpx.get builds a client (and an SSL context) per call,
        # some 25 ms of CPU each, which would compete with the very start-up being timed.
        with httpx.Client(timeout=1) as poller:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"ipledge serve exited: {self.log.read_text()[-2000:]}")
                try:
                    if poller.get(f"{self.url}/healthz").status_code == 200:
                        return time.perf_counter() - started
                except httpx.TransportError:
                    pass
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"ipledge serve did not become healthy in {timeout} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> Serve:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def migrate(target: Target) -> None:
    subprocess.run(
        [*ipledge_command(), "migrate"], env=env_for(target), check=True, capture_output=True
    )
