"""Which operations each role fuzzes, and how hard, within a bounded run.

Every operation is fuzzed in depth once per store (coverage phase and ``DEEP`` examples): as its
role when a role check names one (``x-roles``), anonymously when it is public, and otherwise as
one principal picked by a stable hash of its name. Every other role that reaches it sends only
``LIGHT`` examples, to see its own view (visibility, 403, 404) without repeating the work.
Generated strings and integers are now and then swapped for ``HOSTILE`` values, and ids,
numbers, credit codes and dates for seeded ones (tests/api/fuzz_seed.py), through
schemathesis' dictionaries.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import schemathesis

from tests.api.fuzz_seed import INSTITUTIONS, Seeded

ANONYMOUS = "anonymous"
ROLES = [*INSTITUTIONS, ANONYMOUS]
# Roles that may own an operation open to every principal (admins have no webhooks).
OWNERS = [role for role in INSTITUTIONS if role != "admin"]
DEEP, LIGHT, STATEFUL = 40, 4, 12
# Values that have broken services like this one, mixed into every string and integer the
# fuzzer generates: NUL and control characters, extreme dates and instants, integers past 64
# bits. (Lone surrogates cannot be given: schemathesis encodes dictionaries as UTF-8.)
HOSTILE = {
    "hostile_strings": [
        "\x00", "a\x00b", "\x01\x1f\x7f", "\u202e\ufeff",
        "0001-01-01", "9999-12-31", "0001-01-01T00:00:00-12:00", "9999-12-31T23:59:59+14:00",
        "9" * 30,
    ],
    "hostile_integers": [2**63, 2**64, 10**30, -(2**63) - 1],
}  # fmt: skip
HOSTILE_PROBABILITY = 0.1
PHASES = ("examples", "coverage", "fuzzing", "stateful")
CHECKS = ("not_a_server_error", "status_code_conformance", "response_schema_conformance")


@dataclass(frozen=True)
class Plan:
    deep: list[str]
    light: list[str]
    skipped: list[str]

    @classmethod
    def of(cls, document: dict[str, Any], role: str) -> Plan:
        plan = cls([], [], [])
        for path, methods in document["paths"].items():
            for method, operation in methods.items():
                label = f"{method.upper()} {path}"
                if owner_of(label, operation) == role:
                    plan.deep.append(label)
                elif reaches(role, operation):
                    plan.light.append(label)
                else:
                    plan.skipped.append(label)
        return plan


def owner_of(label: str, operation: dict[str, Any]) -> str:
    if "security" not in operation:
        return ANONYMOUS
    roles = operation.get("x-roles") or OWNERS
    return roles[zlib.crc32(label.encode()) % len(roles)]


def reaches(role: str, operation: dict[str, Any]) -> bool:
    """Past authorisation: anonymously the public operations, else its role's and open ones."""
    if role == ANONYMOUS:
        return "security" not in operation
    return role in operation.get("x-roles", [role])


def config(plan: Plan, seeded: Seeded, key: str | None, seed: int = 8) -> schemathesis.Config:
    depth = [
        {"include-name": plan.deep, "generation": {"max-examples": DEEP}},
        {
            "include-name": plan.light,
            "generation": {"max-examples": LIGHT},
            "phases": {"coverage": {"enabled": False}},
        },
        {"include-name": plan.skipped, "enabled": False},
    ]
    return schemathesis.Config.from_dict(
        {
            "seed": seed,
            "cache": {"enabled": False},  # nothing learnt in one run steers the next
            "workers": 1,
            "suppress-health-check": ["all"],
            "headers": {"Authorization": f"Bearer {key}"} if key else {},
            "dictionaries": {**seeded.dictionaries(), **_values(HOSTILE)},
            "parameters": seeded.parameters(),
            "generation": {
                "deterministic": True,
                "database": "none",
                "max-examples": LIGHT,
                "dictionaries": {
                    kind: {"dictionary": f"hostile_{kind}s", "probability": HOSTILE_PROBABILITY}
                    for kind in ("string", "integer")
                },
            },
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "phases": {
                **{phase: {"enabled": True} for phase in PHASES},
                "examples": {"enabled": True, "fill-missing": True},
                "stateful": {
                    "enabled": True,
                    "max-steps": 6,
                    "generation": {"max-examples": STATEFUL},
                },
            },
            "operations": [entry for entry in depth if entry["include-name"]],
        }
    )


def _values(dictionaries: dict[str, list[Any]]) -> dict[str, dict[str, list[Any]]]:
    return {name: {"values": values} for name, values in dictionaries.items()}
