"""The command helper (kernel.commands.command) and the actor context (registry.actors)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from kernel.commands import MAX_ATTEMPTS, Decided, command, decided
from kernel.errors import ConcurrencyConflict
from registry.actors import SYSTEM, NoActor, acting_as, current_actor
from tests.factories import BANK_A


@dataclass
class FakeStore:
    conflicts: int = 0  # how many saves fail as if another writer got there first
    saved: list[tuple[Any, ...]] = field(default_factory=list)

    def save(self, *aggregates: Any) -> list[Any]:
        if self.conflicts:
            self.conflicts -= 1
            raise IntegrityError("stale version")
        self.saved.append(aggregates)
        return [SimpleNamespace(notification=SimpleNamespace(id=40 + len(self.saved)))]


@dataclass
class Counter:
    store: FakeStore
    runs: list[str] = field(default_factory=list)

    @command
    def touch(self, label: str) -> Decided[str]:
        self.runs.append(current_actor().institution_id)
        return decided(label, Aggregate())

    @command
    def look(self) -> Decided[None]:
        self.runs.append("looked")
        return decided(None)


def test_a_command_saves_what_it_decided_and_returns_the_position() -> None:
    service = Counter(FakeStore())
    with acting_as(BANK_A):
        written = service.touch("x")
    assert (written.value, written.position) == ("x", 41)
    assert len(service.store.saved) == 1


def test_a_conflicting_save_reruns_the_whole_command_from_a_fresh_read() -> None:
    service = Counter(FakeStore(conflicts=2))
    with acting_as(BANK_A):
        service.touch("x")
    assert service.runs == ["BANK-A"] * 3
    assert len(service.store.saved) == 1


def test_a_command_that_keeps_conflicting_gives_up_with_a_concurrency_conflict() -> None:
    service = Counter(FakeStore(conflicts=MAX_ATTEMPTS))
    with acting_as(BANK_A), pytest.raises(ConcurrencyConflict, match="touch kept conflicting"):
        service.touch("x")
    assert len(service.runs) == MAX_ATTEMPTS


def test_a_command_that_changed_nothing_saves_nothing() -> None:
    service = Counter(FakeStore())
    assert service.look().position == 0
    assert service.store.saved == []


def test_a_command_outside_any_actor_is_a_wiring_fault() -> None:
    with pytest.raises(NoActor):
        Counter(FakeStore()).touch("x")


def test_acting_as_nests_and_restores_the_outer_actor() -> None:
    with acting_as(BANK_A):
        with acting_as(SYSTEM):
            assert current_actor() == SYSTEM
        assert current_actor() == BANK_A
    with pytest.raises(NoActor):
        current_actor()
