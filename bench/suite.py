"""`ipledge bench`: every figure of issue 12 beside its baseline measured in the same run.

A shared, noisy machine moves both a figure and its baseline, so the ratio is the number to
compare between runs; the absolute rates are printed too.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field

import httpx
from sqlalchemy import insert

from bench import baselines, wrk
from bench.bodies import import_lines
from bench.seed import seed_rights
from bench.support import (
    ADMIN_KEY,
    Serve,
    Target,
    drop_target,
    migrate,
    new_target,
    rate,
    ratio,
)


@dataclass(frozen=True)
class Sizes:
    rights: int = 20_000  # imported in one request; filings use two each
    filings: int = 2_000
    visible: int = 50
    clients: int = 32
    get_seconds: float = 5.0
    startup_events: list[int] = field(default_factory=lambda: [10_000, 100_000, 1_000_000])

    @classmethod
    def quick(cls) -> Sizes:
        return cls(
            rights=4_000,
            filings=1_000,
            visible=30,
            get_seconds=3.0,
            startup_events=[10_000, 100_000],
        )


def run(store: str, sizes: Sizes) -> dict:
    result: dict = {"store": store, "machine": machine(store), "sizes": sizes.__dict__}
    target = new_target(store)
    try:
        migrate(target)
        result |= served_figures(target, sizes)
        result |= rebuild_figures(target)
    finally:
        drop_target(target)
    result |= library_baselines(store, sizes)
    result["filing_ratio"] = ratio(result["filings_per_s"], result["baseline_save_per_s"])
    result["import_ratio"] = ratio(result["import_rights_per_s"], result["baseline_bulk_per_s"])
    result |= startup_figures(store, sizes.startup_events)
    return result


def served_figures(target: Target, sizes: Sizes) -> dict:
    needed = 2 * (sizes.filings + sizes.visible + 1)
    rights = max(sizes.rights, needed)
    with Serve(target) as server, httpx.Client(base_url=server.url, timeout=600) as http:
        office = _key(http, "ip_office", "CNIPA")
        banks = [_key(http, "bank", f"BANK-{i}") for i in range(4)]
        body = import_lines(0, rights)
        started = time.perf_counter()
        imported = http.post("/v1/ip-rights/import", headers=_bearer(office), content=body)
        import_seconds = time.perf_counter() - started
        assert imported.json()["imported"] == rights, imported.text[:500]
        filed = _load("filings", server.url, banks, 0, sizes.filings, sizes.clients)
        caught_up = _wait_caught_up(http)  # the lag of one write, not of a backlog
        seen = _load("visible", server.url, banks, sizes.filings, sizes.visible)
        pledge = http.get("/v1/pledges", headers=_bearer(banks[0]), params={"limit": 1})
        path = f"/v1/pledges/{pledge.json()['items'][0]['id']}"
        got = wrk.measure(server.url, banks[0], path, sizes.get_seconds, sizes.clients)
        healthz = wrk.measure(server.url, banks[0], "/healthz", sizes.get_seconds, sizes.clients)
    return {
        "filings_per_s": filed["per_s"],
        "filing_p50_ms": filed["p50_ms"],
        "filing_p99_ms": filed["p99_ms"],
        "filing_outcomes": filed["outcomes"],
        "import_rights_per_s": rate(rights, import_seconds),
        "catch_up_after_filings_s": round(caught_up, 2),
        "visible_p50_ms": seen["p50_ms"],
        "visible_p99_ms": seen["p99_ms"],
        "visible_poll_p50_ms": seen["poll_p50_ms"],  # one list round trip: the sampling step
        "get_pledge_per_s": got["per_s"],
        "get_pledge_p99_ms": got["p99_ms"],
        "healthz_per_s": healthz["per_s"],
        "healthz_p99_ms": healthz["p99_ms"],
        "get_pledge_ratio": ratio(got["per_s"], healthz["per_s"]),
        "load_tool": wrk.tool(),
    }


def rebuild_figures(target: Target) -> dict:
    """`ipledge projections rebuild` (the same call, in this process) against decoding the
    same log straight from the recorder."""
    from api.bootstrap import bootstrap
    from api.settings import Settings

    container = bootstrap(Settings(database_url=target.url, run_worker=False))
    try:
        started = time.perf_counter()
        events = container.projections.rebuild()
        seconds = time.perf_counter() - started
    finally:
        container.close()
    replayed, replay_per_s = baselines.replay(target.url)
    assert replayed == events, (replayed, events)
    rebuild_per_s = rate(events, seconds)
    return {
        "rebuild_events": events,
        "rebuild_events_per_s": rebuild_per_s,
        "baseline_replay_per_s": replay_per_s,
        "rebuild_ratio": ratio(rebuild_per_s, replay_per_s),
    }


def library_baselines(store: str, sizes: Sizes) -> dict:
    target = new_target(store)
    try:
        migrate(target)
        return {
            "baseline_save_per_s": baselines.command_save(target.url, sizes.filings),
            "baseline_bulk_per_s": baselines.bulk_save(target.url, sizes.rights),
        }
    finally:
        drop_target(target)


def startup_figures(store: str, sizes: list[int]) -> dict:
    """`ipledge serve` from spawn to its first 200 on /healthz, with ``n`` events stored and
    the read models caught up (their positions at the log's end, as in a live deployment)."""
    scaling = {}
    for n in sizes:
        target = new_target(store)
        try:
            migrate(target)
            started = time.perf_counter()
            end = seed_rights(target.url, n)
            seed_seconds = time.perf_counter() - started
            _mark_caught_up(target, end)
            server = Serve(target)
            try:
                scaling[str(n)] = {
                    "startup_s": round(server.start(), 2),
                    "seed_events_per_s": rate(n, seed_seconds),
                }
            finally:
                server.stop()
        finally:
            drop_target(target)
    largest = scaling[str(max(sizes))] if sizes else {"startup_s": 0.0}
    return {
        "startup_s": largest["startup_s"],
        "startup_events": max(sizes, default=0),
        "scaling": scaling,
    }


def _mark_caught_up(target: Target, end: int) -> None:
    from api.bootstrap import bootstrap
    from api.settings import Settings
    from events.tables import projection_tracking

    container = bootstrap(Settings(database_url=target.url, run_worker=False))
    try:
        names = [p.name for p in container.projections.projections]
        with container.db.write() as conn:
            conn.execute(insert(projection_tracking), [{"name": n, "position": end} for n in names])
    finally:
        container.close()


def machine(store: str) -> dict:
    info = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    if store == "postgres":
        import psycopg

        from bench.support import PG

        with psycopg.connect(PG) as c:
            info["postgres"] = c.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    return info


def _key(http: httpx.Client, role: str, institution: str) -> str:
    r = http.post(
        "/v1/admin/principals",
        headers=_bearer(ADMIN_KEY),
        json={"name": institution, "role": role, "institution_id": institution},
    )
    r.raise_for_status()
    return r.json()["api_key"]


def _wait_caught_up(http: httpx.Client) -> float:
    """Seconds until every read model reached the log's end (/readyz answers 200)."""
    started = time.perf_counter()
    while http.get("/readyz").status_code != 200:
        pass  # each try waits up to 5 s on the server
    return time.perf_counter() - started


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _load(mode: str, base: str, keys: list[str], *numbers: int) -> dict:
    args = [sys.executable, "-m", "bench.load", mode, base, json.dumps(keys), *map(str, numbers)]
    out = subprocess.run(args, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"bench.load {mode} failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout)
