"""Steps shared by the crash and multi-process tests: processes that are always cleaned up,
principals, the register, the audit log read as a regulator, and polling with a deadline."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.builders import party, patent_entry, patent_number
from tests.e2e.server import IPLEDGE, ROOT, Process, Server, Worker

ADMIN = {"Authorization": "Bearer ipk_e2e_admin_key_0123456789"}
Headers = dict[str, str]


class Launcher:
    """Starts `ipledge` processes for one test and ends every one of them afterwards."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.processes: list[Process] = []

    def server(self, database_url: str, **env: str) -> Server:
        server = Server(database_url, self.workdir, **env)
        self.processes.append(server)
        return server.start()

    def worker(self, database_url: str, name: str, **env: str) -> Worker:
        worker = Worker(database_url, self.workdir, name, **env)
        self.processes.append(worker)
        return worker.start()

    def start_together(self, *processes: Server | Worker) -> list[Any]:
        """Spawns them all at once, then waits until each is up."""
        offsets = [p.log_size() for p in processes]
        for process in processes:
            self.processes.append(process)
            process.spawn()
        for process, offset in zip(processes, offsets, strict=True):
            if isinstance(process, Server):
                process.wait_healthy()
            else:
                process.wait_started(offset)
        return list(processes)

    def close(self) -> None:
        for process in self.processes:
            process.kill()

    def report(self) -> str:
        return "\n".join(f"---- {p.log.name} (tail) ----\n{p.tail()}" for p in self.processes)


@pytest.fixture
def launcher(tmp_path: Path) -> Iterator[Launcher]:
    """Every process is killed at the end, even when the test fails; the tail of each log is
    printed (pytest shows it for a failed test only)."""
    launcher = Launcher(tmp_path)
    try:
        yield launcher
    finally:
        launcher.close()
        print(launcher.report())


def wait_for(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.1) -> Any:
    """Polls ``condition`` until it is truthy (returns it) or fails after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def principal(http: httpx.Client, role: str, institution: str) -> Headers:
    return {"Authorization": f"Bearer {api_key(http, role, institution)}"}


def api_key(http: httpx.Client, role: str, institution: str) -> str:
    response = http.post(
        "/v1/admin/principals",
        headers=ADMIN,
        json={"name": f"{role} {institution} e2e", "role": role, "institution_id": institution},
    )
    assert response.status_code == 201, response.text
    return response.json()["api_key"]


def patent(serial: int) -> dict[str, str]:
    return {"kind": "invention_patent", "number": patent_number(serial)}


def import_patents(
    http: httpx.Client, office: Headers, serials: list[int], holder: int, **fields: Any
) -> None:
    """Enters the patents in the register in one bulk import, all held by ``party(holder)``."""
    lines = [json.dumps({**patent(s), **patent_entry([party(holder)], **fields)}) for s in serials]
    response = http.post(
        "/v1/ip-rights/import",
        headers={**office, "Content-Type": "application/x-ndjson"},
        content="\n".join(lines).encode(),
    )
    assert response.status_code == 200, response.text
    assert response.json()["errors"] == [] and response.json()["imported"] == len(serials)


def audit_log(http: httpx.Client, regulator: Headers, page: int = 200) -> list[dict[str, Any]]:
    """The whole log, paged with ``after`` as a regulator."""
    items: list[dict[str, Any]] = []
    after = 0
    while True:
        response = http.get(
            "/v1/audit/log", headers=regulator, params={"after": after, "limit": page}
        )
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        if response.json()["next_after"] is None:
            return items
        after = response.json()["next_after"]


def assert_gap_free(log: list[dict[str, Any]]) -> None:
    positions = [e["position"] for e in log]
    assert positions == list(range(1, len(log) + 1)), "the log has gaps or duplicates"
    assert len({e["id"] for e in log}) == len(log), "an event appears twice in the log"


def verify_audit(server: Server, key: str) -> None:
    """`ipledge audit verify` as a subprocess exits 0."""
    result = subprocess.run(
        [str(IPLEDGE), "audit", "verify", "--url", server.url, "--key", key],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def bearer_key(headers: Headers) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    """The JSON body of a response that must have ``status``."""
    assert response.status_code == status, response.text
    return response.json()
