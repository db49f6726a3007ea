"""Benchmark: HTTP pledge filings per second against a real `ipledge serve` on PostgreSQL.

32 concurrent clients POST /v1/pledges (each filing pledges a distinct patent, so every one is
examined, registered and encumbers its right: two events in one atomic save). Printed beside it:
the eventsourcing library's bare `save()` rate for the same events (a Pledge.Registered plus an
IPRight.Encumbered per save), measured in the same run on the same database server.

    .venv/bin/python bench/filings.py [--filings 2000] [--clients 32]

Prints one JSON object. Needs PostgreSQL on 127.0.0.1:5432 (database `test`), as `make test` does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from events.database_url import DatabaseConfig  # noqa: E402
from events.store import open_event_store  # noqa: E402
from registry.actors import Actor, acting_as  # noqa: E402
from registry.filings import Filing  # noqa: E402
from registry.ip_rights import IPRight  # noqa: E402
from registry.pledges import Pledge  # noqa: E402
from tests.builders import filing, party, patent_entry, patent_number  # noqa: E402
from tests.e2e.server import Server  # noqa: E402

PG = "postgresql://postgres@127.0.0.1:5432/test"
ADMIN = {"Authorization": "Bearer ipk_e2e_admin_key_0123456789"}


def new_schema() -> str:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="test", autocommit=True) as c:
        c.execute(f'CREATE SCHEMA "{name}"')
    return name


def drop_schema(name: str) -> None:
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="test", autocommit=True) as c:
        c.execute(f'DROP SCHEMA "{name}" CASCADE')


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def http_run(base: str, filings: int, clients: int) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:

        async def key(role: str, inst: str) -> dict[str, str]:
            r = await http.post(
                "/v1/admin/principals",
                headers=ADMIN,
                json={"name": inst, "role": role, "institution_id": inst},
            )
            return {"Authorization": f"Bearer {r.json()['api_key']}"}

        office = await key("ip_office", "CNIPA")
        banks = [await key("bank", f"BANK-{i}") for i in range(4)]
        holder = party(1)
        lines = [
            json.dumps(
                {"kind": "invention_patent", "number": patent_number(i), **patent_entry([holder])}
            )
            for i in range(filings)
        ]
        imported = await http.post(
            "/v1/ip-rights/import", headers=office, content="\n".join(lines).encode()
        )
        assert imported.json()["imported"] == filings, imported.text
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(filings):
            queue.put_nowait(i)
        latencies: list[float] = []
        statuses: dict[str, int] = {}

        async def client(n: int) -> None:
            while not queue.empty():
                i = queue.get_nowait()
                body = filing(holder, [{"kind": "invention_patent", "number": patent_number(i)}])
                started = time.perf_counter()
                r = await http.post("/v1/pledges", headers=banks[n % len(banks)], json=body)
                latencies.append(time.perf_counter() - started)
                outcome = (
                    r.json().get("status", r.status_code)
                    if r.status_code == 201
                    else str(r.status_code)
                )
                statuses[str(outcome)] = statuses.get(str(outcome), 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(client(n) for n in range(clients)))
        elapsed = time.perf_counter() - started
    return {
        "filings": filings,
        "clients": clients,
        "seconds": round(elapsed, 3),
        "filings_per_second": round(filings / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1),
        "outcomes": statuses,
    }


def bare_save_run(schema: str, saves: int) -> dict[str, float]:
    """The library alone: the same two events per save, no HTTP, no examination, one thread."""
    with acting_as(Actor("bench", "bank", "BANK-0")):
        return _bare_saves(schema, saves)


def _bare_saves(schema: str, saves: int) -> dict[str, float]:
    store = open_event_store(DatabaseConfig.parse(f"{PG}?schema={schema}"))
    now = datetime.now(UTC)
    holder = party(1)
    rights = [
        IPRight(
            "invention_patent",
            patent_number(i),
            {
                "title": "t",
                "holders": [holder],
                "filing_date": date(2015, 3, 10),
                "grant_date": date(2017, 6, 20),
                "status": "in_force",
                "annuity_paid_through_year": 12,
                "valid_until": None,
                "dispute_hold": False,
                "invalidation_pending": False,
            },
            now,
        )
        for i in range(saves)
    ]
    store.save(*rights)
    loan = {
        "contract_number": "c",
        "principal": Decimal("5000000.00"),
        "start_date": date(2026, 1, 15),
        "maturity_date": date(2028, 1, 14),
    }
    started = time.perf_counter()
    for i, right in enumerate(rights):
        f = Filing(
            holder,
            holder,
            [],
            loan,
            Decimal("5000000.00"),
            [{"kind": "invention_patent", "number": right.number}],
            {"amount": Decimal("8000000.00"), "method": "internal", "appraiser": None},
        )
        number = f"Y2026{i:010d}"
        pledge = Pledge.register(uuid.uuid4(), f, "BANK-0", number, date(2026, 1, 15), now)
        right.encumber(
            {"pledge_id": str(pledge.id), "registration_number": number, "pledgee": "BANK-0"},
            now,
        )
        store.save(pledge, right)
    elapsed = time.perf_counter() - started
    store.close()
    return {
        "saves": saves,
        "events": saves * 2,
        "seconds": round(elapsed, 3),
        "saves_per_second": round(saves / elapsed, 1),
        "events_per_second": round(2 * saves / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filings", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    http_schema, bare_schema = new_schema(), new_schema()
    server = Server(
        f"{PG}?schema={http_schema}",
        Path(tempfile.mkdtemp()),
        IPLEDGE_CLOCK="system",
        IPLEDGE_LOG_LEVEL="WARNING",
    )
    try:
        server.start()
        http = asyncio.run(http_run(server.url, args.filings, args.clients))
        server.stop()
        bare = bare_save_run(bare_schema, args.filings)
    finally:
        server.stop()
        drop_schema(http_schema)
        drop_schema(bare_schema)
    print(
        json.dumps(
            {
                "benchmark": "pledge_filings",
                "store": "postgresql",
                "http": http,
                "bare_eventsourcing_save": bare,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
