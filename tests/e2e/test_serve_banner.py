"""A real `ipledge serve --banner` (as `make run` starts it) prints the banner once it listens,
after uvicorn's own lines, with the live demo key; without --banner it prints none."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import Server

pytestmark = pytest.mark.e2e
ADMIN_KEY = "ipk_e2e_admin_key_0123456789"  # registered by IPLEDGE_ADMIN_KEY (tests/e2e/server.py)


def keys_file(tmp_path: Path) -> Path:
    path = tmp_path / "demo-keys.json"
    entries = {
        "admin": {"institution_id": "ipledge", "name": "bootstrap admin", "api_key": ADMIN_KEY},
        "bank:BANK-X": {"institution_id": "BANK-X", "name": "gone", "api_key": "ipk_unknown"},
    }
    path.write_text(json.dumps(entries))
    return path


@pytest.mark.parametrize("with_banner", [True, False])
def test_serve_prints_the_banner_once_it_listens(database_url, tmp_path, with_banner):
    env = {"IPLEDGE_DEMO_KEYS_FILE": str(keys_file(tmp_path)), "IPLEDGE_LOG_FORMAT": "text"}
    server = Server(database_url, tmp_path, **env)
    if with_banner:
        server.args.append("--banner")
    try:
        server.start()
        docs = httpx.get(f"{server.url}/docs", timeout=5)
        log = server.tail(20000)
    finally:
        server.stop()

    assert docs.status_code == 200
    listening = log.index("Uvicorn running on")
    if not with_banner:
        assert "ipledge is serving on" not in log
        return
    banner = log[log.index("ipledge is serving on", listening) :]
    assert f"{server.url}/docs" in banner and f"{server.url}/redoc" in banner
    assert ADMIN_KEY in banner and "ipk_unknown" not in banner
    assert "Ctrl+C" in banner
