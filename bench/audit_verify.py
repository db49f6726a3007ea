"""Benchmark: time for a regulator to verify the whole log with `ipledge audit verify`.

Writes N real events (register entries, 200 per atomic save, through the command service),
lets the read models and the audit tree catch up (timed: the service's hashing throughput),
then runs the verifier against a real `ipledge serve`: it pages the whole log over HTTP,
recomputes every leaf hash and the root, and checks the signed checkpoint.

    .venv/bin/python bench/audit_verify.py [--sizes 10000,100000] [--store sqlite|postgres]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.audit_verify import run  # noqa: E402
from api.bootstrap import bootstrap, migrate  # noqa: E402
from api.settings import Settings  # noqa: E402
from bench.audit_tree import drop, fresh_url  # noqa: E402
from events.database_url import DatabaseConfig  # noqa: E402
from registry.actors import Actor, acting_as  # noqa: E402
from registry.values import Party, RegisterEntry  # noqa: E402
from tests.builders import party, patent_number  # noqa: E402
from tests.e2e.server import Server  # noqa: E402

ADMIN = "ipk_e2e_admin_key_0123456789"


def write_events(url: str, n: int) -> tuple[float, float, str]:
    container = bootstrap(Settings(database_url=url, run_worker=False))
    office = Actor("bench", "ip_office", "CNIPA")
    fields = RegisterEntry(
        title="t",
        holders=(Party(**party(1)),),
        filing_date=date(2015, 3, 10),
        grant_date=date(2017, 6, 20),
        status="in_force",
        annuity_paid_through_year=12,
    )
    started = time.perf_counter()
    with acting_as(office):
        container.registry.import_ip_rights(
            ("invention_patent", patent_number(i, year=2010 + i // 10_000_000), fields)
            for i in range(n)
        )
    written = time.perf_counter() - started
    started = time.perf_counter()
    container.projections.catch_up(timeout=3600)
    caught_up = time.perf_counter() - started
    _, key = container.principals.create(
        "bench regulator", "regulator", "REG", container.clock.now()
    )
    container.close()
    return written, caught_up, key


def measure(store: str, n: int) -> dict:
    url, schema = fresh_url(store)
    try:
        migrate(DatabaseConfig.parse(url))
        written, caught_up, key = write_events(url, n)
        server = Server(
            url, Path(tempfile.mkdtemp()), IPLEDGE_CLOCK="system", IPLEDGE_LOG_LEVEL="WARNING"
        ).start()
        try:
            started = time.perf_counter()
            report = run(server.url, key)
            verified = time.perf_counter() - started
        finally:
            server.stop()
        return {
            "events": n,
            "ok": report.ok,
            "write_seconds": round(written, 2),
            "read_models_and_tree_seconds": round(caught_up, 2),
            "hashing_events_per_second": round(n / caught_up),
            "verify_seconds": round(verified, 2),
            "verified_events_per_second": round(n / verified),
        }
    finally:
        drop(schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    results = [measure(args.store, int(n)) for n in args.sizes.split(",")]
    print(
        json.dumps({"benchmark": "audit_verify", "store": args.store, "results": results}, indent=2)
    )


if __name__ == "__main__":
    main()
