"""N API processes and M workers on one PostgreSQL (docs/scaling.md), printing one JSON object.

    python -m bench.scaling                       # 1 + 1, then 2 + 2, on fresh schemas
    python -m bench.scaling --layouts 1x1,2x2,3x1 --filings 1000 --get-seconds 3

Each layout gets a fresh schema with the same register and runs: N `ipledge serve` with
IPLEDGE_RUN_WORKER=0 and M `ipledge worker`, filings by 32 clients split evenly over the
servers (one load process per server, disjoint bodies), the seconds until the workers have
projected them, then `wrk` on `GET /v1/pledges/{id}` with 32 connections split over the
servers. Throughput is summed over the servers; p99 is the worst server's (conservative).
`pg_connections_peak` counts the database sessions the layout's processes held (sampled by
application_name while the load ran).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg

from bench import wrk
from bench.bodies import import_lines
from bench.suite import _bearer, _key, _wait_caught_up, machine
from bench.support import (
    PG,
    Serve,
    Target,
    drop_target,
    env_for,
    ipledge_command,
    migrate,
    new_target,
    rate,
)

APP_NAME = "ipledge-bench-scaling"
CLIENTS = 32


def run_layout(servers: int, workers: int, filings: int, get_seconds: float) -> dict:
    target = new_target("postgres")
    named = Target(target.store, f"{target.url}&application_name={APP_NAME}", None, target.workdir)
    peak = ConnectionPeak()
    apis = [Serve(named, IPLEDGE_RUN_WORKER="0") for _ in range(servers)]
    loops: list[subprocess.Popen[bytes]] = []
    try:
        migrate(target)
        for api in apis:
            api.start()
        env = env_for(named)
        loops = [
            subprocess.Popen([*ipledge_command(), "worker"], env=env, stderr=subprocess.DEVNULL)
            for _ in range(workers)
        ]
        with httpx.Client(base_url=apis[0].url, timeout=600) as http, peak:
            office = _key(http, "ip_office", "CNIPA")
            banks = [_key(http, "bank", f"BANK-{i}") for i in range(4)]
            imported = http.post(
                "/v1/ip-rights/import",
                headers=_bearer(office),
                content=import_lines(0, 2 * filings + 2),
            )
            imported.raise_for_status()
            _wait_caught_up(http)
            filed = _split_filings([a.url for a in apis], banks, filings)
            caught_up = _wait_caught_up(http)
            pledge = http.get("/v1/pledges", headers=_bearer(banks[0]), params={"limit": 1})
            path = f"/v1/pledges/{pledge.json()['items'][0]['id']}"
            got = _split_gets([a.url for a in apis], banks[0], path, get_seconds)
    finally:
        for loop in loops:
            loop.terminate()
            loop.wait(20)
        for api in apis:
            api.stop()
        drop_target(target)
    return {
        "servers": servers,
        "workers": workers,
        **filed,
        "catch_up_after_filings_s": round(caught_up, 2),
        **got,
        "pg_connections_peak": peak.value,
    }


def _split_filings(urls: list[str], keys: list[str], count: int) -> dict:
    share = count // len(urls)
    args = [
        [sys.executable, "-m", "bench.load", "filings", url, json.dumps(keys)]
        + [str(n * share), str(share), str(CLIENTS // len(urls))]
        for n, url in enumerate(urls)
    ]
    started = time.perf_counter()
    with ThreadPoolExecutor(len(urls)) as pool:
        outs = list(pool.map(lambda a: subprocess.run(a, capture_output=True, text=True), args))
    seconds = time.perf_counter() - started
    results = [json.loads(out.stdout) for out in outs]
    outcomes: dict[str, int] = {}
    for result in results:
        for outcome, n in result["outcomes"].items():
            outcomes[outcome] = outcomes.get(outcome, 0) + n
    return {
        "filings_per_s": rate(share * len(urls), seconds),
        "filing_p50_ms": max(r["p50_ms"] for r in results),
        "filing_p99_ms": max(r["p99_ms"] for r in results),
        "filing_outcomes": outcomes,
    }


def _split_gets(urls: list[str], key: str, path: str, seconds: float) -> dict:
    connections = CLIENTS // len(urls)
    with ThreadPoolExecutor(len(urls)) as pool:
        results = list(
            pool.map(lambda url: wrk.measure(url, key, path, seconds, connections), urls)
        )
    return {
        "get_pledge_per_s": round(sum(r["per_s"] for r in results), 1),
        "get_pledge_p99_ms": max(r["p99_ms"] for r in results),
        "load_tool": wrk.tool(),
    }


class ConnectionPeak:
    """The most database sessions this layout's processes held at once, sampled every 0.2 s."""

    def __init__(self) -> None:
        self.value = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        with psycopg.connect(PG, autocommit=True) as conn:
            while not self._stop.wait(0.2):
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                    (APP_NAME,),
                ).fetchone()
                self.value = max(self.value, row[0] if row else 0)

    def __enter__(self) -> ConnectionPeak:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layouts", default="1x1,2x2", help="SERVERSxWORKERS, comma-separated")
    parser.add_argument("--filings", type=int, default=1000)
    parser.add_argument("--get-seconds", type=float, default=3.0)
    options = parser.parse_args()
    result: dict = {"machine": machine("postgres"), "layouts": {}}
    for layout in options.layouts.split(","):
        servers, workers = (int(n) for n in layout.split("x"))
        result["layouts"][layout] = run_layout(
            servers, workers, options.filings, options.get_seconds
        )
    with psycopg.connect(PG) as conn:
        row = conn.execute("SHOW max_connections").fetchone()
        result["max_connections"] = int(row[0]) if row else None
    result["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
