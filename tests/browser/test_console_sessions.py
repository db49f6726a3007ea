"""The console's server-side sessions, on both stores: what the table keeps, idle and absolute
expiry, sign-out, and a revoked principal's session ending at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from api.bootstrap import Container
from api.console.sessions import ABSOLUTE, IDLE, SessionStore
from events.tables import console_sessions
from tests.conftest import START


def signed_in(container: Container) -> tuple[SessionStore, str, str]:
    principal, key = container.principals.create("Hubei Bank", "bank", "BANK-HBB", START)
    store = SessionStore(container.db, container.principals)
    signed = store.sign_in(key, START)
    assert signed is not None
    return store, signed[0], key


def test_the_table_keeps_a_hash_of_the_session_id_and_never_the_api_key(container):
    store, session_id, key = signed_in(container)
    with container.db.read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(console_sessions))]
    assert len(rows) == 1
    assert session_id not in str(rows) and key not in str(rows)
    session = store.lookup(session_id, START)
    assert session is not None and session.principal.institution_id == "BANK-HBB"


def test_an_unknown_key_signs_nobody_in(container):
    store = SessionStore(container.db, container.principals)
    assert store.sign_in("ipk_unknown", START) is None


def test_a_session_idle_for_thirty_minutes_ends(container):
    store, session_id, _ = signed_in(container)
    assert store.lookup(session_id, START + IDLE - timedelta(seconds=1)) is not None
    assert store.lookup(session_id, START + 2 * IDLE) is None
    assert store.lookup(session_id, START) is None  # deleted, not merely refused


def test_a_session_in_use_still_ends_eight_hours_after_sign_in(container):
    store, session_id, _ = signed_in(container)
    moment = START
    while moment + IDLE / 2 < START + ABSOLUTE:
        moment += IDLE / 2
        assert store.lookup(session_id, moment) is not None
    assert store.lookup(session_id, START + ABSOLUTE + timedelta(minutes=1)) is None


def test_sign_out_ends_the_session(container):
    store, session_id, _ = signed_in(container)
    store.end(session_id)
    assert store.lookup(session_id, START) is None


def test_revoking_the_principal_ends_its_sessions_at_once(container):
    store, session_id, _ = signed_in(container)
    session = store.lookup(session_id, START)
    assert session is not None
    container.principals.revoke(session.principal.id, START)
    assert store.lookup(session_id, START + timedelta(seconds=1)) is None


def test_expired_sessions_are_purged(container):
    store, old, _ = signed_in(container)
    _, fresh, _ = signed_in(container)
    store.lookup(fresh, START + IDLE)  # touched: still live
    assert store.purge_expired(START + IDLE + timedelta(minutes=5)) == 1
    assert store.lookup(fresh, START + IDLE + timedelta(minutes=5)) is not None
