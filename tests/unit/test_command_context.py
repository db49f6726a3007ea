"""The command helper (kernel.commands.command) and the actor context (registry.actors)."""

from __future__ import annotations

from contextvars import Context
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from kernel.commands import MAX_ATTEMPTS, Decided, command, decided
from kernel.errors import ConcurrencyConflict
from registry.actors import SYSTEM, Actor, NoActor, acting_as, current_actor
from registry.pledges import Pledge
from tests.builders import party
from tests.factories import BANK_A, NOW, TODAY, make_filing, patent_item


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
        Context().run(Counter(FakeStore()).touch, "x")  # a fresh context: nobody acts


def test_acting_as_nests_and_restores_the_outer_actor(someone_acts: Actor) -> None:
    with acting_as(BANK_A):
        with acting_as(SYSTEM):
            assert current_actor() == SYSTEM
        assert current_actor() == BANK_A
    assert current_actor() == someone_acts


def test_every_event_records_who_acted_from_the_context() -> None:
    with acting_as(BANK_A):
        pledge = Pledge.register(
            uuid4(), make_filing(party(1), [patent_item(1)]), "BANK-A", "Y1", TODAY, NOW
        )
    with acting_as(SYSTEM):
        pledge.flag_collateral_at_risk(patent_item(1), "annuity_lapsed", NOW)

    assert [e.actor for e in pledge.collect_events()] == [BANK_A, SYSTEM]
