"""The server's own CPU per imported right and per filing, for one or more source trees in
turn: CPU seconds read from /proc move far less with a shared machine's load than rates do.

    .venv/bin/python -m bench.cpu_per_write postgres 600 /tmp/old,.,/tmp/old,.

Each tree gets a fresh schema (or SQLite file) and a real `ipledge serve` run from it
(PYTHONPATH), imports 2 x FILINGS + 10 rights in one request, waits for the worker, then
files FILINGS pledges from 32 clients (bench/load.py). Prints one JSON line per tree.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import httpx

from bench.bodies import import_lines
from bench.suite import _bearer, _key, _load
from bench.support import Serve, drop_target, migrate, new_target, rate


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(store: str, filings: int, tree: str) -> dict:
    target = new_target(store)
    try:
        migrate(target)
        with (
            Serve(target, PYTHONPATH=str(Path(tree).resolve())) as server,
            httpx.Client(base_url=server.url, timeout=600) as http,
        ):
            assert server.process is not None
            pid = server.process.pid
            office = _key(http, "ip_office", "CNIPA")
            banks = [_key(http, "bank", f"BANK-{i}") for i in range(4)]
            rights = 2 * filings + 10
            cpu, started = cpu_seconds(pid), time.perf_counter()
            http.post(
                "/v1/ip-rights/import", headers=_bearer(office), content=import_lines(0, rights)
            )
            import_cpu, import_s = cpu_seconds(pid) - cpu, time.perf_counter() - started
            time.sleep(3)  # the worker catches up with the import
            cpu = cpu_seconds(pid)
            filed = _load("filings", server.url, banks, 0, filings, 32)
            filing_cpu = cpu_seconds(pid) - cpu
    finally:
        drop_target(target)
    return {
        "tree": tree,
        "import_per_s": rate(rights, import_s),
        "import_cpu_ms_per_right": round(1000 * import_cpu / rights, 3),
        "filings_per_s": filed["per_s"],
        "filing_p99_ms": filed["p99_ms"],
        "filing_cpu_ms": round(1000 * filing_cpu / filings, 2),
        "loadavg": round(os.getloadavg()[0], 1),
    }


if __name__ == "__main__":
    store, filings, trees = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
    for tree in trees:
        print(json.dumps(measure(store, filings, tree)), flush=True)
