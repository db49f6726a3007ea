"""Live API keys are remembered per process for IPLEDGE_AUTH_CACHE_SECONDS (no database read
per request). A revocation by this process is refused at once (tests/api/test_auth.py), one
by another process (a second server, the CLI) within the cache time; unknown keys are never
remembered. Another process is a second PrincipalStore on the same database."""

from __future__ import annotations

import pytest

from api import principals as principals_module
from api.bootstrap import Container
from api.principals import PrincipalStore
from tests.conftest import START


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def who(store: PrincipalStore, key: str) -> str | None:
    principal = store.authenticate(key)
    return principal.id if principal else None


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


def test_a_key_revoked_by_another_process_is_refused_once_the_cache_time_has_passed(
    container: Container, ticks: Ticks
):
    server = PrincipalStore(container.db, cache_seconds=1.0, monotonic=ticks)
    cli = PrincipalStore(container.db)
    principal, key = cli.create("bank", "bank", "BANK-A", START)
    assert who(server, key) == principal.id

    cli.revoke(principal.id, START)

    ticks.now += 0.9
    assert who(server, key) == principal.id  # remembered: no database read
    ticks.now += 0.1
    assert who(server, key) is None
    assert server.remembered(key) is None


def test_a_revocation_in_this_process_is_refused_at_once(container: Container, ticks: Ticks):
    server = PrincipalStore(container.db, cache_seconds=30.0, monotonic=ticks)
    principal, key = server.create("bank", "bank", "BANK-A", START)
    assert who(server, key) == principal.id

    server.revoke(principal.id, START)

    assert server.remembered(key) is None
    assert who(server, key) is None


def test_a_key_created_by_another_process_works_at_once(container: Container, ticks: Ticks):
    server = PrincipalStore(container.db, cache_seconds=30.0, monotonic=ticks)
    key = "ipk_not_yet_created_0123456789abcdef"
    assert who(server, key) is None  # the refusal is not remembered

    principal, _ = PrincipalStore(container.db).create("x", "bank", "BANK-A", START, key)

    assert who(server, key) == principal.id


def test_a_zero_cache_time_reads_the_database_on_every_request(container: Container, ticks: Ticks):
    server = PrincipalStore(container.db, cache_seconds=0, monotonic=ticks)
    cli = PrincipalStore(container.db)
    principal, key = cli.create("bank", "bank", "BANK-A", START)
    assert who(server, key) == principal.id

    cli.revoke(principal.id, START)

    assert who(server, key) is None


def test_a_revocation_during_a_lookup_is_not_undone_by_it(
    container: Container, ticks: Ticks, monkeypatch: pytest.MonkeyPatch
):
    server = PrincipalStore(container.db, cache_seconds=30.0, monotonic=ticks)
    principal, key = server.create("bank", "bank", "BANK-A", START)
    as_read = principals_module._principal

    def read_then_revoked(row):  # the row was read just before the revocation committed
        monkeypatch.setattr(principals_module, "_principal", as_read)
        server.revoke(principal.id, START)
        return as_read(row)

    monkeypatch.setattr(principals_module, "_principal", read_then_revoked)
    assert who(server, key) == principal.id  # that one request was already let in

    assert server.remembered(key) is None
    assert who(server, key) is None
