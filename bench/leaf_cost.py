"""Micro-benchmark of the audit projection's per-event leaf (no database).

    python -m bench.leaf_cost [--events 7000] [--rounds 5]

Decodes the stored v1 samples (tests/events/v1, every event type once) through the store's
mapper, cycles them to ``--events`` events and times, alternating in each round, the general
path (``hash_leaf(canonical_json(envelope(...)))``) and the one-walk path
(``hash_leaf(envelope_json(...))``). Prints the best round of each in CPU µs per leaf
(process time: other work on the cores counts less); checks first that the two give the same
bytes for every event.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from events.audit.canonical import canonical_json
from events.audit.leaf import envelope_json
from events.audit.merkle import hash_leaf
from events.envelope import envelope
from events.store import EventStore

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "events" / "v1"


def sample_events() -> list[Any]:
    store = EventStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    events = []
    for path in sorted(SAMPLES.glob("*.json")):
        sample = json.loads(path.read_text(encoding="utf-8"))
        stored = StoredEvent(
            originator_id=UUID(sample["originator_id"]),
            originator_version=sample["originator_version"],
            topic=sample["topic"],
            state=sample["state"].encode("utf-8"),
        )
        events.append(store.mapper.to_domain_event(stored))
    return events


def general(position: int, event: Any) -> bytes:
    return hash_leaf(canonical_json(envelope(position, event)))


def one_walk(position: int, event: Any) -> bytes:
    return hash_leaf(envelope_json(position, event))


def seconds(leaf: Callable[[int, Any], bytes], log: list[tuple[int, Any]]) -> float:
    start = time.process_time()
    for position, event in log:
        leaf(position, event)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=7000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    samples = sample_events()
    log = [(p, samples[p % len(samples)]) for p in range(1, args.events + 1)]
    assert all(general(p, e) == one_walk(p, e) for p, e in log), "the two paths disagree"
    best = {"general": float("inf"), "one_walk": float("inf")}
    for _ in range(args.rounds):
        best["general"] = min(best["general"], seconds(general, log))
        best["one_walk"] = min(best["one_walk"], seconds(one_walk, log))
    for name, total in best.items():
        print(f"{name:9} {total * 1e6 / len(log):7.1f} µs/leaf  ({len(log)} leaves {total:.3f} s)")
    print(f"speed-up  {best['general'] / best['one_walk']:.2f}x")


if __name__ == "__main__":
    main()
