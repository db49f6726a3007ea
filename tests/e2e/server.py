"""Runs real `ipledge serve` and `ipledge worker` processes on free ports, each with its own
log file; ``kill()`` is a SIGKILL (a crash), ``stop()`` a graceful shutdown."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
IPLEDGE = Path(sys.executable).parent / "ipledge"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(database_url: str, **env: str) -> dict[str, str]:
    return {
        **os.environ,
        "IPLEDGE_DATABASE_URL": database_url,
        "IPLEDGE_ADMIN_KEY": "ipk_e2e_admin_key_0123456789",
        "IPLEDGE_CLOCK": "manual",
        "IPLEDGE_WORKER_POLL_SECONDS": "0.1",
        **env,
    }


class Process:
    """One `ipledge` child process writing stdout and stderr to ``log`` (appended across
    restarts, so the tail shows what happened before a crash too)."""

    def __init__(self, args: list[str], log: Path, env: dict[str, str]) -> None:
        self.args = args
        self.log = log
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def spawn(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(IPLEDGE), *self.args], cwd=ROOT, env=self.env, stdout=log, stderr=log
            )

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def log_count(self, text: bytes, since: int = 0) -> int:
        """How often ``text`` appears in the log after byte offset ``since``."""
        with self.log.open("rb") as log:
            log.seek(since)
            return log.read().count(text)

    def exited(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to finish anything."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def tail(self, chars: int = 3000) -> str:
        if not self.log.exists():
            return ""
        return self.log.read_text(errors="replace")[-chars:]


class Server(Process):
    def __init__(self, database_url: str, workdir: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log = workdir / f"serve-{self.port}.log"
        super().__init__(["serve", "--port", str(self.port)], log, base_env(database_url, **env))

    def start(self) -> Server:
        self.spawn()
        self.wait_healthy()
        return self

    def wait_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.exited():
                raise RuntimeError(f"ipledge serve exited: {self.tail(2000)}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"ipledge serve did not become healthy in {timeout} s")


class Worker(Process):
    """`ipledge worker`: projections, timers (system clock only) and the webhook dispatcher."""

    def __init__(self, database_url: str, workdir: Path, name: str = "worker", **env: str) -> None:
        super().__init__(["worker"], workdir / f"{name}.log", base_env(database_url, **env))

    def start(self, timeout: float = 30) -> Worker:
        offset = self.log_size()
        self.spawn()
        return self.wait_started(offset, timeout)

    def wait_started(self, offset: int, timeout: float = 30) -> Worker:
        """Waits for this start's "worker started" line (after ``offset`` in the log)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.exited():
                raise RuntimeError(f"ipledge worker exited: {self.tail(2000)}")
            if self.log_count(b'"worker started"', offset):
                return self
            time.sleep(0.1)
        raise RuntimeError(f"ipledge worker did not start in {timeout} s")
