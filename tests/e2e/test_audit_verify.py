"""`ipledge audit verify` against a real `ipledge serve` (contract §8): an honest log verifies, and
a stored event changed, deleted or corrupted behind the service's back is named by position.

Tampering goes straight to the events table (SQLite: `stored_events`, position = rowid;
PostgreSQL: `ipledge_events` in the URL's schema, position = notification_id), as someone with
database access but no signing key would.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql

from events.audit import merkle
from events.database_url import DatabaseConfig
from tests.builders import filing, party, patent_entry, patent_number
from tests.e2e.server import ROOT, Server

pytestmark = pytest.mark.e2e
ADMIN = {"Authorization": "Bearer ipk_e2e_admin_key_0123456789"}
IPLEDGE = Path(sys.executable).parent / "ipledge"


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    server = Server(database_url, tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture
def regulator(http: httpx.Client) -> str:
    return api_key(http, "regulator", "HB-FSB")


# ---- steps -----------------------------------------------------------------------------


def api_key(http: httpx.Client, role: str, institution: str) -> str:
    response = http.post(
        "/v1/admin/principals",
        headers=ADMIN,
        json={"name": f"{role} e2e", "role": role, "institution_id": institution},
    )
    assert response.status_code == 201, response.text
    return response.json()["api_key"]


def pledge_patents(http: httpx.Client, serials: range) -> None:
    """Enters each patent in the register and pledges it for 5,000,000.00 (two events each)."""
    office = {"Authorization": f"Bearer {api_key(http, 'ip_office', 'CNIPA')}"}
    bank = {"Authorization": f"Bearer {api_key(http, 'bank', 'BANK-A')}"}
    for serial in serials:
        holder, number = party(serial), patent_number(serial)
        put = http.put(
            f"/v1/ip-rights/invention_patent/{number}", headers=office, json=patent_entry([holder])
        )
        assert put.status_code == 201, put.text
        filed = http.post(
            "/v1/pledges",
            headers=bank,
            json=filing(holder, [{"kind": "invention_patent", "number": number}]),
        )
        assert filed.json()["status"] == "registered", filed.text


def save_checkpoint(http: httpx.Client, key: str, path: Path) -> dict[str, Any]:
    response = http.get("/v1/audit/checkpoint", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    path.write_text(response.text)
    return response.json()


def log(http: httpx.Client, key: str) -> list[dict[str, Any]]:
    response = http.get(
        "/v1/audit/log", params={"limit": 1000}, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200 and response.json()["next_after"] is None
    return response.json()["items"]


def first_position_of(http: httpx.Client, key: str, event_type: str, nth: int = 1) -> int:
    return [e["position"] for e in log(http, key) if e["type"] == event_type][nth - 1]


def verify(
    server: Server, key: str, checkpoint: Path | None = None, *extra: str
) -> subprocess.CompletedProcess[str]:
    args = [str(IPLEDGE), "audit", "verify", "--url", server.url, "--key", key, *extra]
    if checkpoint is not None:
        args += ["--checkpoint", str(checkpoint)]
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)


class EventsTable:
    """The stored events, reached behind the service's back."""

    def __init__(self, database_url: str) -> None:
        self.config = DatabaseConfig.parse(database_url)

    def _run(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        """``statement`` with {events}/{nodes}/{position} placeholders and %s parameters."""
        if self.config.is_sqlite:
            query = statement.format(events="stored_events", nodes="audit_nodes", position="rowid")
            with sqlite3.connect(str(self.config.sqlite_path), timeout=30) as conn:
                return conn.execute(query.replace("%s", "?"), params).fetchall()
        schema = self.config.schema
        query_sql = sql.SQL(statement).format(
            events=sql.Identifier(schema, "ipledge_events"),
            nodes=sql.Identifier(schema, "audit_nodes"),
            position=sql.Identifier("notification_id"),
        )
        with psycopg.connect(**self.config.connect_params, autocommit=True) as conn:
            cursor = conn.execute(query_sql, params)
            return cursor.fetchall() if cursor.description else []

    def state(self, position: int) -> bytes:
        [(state,)] = self._run("SELECT state FROM {events} WHERE {position} = %s", position)
        return bytes(state)

    def set_state(self, position: int, state: bytes) -> None:
        self._run("UPDATE {events} SET state = %s WHERE {position} = %s", state, position)
        assert self.state(position) == state

    def delete(self, position: int) -> None:
        self._run("DELETE FROM {events} WHERE {position} = %s", position)

    def set_leaf(self, position: int, leaf_hash: str) -> None:
        """Rewrites the leaf the service recorded for ``position`` (its audit tree node)."""
        self._run(
            "UPDATE {nodes} SET hash = %s WHERE level = 0 AND idx = %s", leaf_hash, position - 1
        )


# ---- an honest log -----------------------------------------------------------------------


def test_untouched_log_verifies_with_a_saved_checkpoint(server, http, regulator, tmp_path):
    pledge_patents(http, range(1, 4))
    saved = save_checkpoint(http, regulator, tmp_path / "saved.json")

    result = verify(server, regulator, tmp_path / "saved.json")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == f"audit log at {server.url}: verified"
    assert f"{saved['tree_size']} events at positions 1..{saved['tree_size']}" in result.stdout


def test_later_checkpoint_is_consistent_with_an_earlier_saved_one(
    server, http, regulator, tmp_path
):
    pledge_patents(http, range(1, 3))
    saved = save_checkpoint(http, regulator, tmp_path / "saved.json")
    pledge_patents(http, range(3, 6))

    result = verify(server, regulator, tmp_path / "saved.json", "--json")

    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["problems"] == []
    assert report["saved_checkpoint"] == saved
    assert report["checkpoint"]["tree_size"] == report["log_size"] > saved["tree_size"]
    assert any("consistency" in line for line in report["checked"])


def test_api_key_can_come_from_the_environment(server, http, regulator):
    pledge_patents(http, range(1, 2))
    args = [str(IPLEDGE), "audit", "verify", "--url", server.url]

    result = subprocess.run(
        args,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**server.env, "IPLEDGE_API_KEY": regulator},
    )

    assert result.returncode == 0, result.stdout + result.stderr


# ---- tampering -------------------------------------------------------------------------


def test_changed_amount_in_a_stored_event_is_named_by_its_position(
    server, http, regulator, database_url, tmp_path
):
    pledge_patents(http, range(1, 4))
    save_checkpoint(http, regulator, tmp_path / "saved.json")
    assert verify(server, regulator, tmp_path / "saved.json").returncode == 0
    k = first_position_of(http, regulator, "pledge.registered", nth=2)
    events = EventsTable(database_url)
    state = events.state(k)
    assert b"5000000.00" in state

    events.set_state(k, state.replace(b"5000000.00", b"9000000.00"))
    result = verify(server, regulator, tmp_path / "saved.json")

    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == (
        f"audit log at {server.url}: FAILED: position {k}: leaf hash mismatch "
        "(envelope changed after it was logged)"
    )
    assert "saved checkpoint root mismatch at tree size" in result.stdout


def test_tampering_report_as_json_names_the_first_bad_position(
    server, http, regulator, database_url, tmp_path
):
    pledge_patents(http, range(1, 4))
    save_checkpoint(http, regulator, tmp_path / "saved.json")
    first = first_position_of(http, regulator, "pledge.registered", nth=2)
    later = first_position_of(http, regulator, "pledge.registered", nth=3)
    events = EventsTable(database_url)
    for k in (later, first):
        events.set_state(k, events.state(k).replace(b"5000000.00", b"9000000.00"))

    result = verify(server, regulator, tmp_path / "saved.json", "--json")

    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["first_bad_position"] == first
    assert [p["position"] for p in report["problems"] if p["position"]] == [first, later]


def test_deleted_event_is_named_as_the_missing_position(
    server, http, regulator, database_url, tmp_path
):
    pledge_patents(http, range(1, 4))
    save_checkpoint(http, regulator, tmp_path / "saved.json")
    k = first_position_of(http, regulator, "pledge.registered", nth=2)

    EventsTable(database_url).delete(k)
    result = verify(server, regulator, tmp_path / "saved.json")

    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == (
        f"audit log at {server.url}: FAILED: position {k} missing"
    )


def test_deleted_last_event_is_named_as_missing_from_the_checkpoint(
    server, http, regulator, database_url, tmp_path
):
    pledge_patents(http, range(1, 3))
    saved = save_checkpoint(http, regulator, tmp_path / "saved.json")
    last = saved["tree_size"]

    EventsTable(database_url).delete(last)
    result = verify(server, regulator, tmp_path / "saved.json")

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"FAILED: position {last} missing" in result.stdout.splitlines()[0]


def test_undecodable_stored_event_is_still_named_by_its_position(
    server, http, regulator, database_url, tmp_path
):
    pledge_patents(http, range(1, 4))
    save_checkpoint(http, regulator, tmp_path / "saved.json")
    k = first_position_of(http, regulator, "ip_right.registered", nth=2)
    events = EventsTable(database_url)

    events.set_state(k, events.state(k)[:-7])  # cut off: no longer JSON
    result = verify(server, regulator, tmp_path / "saved.json")

    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == (
        f"audit log at {server.url}: FAILED: position {k}: leaf hash mismatch "
        "(the stored event no longer decodes: it changed after it was logged)"
    )


def test_change_hidden_by_rewriting_its_leaf_is_caught_by_the_signed_checkpoint(
    server, http, regulator, database_url, tmp_path
):
    pledge_patents(http, range(1, 4))
    saved = save_checkpoint(http, regulator, tmp_path / "saved.json")
    k = first_position_of(http, regulator, "pledge.registered", nth=2)
    events = EventsTable(database_url)
    events.set_state(k, events.state(k).replace(b"5000000.00", b"9000000.00"))
    [changed] = [e for e in log(http, regulator) if e["position"] == k]
    changed.pop("leaf_hash")

    events.set_leaf(k, merkle.leaf_hash(changed))  # the served leaf now matches the envelope
    result = verify(server, regulator, tmp_path / "saved.json")

    assert result.returncode == 1, result.stdout + result.stderr
    size = saved["tree_size"]
    assert result.stdout.splitlines()[0] == (
        f"audit log at {server.url}: FAILED: checkpoint root mismatch at tree size {size}: "
        "first differing leaf unknown"
    )
    assert f"saved checkpoint root mismatch at tree size {size}" in result.stdout


# ---- cannot verify ---------------------------------------------------------------------


def test_a_bank_key_cannot_verify_and_exits_2(server, http):
    bank = api_key(http, "bank", "BANK-A")

    result = verify(server, bank)

    assert result.returncode == 2
    assert "needs a regulator's API key" in result.stderr


def test_unreadable_saved_checkpoint_exits_2(server, regulator, tmp_path):
    (tmp_path / "saved.json").write_text('{"tree_size": 3}')

    result = verify(server, regulator, tmp_path / "saved.json")

    assert result.returncode == 2
    assert "is not a checkpoint" in result.stderr


def test_unreachable_service_exits_2(tmp_path):
    port = Server("sqlite:///unused.db", tmp_path).port  # free, nobody listening

    result = subprocess.run(
        [str(IPLEDGE), "audit", "verify", "--url", f"http://127.0.0.1:{port}", "--key", "k"],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    assert "cannot reach" in result.stderr
