"""`ipledge demo` loads into an empty store only, and never silently replaces its keys file."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from api.bootstrap import Container
from tests.application.workload import put
from tests.builders import party
from tests.conftest import START
from tests.e2e.server import ROOT
from tests.factories import patent_fields, patent_item

pytestmark = pytest.mark.e2e
ADMIN_KEY = "ipk_demo_e2e_admin_key_0123456789"


def demo(database_url: str, keys_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "IPLEDGE_DATABASE_URL": database_url,
        "IPLEDGE_DEMO_KEYS_FILE": str(keys_file),
        "IPLEDGE_CLOCK": "manual",
        "IPLEDGE_ADMIN_KEY": ADMIN_KEY,  # registered at every start; it does not make data
    }
    ipledge = Path(sys.executable).parent / "ipledge"
    return subprocess.run(
        [str(ipledge), "demo", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        umask=0o022,
    )


def holdings(container: Container) -> tuple[int, int]:
    return container.store.max_position(), len(container.principals.list())


def seed_principal(container: Container) -> None:
    container.principals.create("bank", "bank", "BANK-A", START)


def seed_event(container: Container) -> None:
    put(container, patent_item(1), patent_fields([party(1)]))


@pytest.mark.parametrize("seed", [seed_principal, seed_event])
def test_demo_refuses_a_store_that_already_holds_data(container: Container, tmp_path: Path, seed):
    seed(container)
    before = holdings(container)
    keys_file = tmp_path / "keys" / "demo-keys.json"

    result = demo(container.settings.database_url, keys_file)

    assert result.returncode == 2
    assert "already holds data" in result.stderr and "--force" in result.stderr
    assert not keys_file.exists()
    assert holdings(container) == (before[0], before[1] + 1)  # only the IPLEDGE_ADMIN_KEY admin


def test_demo_never_overwrites_an_existing_keys_file(container: Container, tmp_path: Path):
    keys_file = tmp_path / "demo-keys.json"
    keys_file.write_text("keys of another store")

    result = demo(container.settings.database_url, keys_file)

    assert result.returncode == 2 and "already exists" in result.stderr
    assert keys_file.read_text() == "keys of another store"
    assert holdings(container) == (0, 1)


def test_demo_loads_an_empty_store_once_and_if_empty_then_does_nothing(
    container: Container, tmp_path: Path
):
    keys_file = tmp_path / "data" / "demo-keys.json"

    loaded = demo(container.settings.database_url, keys_file)
    after_load = holdings(container)
    again = demo(container.settings.database_url, keys_file)
    skipped = demo(container.settings.database_url, keys_file, "--if-empty")

    assert loaded.returncode == 0, loaded.stderr
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys_file.parent.stat().st_mode) == 0o700
    assert len(json.loads(keys_file.read_text())) == after_load[1] - 1  # all but the admin key
    assert again.returncode == 2 and "already holds data" in again.stderr
    assert skipped.returncode == 0 and "already present" in skipped.stdout
    assert holdings(container) == after_load


def test_demo_force_loads_anyway_and_replaces_the_keys_file(container: Container, tmp_path: Path):
    seed_principal(container)
    keys_file = tmp_path / "demo-keys.json"
    keys_file.write_text("stale keys")

    result = demo(container.settings.database_url, keys_file, "--force")

    assert result.returncode == 0, result.stderr
    assert set(json.loads(keys_file.read_text())) >= {"admin", "regulator"}
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    assert container.store.max_position() > 0
