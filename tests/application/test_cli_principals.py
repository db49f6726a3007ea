"""`ipledge principals list|revoke`, `ipledge --version` and the CLI's errors, through typer's
CliRunner on both stores: revoking from the command line does what DELETE
/v1/admin/principals/{id} does (the key stops working, the principal's endpoints are disabled)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from api.bootstrap import Container
from api.cli import app
from api.principals import Principal
from tests.conftest import START
from tests.webhook_support import add_endpoint, fake_transport

URL = "https://bank-a.example.com/hooks"


@pytest.fixture
def ipledge(database_url: str) -> Iterator:
    """Runs `ipledge ARGS` on the test's store; the root logger is restored afterwards (the
    command points it at CliRunner's stderr, which closes)."""
    handlers = logging.getLogger().handlers[:]

    def run(*args: str, url: str = database_url) -> Result:
        env = {"IPLEDGE_DATABASE_URL": url, "IPLEDGE_LOG_FORMAT": "json"}
        return CliRunner().invoke(app, list(args), env=env)

    yield run
    logging.getLogger().handlers[:] = handlers


def principal(
    container: Container, role: str, institution: str, minute: int = 0
) -> tuple[Principal, str]:
    at = START + timedelta(minutes=minute)
    return container.principals.create(f"{role} of {institution}", role, institution, at)


def test_principals_list_shows_every_principal_in_a_table_without_keys(container, ipledge):
    bank, key = principal(container, "bank", "BANK-A")
    regulator, _ = principal(container, "regulator", "HB-FSB", minute=1)

    result = ipledge("principals", "list")

    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["id", "role", "institution_id", "name", "created_at", "revoked_at"]
    assert [row.split()[:3] for row in rows] == [
        [bank.id, "bank", "BANK-A"],
        [regulator.id, "regulator", "HB-FSB"],
    ]
    assert key not in result.stdout


def test_principals_list_json_includes_revoked_principals(container, ipledge):
    bank, _ = principal(container, "bank", "BANK-A")
    container.principals.revoke(bank.id, START)

    result = ipledge("principals", "list", "--json")

    assert result.exit_code == 0, result.output
    [listed] = json.loads(result.stdout)
    assert listed["id"] == bank.id and listed["role"] == "bank"
    assert listed["revoked"] is True and listed["revoked_at"].startswith("2026-01-05T")
    assert "api_key" not in listed


def test_principals_list_on_an_empty_store_says_how_to_start(ipledge):
    result = ipledge("principals", "list")

    assert result.exit_code == 0
    assert "ipledge principals create --role admin" in result.stdout


def test_principals_revoke_stops_the_key_and_disables_the_principals_endpoints(container, ipledge):
    bank, key = principal(container, "bank", "BANK-A")
    other, other_key = principal(container, "bank", "BANK-B")
    fake_transport(container)  # no DNS lookup for the endpoints' URLs
    endpoint, _ = add_endpoint(container, bank.actor, URL)
    untouched, _ = add_endpoint(container, other.actor, URL)

    result = ipledge("principals", "revoke", bank.id)

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"revoked {bank.id} (bank, BANK-A")
    assert container.principals.authenticate(key) is None
    assert container.principals.authenticate(other_key) is not None
    got = container.webhook_admin.get(endpoint)
    assert (got["status"], got["disabled_reason"]) == ("disabled", "its principal was revoked")
    assert container.webhook_admin.get(untouched)["status"] == "enabled"


def test_principals_revoke_json_answers_the_revoked_principal(container, ipledge):
    bank, _ = principal(container, "bank", "BANK-A")

    result = ipledge("principals", "revoke", bank.id, "--json")

    assert result.exit_code == 0, result.output
    answered = json.loads(result.stdout)
    assert answered["id"] == bank.id and answered["revoked"] is True


def test_revoking_a_revoked_principal_changes_nothing(container, ipledge):
    bank, _ = principal(container, "bank", "BANK-A")
    first = json.loads(ipledge("principals", "revoke", bank.id, "--json").stdout)

    again = ipledge("principals", "revoke", bank.id)

    assert again.exit_code == 0
    assert "was already revoked" in again.stdout and "nothing changed" in again.stdout
    [listed] = json.loads(ipledge("principals", "list", "--json").stdout)
    assert listed["revoked_at"] == first["revoked_at"]


def test_revoking_an_unknown_principal_exits_1_naming_it(container, ipledge):
    missing = str(uuid.uuid4())

    result = ipledge("principals", "revoke", missing)

    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"error: no principal {missing} (`ipledge principals list` shows them)"
    )


def test_creating_a_principal_with_an_unknown_role_exits_2(ipledge):
    result = ipledge("principals", "create", "--role", "emperor")

    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith("error: role must be one of admin, ")


def test_a_command_on_a_store_never_migrated_exits_2_in_one_line(
    ipledge, database_url: str, tmp_path: Path
):
    if database_url.startswith("sqlite"):
        unmigrated = f"sqlite:///{tmp_path}/new.db"
    else:  # a schema nobody migrated
        unmigrated = database_url.split("schema=")[0] + f"schema=n_{uuid.uuid4().hex[:12]}"

    result = ipledge("principals", "list", url=unmigrated)

    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()[-1:]
    assert line.startswith("error: cannot open the store ") and "ipledge migrate" in line
    assert "Traceback" not in result.output


def test_version_prints_the_installed_package_version():
    result = CliRunner().invoke(app, ["--version"])

    assert result.exit_code == 0
    assert result.stdout == f"ipledge {version('ipledge')}\n"
