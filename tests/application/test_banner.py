"""`ipledge serve --banner` (what `make run` ends with): the addresses, one live API key per role
from the demo keys file, where the keys and data are, and how to stop. Both stores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.responses import PlainTextResponse

from api.banner import banner, base_url
from api.bootstrap import Container
from api.main import create_app
from tests.conftest import START

URL = "http://127.0.0.1:8000"


def keys_file(container: Container, path: Path, *labels: str) -> dict[str, str]:
    """Writes a keys file as `ipledge demo` does (label -> entry); returns label -> key."""
    entries, keys = {}, {}
    for label in labels:
        role, _, institution = label.partition(":")
        _, key = container.principals.create(label, role, institution or "ipledge", START)
        entries[label] = {"institution_id": institution or "ipledge", "name": label, "api_key": key}
        keys[label] = key
    path.write_text(json.dumps(entries))
    return keys


def text_for(container: Container, path: Path) -> str:
    settings = container.settings.model_copy(update={"demo_keys_file": str(path)})
    return banner(create_app(container, run_worker=False), settings, container.principals, URL)


def test_the_banner_shows_the_docs_and_one_key_per_role(container, tmp_path):
    path = tmp_path / "demo-keys.json"
    keys = keys_file(container, path, "admin", "bank:BANK-A", "bank:BANK-B", "regulator")

    text = text_for(container, path)

    assert f"{URL}/docs" in text and f"{URL}/redoc" in text and f"{URL}/openapi.json" in text
    assert keys["admin"] in text and keys["bank:BANK-A"] in text and keys["regulator"] in text
    assert keys["bank:BANK-B"] not in text  # one per role
    assert str(path) in text and "Ctrl+C" in text


def test_the_banner_skips_a_key_that_no_longer_authenticates(container, tmp_path):
    path = tmp_path / "demo-keys.json"
    keys = keys_file(container, path, "bank:BANK-A", "bank:BANK-B")
    revoked = container.principals.authenticate(keys["bank:BANK-A"])
    assert revoked is not None
    container.principals.revoke(revoked.id, START)

    text = text_for(container, path)

    assert keys["bank:BANK-A"] not in text and keys["bank:BANK-B"] in text


@pytest.mark.parametrize("content", [None, "not json", "[]"])
def test_without_a_usable_keys_file_the_banner_says_how_to_make_a_key(container, tmp_path, content):
    path = tmp_path / "demo-keys.json"
    if content is not None:
        path.write_text(content)

    text = text_for(container, path)

    assert "ipledge principals create --role admin" in text and f"{URL}/docs" in text


def test_the_banner_lists_the_console_once_the_service_serves_one(container, tmp_path):
    app = create_app(container, run_worker=False)
    app.add_api_route("/console", lambda: PlainTextResponse("console"), include_in_schema=False)

    text = banner(app, container.settings, container.principals, URL)

    assert f"{URL}/console" in text


@pytest.mark.parametrize(
    ("host", "shown"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000"),
        ("0.0.0.0", "http://127.0.0.1:8000"),
        ("::", "http://[::1]:8000"),
        ("::1", "http://[::1]:8000"),
        ("api.internal", "http://api.internal:8000"),
    ],
)
def test_the_banner_shows_an_address_a_browser_can_open(host, shown):
    assert base_url(host, 8000) == shown


def test_a_sandbox_banner_says_its_clock_is_manual_and_webhooks_may_target_this_machine(
    container, tmp_path
):
    app = create_app(container, run_worker=False)
    plain = container.settings.model_copy(
        update={"clock": "system", "webhook_allow_private": False}
    )
    sandbox = container.settings.model_copy(
        update={"clock": "manual", "webhook_allow_private": True}
    )

    plain_text = banner(app, plain, container.principals, URL)
    sandbox_text = banner(app, sandbox, container.principals, URL)

    assert "Sandbox" not in plain_text
    assert "POST /v1/_clock" in sandbox_text
    assert "IPLEDGE_WEBHOOK_ALLOW_PRIVATE=1" in sandbox_text
