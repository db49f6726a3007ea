"""Before and after on one database: the rebuild and `GET /v1/pledges/{id}` of two source
trees (e.g. `git worktree add /tmp/old main`), alternating on the same log, so that a noisy
machine's load hits both alike.

    .venv/bin/python -m bench.compare --before /tmp/old --after . [--store sqlite|postgres]

Builds one log through a real server (rights imported, pledges filed by 32 clients), then
each round: rebuild with each tree's code, and `wrk` on the GET and on /healthz against a
server running each tree's code. Prints one JSON object (per round: events/s, and
(GET/s, GET p99 ms, healthz/s)). Both trees must share the schema (no migration between).

    .venv/bin/python -m bench.compare --before /tmp/old --after . --startup-events 1000000
    .venv/bin/python -m bench.compare --before /tmp/old --after . --visible 50

compares start-up only (PostgreSQL): wall and CPU seconds to the first 200 on /healthz, over a
seeded log with the read models caught up, each tree in turn; with --visible N, only the
visible lag (N filings a round, one at a time: p50 ms, p99 ms, one list request's p50 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from bench import wrk
from bench.bodies import import_lines
from bench.seed import seed_rights
from bench.suite import _bearer, _key, _load, _mark_caught_up, _wait_caught_up
from bench.support import Serve, Target, drop_target, migrate, new_target

REBUILD = (
    "import time; from api.bootstrap import bootstrap; from api.settings import Settings;"
    "c = bootstrap(Settings(database_url={url!r}, run_worker=False)); s = time.perf_counter();"
    "n = c.projections.rebuild(); print(n, time.perf_counter() - s)"
)


def build_log(target: Target, rights: int, filings: int) -> tuple[str, str]:
    """Returns a bank's key and the path of one of its pledges."""
    with Serve(target) as server, httpx.Client(base_url=server.url, timeout=600) as http:
        office = _key(http, "ip_office", "CNIPA")
        banks = [_key(http, "bank", f"BANK-{i}") for i in range(4)]
        http.post("/v1/ip-rights/import", headers=_bearer(office), content=import_lines(0, rights))
        _load("filings", server.url, banks, 0, filings, 32)
        page = http.get("/v1/pledges", headers=_bearer(banks[0]), params={"limit": 1}).json()
    return banks[0], f"/v1/pledges/{page['items'][0]['id']}"


def rebuild_rate(tree: Path, target: Target) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree), "IPLEDGE_LOG_LEVEL": "WARNING"}
    code = REBUILD.format(url=target.url)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tree, check=True, capture_output=True, text=True
    ).stdout.split()
    return round(int(out[0]) / float(out[1]), 1)


def get_rates(tree: Path, target: Target, key: str, path: str) -> tuple[float, float, float]:
    server = Serve(target, PYTHONPATH=str(tree))
    server.start()
    try:
        got = wrk.measure(server.url, key, path, 3, 32)
        healthz = wrk.measure(server.url, key, "/healthz", 3, 32)
    finally:
        server.stop()
    return got["per_s"], got["p99_ms"], healthz["per_s"]


def visible_lag(tree: Path, target: Target, key: str, first: int, count: int) -> list[float]:
    """(p50 ms, p99 ms, one list request's p50 ms) of ``count`` filings, one at a time, each
    polled for in the list endpoint (``tree``'s server, caught up first)."""
    server = Serve(target, PYTHONPATH=str(tree))
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=600) as http:
            _wait_caught_up(http)
        seen = _load("visible", server.url, [key], first, count)
    finally:
        server.stop()
    return [seen["p50_ms"], seen["p99_ms"], seen["poll_p50_ms"]]


def startup(tree: Path, target: Target) -> tuple[float, float]:
    """Wall and CPU seconds of `ipledge serve` (``tree``'s code) until its first 200 /healthz."""
    server = Serve(target, PYTHONPATH=str(tree))
    wall = server.start()
    try:
        assert server.process is not None
        fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    finally:
        server.stop()
    return round(wall, 2), round(cpu, 2)


def startup_rounds(trees: dict[str, Path], events: int, rounds: int) -> dict:
    """Start-up of each tree, alternating, over one log of ``events`` register entries."""
    target = new_target("postgres")
    result: dict = {"events": events}
    try:
        migrate(target)
        _mark_caught_up(target, seed_rights(target.url, events))
        for _ in range(rounds):
            for name, tree in trees.items():
                result.setdefault(name, []).append(startup(tree, target))
    finally:
        drop_target(target)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, required=True)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--rights", type=int, default=2000)
    parser.add_argument("--filings", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-rebuild", action="store_true", help="compare the GETs only")
    parser.add_argument(
        "--visible", type=int, help="only the visible lag, this many writes a round"
    )
    parser.add_argument(
        "--startup-events", type=int, help="only start-up (wall s, CPU s), over this many events"
    )
    args = parser.parse_args()
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    if args.startup_events:
        print(json.dumps(startup_rounds(trees, args.startup_events, args.rounds)))
        return
    result: dict = {"store": args.store, "rebuild_events_per_s": {}, "get": {}}
    target = new_target(args.store)
    try:
        migrate(target)
        key, path = build_log(target, args.rights, args.filings)
        first = args.filings
        for _ in range(args.rounds):
            for name, tree in trees.items():
                if args.visible:
                    lag = visible_lag(tree, target, key, first, args.visible)
                    result.setdefault("visible", {}).setdefault(name, []).append(lag)
                    first += args.visible
                    continue
                if not args.no_rebuild:
                    result["rebuild_events_per_s"].setdefault(name, []).append(
                        rebuild_rate(tree, target)
                    )
                result["get"].setdefault(name, []).append(get_rates(tree, target, key, path))
    finally:
        drop_target(target)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
