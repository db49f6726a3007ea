"""Benchmark: webhook deliveries from a real `ipledge serve` on PostgreSQL to a local receiver.

Two phases against one server (system clock, in-process worker and dispatcher), with
``--endpoints`` regulator endpoints subscribed to everything, all pointing at one threaded
http.server receiver on 127.0.0.1 that verifies every request with the `standardwebhooks`
package:

1. throughput: one bulk register import writes ``--events`` events; the clock runs from the
   import's response (the commit) until the receiver holds every (endpoint, event) delivery.
2. latency at a steady load: ``--rate`` single-event writes per second for ``--seconds``;
   latency is the time from each write's response to the first receipt of its event at each
   endpoint (so rate x endpoints deliveries per second).

    .venv/bin/python bench/webhooks.py [--endpoints 8] [--events 500] [--rate 10] [--seconds 10]

Prints one JSON object. Needs PostgreSQL on 127.0.0.1:5432 (database `test`), as `make test` does.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.filings import PG, drop_schema, new_schema, percentile  # noqa: E402
from tests.builders import party, patent_entry, patent_number  # noqa: E402
from tests.e2e.receiver import Receiver  # noqa: E402
from tests.e2e.server import Server  # noqa: E402

ADMIN = {"Authorization": "Bearer ipk_e2e_admin_key_0123456789"}
HOLDER = party(1)


def key(http: httpx.Client, role: str, institution: str) -> dict[str, str]:
    r = http.post(
        "/v1/admin/principals",
        headers=ADMIN,
        json={"name": institution, "role": role, "institution_id": institution},
    )
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['api_key']}"}


def wait_for(receiver: Receiver, expected: int, timeout: float) -> float | None:
    """Monotonic time at which ``expected`` distinct (endpoint, event) receipts were held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        receipts = receiver.snapshot()
        if len({(r.path, r.id) for r in receipts}) >= expected:
            return max(r.received_at for r in receipts)
        time.sleep(0.01)
    return None


def throughput(
    http: httpx.Client, receiver: Receiver, office: dict[str, str], events: int, endpoints: int
) -> dict[str, float | int]:
    lines = [
        json.dumps(
            {"kind": "invention_patent", "number": patent_number(i), **patent_entry([HOLDER])}
        )
        for i in range(events)
    ]
    already = len(receiver.snapshot())
    imported = http.post("/v1/ip-rights/import", headers=office, content="\n".join(lines))
    committed = time.monotonic()
    assert imported.json()["imported"] == events, imported.text
    deliveries = events * endpoints
    done = wait_for(receiver, deliveries, timeout=120)
    assert done is not None, f"only {len(receiver.snapshot())} of {deliveries} arrived"
    receipts = receiver.snapshot()[already:]
    first = min(r.received_at for r in receipts)
    elapsed = done - committed
    return {
        "events": events,
        "endpoints": endpoints,
        "deliveries": deliveries,
        "seconds": round(elapsed, 3),
        "deliveries_per_second": round(deliveries / elapsed, 1),
        "first_receipt_after_commit_ms": round((first - committed) * 1000, 1),
        "duplicates": sum(n - 1 for n in Counter((r.path, r.id) for r in receipts).values()),
    }


def latency(
    http: httpx.Client,
    receiver: Receiver,
    office: dict[str, str],
    endpoints: int,
    rate: float,
    seconds: float,
    offset: int,
) -> dict[str, float | int]:
    writes = int(rate * seconds)
    before = len({(r.path, r.id) for r in receiver.snapshot()})
    committed: dict[int, float] = {}
    started = time.monotonic()
    for n in range(writes):
        pause = started + n / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        number = patent_number(offset + n)
        r = http.put(
            f"/v1/ip-rights/invention_patent/{number}",
            headers=office,
            json=patent_entry([HOLDER]),
        )
        committed[int(r.headers["X-Log-Position"])] = time.monotonic()
        assert r.status_code == 201, r.text
    achieved = writes / (time.monotonic() - started)
    done = wait_for(receiver, before + writes * endpoints, timeout=60)
    assert done is not None, "not every write of the steady phase arrived"
    first: dict[tuple[str, int], float] = {}
    for receipt in receiver.snapshot():
        if receipt.position in committed:
            first.setdefault((receipt.path, receipt.position), receipt.received_at)
    samples = [(t - committed[position]) * 1000 for (_, position), t in first.items()]
    return {
        "target_writes_per_second": rate,
        "achieved_writes_per_second": round(achieved, 1),
        "writes": writes,
        "deliveries": len(samples),
        "p50_ms": round(percentile(samples, 0.50), 1),
        "p99_ms": round(percentile(samples, 0.99), 1),
        "max_ms": round(max(samples), 1),
        "mean_ms": round(statistics.fmean(samples), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=8)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--rate", type=float, default=10.0, help="writes per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    schema = new_schema()
    receiver = Receiver().start()
    server = Server(
        f"{PG}?schema={schema}",
        Path(tempfile.mkdtemp()),
        IPLEDGE_CLOCK="system",
        IPLEDGE_LOG_LEVEL="WARNING",
        IPLEDGE_WEBHOOK_ALLOW_PRIVATE="1",
    )
    try:
        server.start()
        with httpx.Client(base_url=server.url, timeout=60) as http:
            office = key(http, "ip_office", "CNIPA")
            for n in range(args.endpoints):
                regulator = key(http, "regulator", f"REG-{n}")
                url = receiver.endpoint_url(str(n))
                created = http.post(
                    "/v1/webhook-endpoints",
                    headers=regulator,
                    json={"url": url, "event_types": ["*"]},
                )
                created.raise_for_status()
                receiver.expect(url, created.json()["secret"])
            burst = throughput(http, receiver, office, args.events, args.endpoints)
            steady = latency(
                http, receiver, office, args.endpoints, args.rate, args.seconds, args.events
            )
    finally:
        server.stop()
        receiver.stop()
        drop_schema(schema)
    receipts = receiver.snapshot()
    print(
        json.dumps(
            {
                "benchmark": "webhook_deliveries",
                "store": "postgresql",
                "receiver": "threaded http.server on 127.0.0.1, standardwebhooks verification",
                "throughput": burst,
                "latency_commit_to_receipt": steady,
                "all_verified": all(r.verified for r in receipts),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
