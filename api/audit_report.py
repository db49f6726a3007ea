"""What `ipledge audit verify` found, and how it reads the service (contract §8)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx


class CannotVerify(Exception):
    """Verification could not be carried out (usage, connection or service errors): exit 2."""


@dataclass
class Problem:
    message: str
    position: int | None = None
    within: int | None = None  # not localised, but somewhere in positions 1..within

    @property
    def order(self) -> int | None:
        return self.position if self.position is not None else self.within


@dataclass
class Report:
    url: str
    log_size: int = 0
    checkpoint: dict[str, Any] | None = None
    saved: dict[str, Any] | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def first(self) -> Problem | None:
        """The problem to lead with: the lowest bad position (a root mismatch nothing explains
        counts as its tree size), else the first finding."""
        placed = [p for p in self.problems if p.order is not None]
        if placed:
            return min(placed, key=lambda p: p.order or 0)
        return self.problems[0] if self.problems else None

    def add(self, message: str, position: int | None = None, within: int | None = None) -> None:
        self.problems.append(Problem(message, position, within))

    def positions_bad_up_to(self, size: int) -> Problem | None:
        bad = [p for p in self.problems if p.position is not None and p.position <= size]
        return min(bad, key=lambda p: p.position or 0) if bad else None

    def text(self) -> str:
        lead = self.first()
        lines = (
            [f"audit log at {self.url}: FAILED: {lead.message}"]
            if lead is not None
            else [f"audit log at {self.url}: verified"]
        )
        lines += [f"  also: {p.message}" for p in self.problems if p is not lead]
        lines += [f"  ok: {note}" for note in self.notes]
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        lead = self.first()
        return {
            "ok": self.ok,
            "url": self.url,
            "log_size": self.log_size,
            "checkpoint": self.checkpoint,
            "saved_checkpoint": self.saved,
            "first_bad_position": lead.position if lead is not None else None,
            "problems": [{"position": p.position, "message": p.message} for p in self.problems],
            "checked": self.notes,
        }


def get_json(
    client: httpx.Client, path: str, params: dict[str, int] | None = None
) -> dict[str, Any]:
    where = f"GET {path}" + (f"?{httpx.QueryParams(params)}" if params else "")
    try:
        response = client.get(path, params=params)
    except httpx.HTTPError as e:
        raise CannotVerify(f"{where}: cannot reach {client.base_url} ({e})") from None
    if response.status_code in (401, 403):
        raise CannotVerify(
            f"{where} answered {response.status_code}: the audit log needs a regulator's API key"
        )
    if response.status_code != 200:
        raise CannotVerify(f"{where} answered {response.status_code}: {response.text[:300]}")
    try:
        body = response.json()
    except ValueError:
        raise CannotVerify(f"{where} did not answer JSON") from None
    if not isinstance(body, dict):
        raise CannotVerify(f"{where} did not answer a JSON object")
    return body
