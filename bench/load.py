"""The load process: a separate, light Python process (httpx + asyncio) that drives a real
`ipledge serve`, so the server's own CPU is never spent generating load.

    python -m bench.load filings URL KEYS_JSON FIRST COUNT CLIENTS
    python -m bench.load visible URL KEYS_JSON FIRST COUNT
    python -m bench.load get URL KEY PATH SECONDS CONNECTIONS     (when wrk is not installed)

Each prints one JSON object on stdout.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import httpx

from bench.bodies import filing, patent_number
from bench.support import percentile, rate


def _limits(clients: int) -> httpx.Limits:
    return httpx.Limits(max_connections=clients, max_keepalive_connections=clients)


async def filings(base: str, keys: list[str], first: int, count: int, clients: int) -> dict:
    """``count`` filings (indexes first..) by ``clients`` concurrent clients."""
    queue = iter(range(first, first + count))
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=_limits(clients)) as http:

        async def client(n: int) -> None:
            headers = {"Authorization": f"Bearer {keys[n % len(keys)]}"}
            for i in queue:
                started = time.perf_counter()
                outcome: object
                try:
                    r = await http.post("/v1/pledges", headers=headers, json=filing(i))
                except httpx.TransportError as error:  # counted, not retried: a POST
                    outcome = type(error).__name__
                else:
                    latencies.append(time.perf_counter() - started)
                    outcome = r.json().get("status") if r.status_code == 201 else r.status_code
                outcomes[str(outcome)] = outcomes.get(str(outcome), 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(client(n) for n in range(clients)))
        seconds = time.perf_counter() - started
    return {
        "filings": count,
        "seconds": round(seconds, 3),
        "per_s": rate(count, seconds),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "outcomes": outcomes,
    }


async def visible(base: str, keys: list[str], first: int, count: int) -> dict:
    """One filing at a time; after each response, polls the list endpoint (no min_position)
    until the new pledge's row is there: the read models' lag as a client sees it. The next
    poll goes 0.5 ms after the last answer, so the sampling step is one list request's round
    trip (``poll_p50_ms``, reported beside the lag)."""
    lags: list[float] = []
    polls: list[float] = []
    headers = {"Authorization": f"Bearer {keys[0]}"}
    async with httpx.AsyncClient(base_url=base, timeout=60, headers=headers) as http:
        for i in range(first, first + count):
            r = await http.post("/v1/pledges", json=filing(i))
            assert r.status_code == 201, r.text
            answered = time.perf_counter()
            query = {"kind": "invention_patent", "number": patent_number(2 * i)}
            while True:
                asked = time.perf_counter()
                found = (await http.get("/v1/pledges", params=query)).json()["items"]
                polls.append(time.perf_counter() - asked)
                if found:
                    break
                await asyncio.sleep(0.0005)
            lags.append(time.perf_counter() - answered)
    return {
        "writes": count,
        "p50_ms": round(percentile(lags, 0.50) * 1000, 1),
        "p99_ms": round(percentile(lags, 0.99) * 1000, 1),
        "poll_p50_ms": round(percentile(polls, 0.50) * 1000, 1),
    }


async def get(base: str, key: str, path: str, seconds: float, connections: int) -> dict:
    latencies: list[float] = []
    headers = {"Authorization": f"Bearer {key}"}
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(base_url=base, limits=_limits(connections)) as http:

        async def client() -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                r = await http.get(path, headers=headers)
                r.raise_for_status()
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "per_s": rate(len(latencies), elapsed),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
    }


def main(argv: list[str]) -> None:
    mode, base, *rest = argv
    if mode == "filings":
        result = filings(base, json.loads(rest[0]), int(rest[1]), int(rest[2]), int(rest[3]))
    elif mode == "visible":
        result = visible(base, json.loads(rest[0]), int(rest[1]), int(rest[2]))
    elif mode == "get":
        result = get(base, rest[0], rest[1], float(rest[2]), int(rest[3]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(asyncio.run(result)))


if __name__ == "__main__":
    main(sys.argv[1:])
