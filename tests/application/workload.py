"""Shared steps for application tests: register rights and file pledges through the service."""

from __future__ import annotations

from typing import Any

from api.bootstrap import Container
from events.envelope import event_type
from registry.actors import Actor, acting_as
from registry.pledges import Pledge
from tests.factories import IP_OFFICE, make_filing


def put(container: Container, item: dict[str, str], fields: dict[str, Any]) -> int:
    """Registers (or updates) a right; returns the log position written (0: nothing)."""
    with acting_as(IP_OFFICE):
        return container.registry.put_ip_right(item.kind, item.number, fields).position


def file(
    container: Container,
    bank: Actor,
    pledgor: dict[str, str],
    items: list[dict[str, str]],
    **filing: Any,
) -> Pledge:
    with acting_as(bank):
        return container.registry.file_pledge(make_filing(pledgor, items, **filing)).value


def types_after(container: Container, position: int) -> list[str]:
    """Dotted event types recorded after ``position``, in log order."""
    return [
        event_type(container.store.decode(n))
        for n in container.store.read_log(after=position, limit=10_000)
    ]
