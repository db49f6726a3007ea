"""Benchmark: the cost of a checkpoint and of proofs as the log grows (10^4, 10^5, 10^6).

The audit tree keeps only complete subtrees, so a root or a proof reads O(log n) nodes in one
query; the figures should stay flat as n grows 100-fold. The tree is filled with synthetic
leaves (hashing real envelopes is measured by bench/audit_verify.py), then timed through the
service's own AuditLog.

    .venv/bin/python bench/audit_tree.py [--sizes 10000,100000,1000000] [--store sqlite|postgres]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import delete, insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.bootstrap import bootstrap, migrate  # noqa: E402
from api.settings import Settings  # noqa: E402
from events.audit import merkle  # noqa: E402
from events.database_url import DatabaseConfig  # noqa: E402
from events.tables import audit_checkpoints, audit_nodes, projection_tracking  # noqa: E402

PG = "postgresql://postgres@127.0.0.1:5432/test"


def fresh_url(store: str) -> tuple[str, str | None]:
    if store == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp()}/bench.db", None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="test", autocommit=True) as c:
        c.execute(f'CREATE SCHEMA "{schema}"')
    return f"{PG}?schema={schema}", schema


def drop(schema: str | None) -> None:
    if schema:
        with psycopg.connect(
            host="127.0.0.1", user="postgres", dbname="test", autocommit=True
        ) as c:
            c.execute(f'DROP SCHEMA "{schema}" CASCADE')


def fill_tree(container, n: int) -> float:
    """Appends n synthetic leaves the way the audit projection does; returns seconds."""
    started = time.perf_counter()
    nodes: dict[merkle.Key, bytes] = {}
    rows: list[dict] = []
    for i in range(n):
        leaf = merkle.hash_leaf(hashlib.sha256(i.to_bytes(8, "big")).digest())
        for key, h in merkle.appended_nodes(i, leaf, nodes.__getitem__):
            nodes[key] = h
            rows.append({"level": key[0], "idx": key[1], "hash": h.hex()})
    with container.db.write() as conn:
        for chunk in range(0, len(rows), 20000):
            conn.execute(insert(audit_nodes), rows[chunk : chunk + 20000])
        conn.execute(delete(projection_tracking).where(projection_tracking.c.name == "audit"))
        conn.execute(insert(projection_tracking).values(name="audit", position=n))
    return time.perf_counter() - started


def timed(fn, repeat: int) -> dict[str, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(statistics.median(samples), 3), "max_ms": round(max(samples), 3)}


def measure(store: str, n: int) -> dict:
    url, schema = fresh_url(store)
    try:
        migrate(DatabaseConfig.parse(url))
        container = bootstrap(Settings(database_url=url, run_worker=False))
        audit = container.audit
        fill_seconds = fill_tree(container, n)
        rng = random.Random(n)

        def checkpoint() -> None:
            with container.db.write() as conn:  # force a fresh root and signature each time
                conn.execute(delete(audit_checkpoints))
            audit.checkpoint()

        result = {
            "events": n,
            "fill_seconds": round(fill_seconds, 2),
            "checkpoint": timed(checkpoint, 20),
            "inclusion_proof": timed(lambda: audit.inclusion(rng.randint(1, n), n), 50),
            "consistency_proof": timed(lambda: audit.consistency(rng.randint(1, n - 1), n), 50),
        }
        container.close()
        return result
    finally:
        drop(schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        json.dumps(
            {
                "benchmark": "audit_tree",
                "store": args.store,
                "results": [measure(args.store, n) for n in sizes],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
