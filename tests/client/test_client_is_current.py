"""The Python client is written against clients/python/openapi.json. This fails when the
service's document has changed since (refresh: `ipledge openapi -o clients/python/openapi.json`,
then cover the change in the client) or when an operation has no client method."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from ipledge_client import IpledgeClient
from ipledge_client.operations import COVERED, NOT_COVERED

from api.openapi_snapshot import openapi_document, render

CLIENT = Path(__file__).resolve().parents[2] / "clients" / "python"
SNAPSHOT = CLIENT / "openapi.json"
REFRESH = "ipledge openapi -o clients/python/openapi.json"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi_document()


def operations(document: dict[str, Any]) -> dict[str, str]:
    """operationId -> "METHOD /path" (named in failures, to find the route)."""
    return {
        op["operationId"]: f"{method.upper()} {path}"
        for path, ops in document["paths"].items()
        for method, op in ops.items()
    }


def test_the_snapshot_is_the_document_the_service_serves_today(document):
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert snapshot == json.loads(render(document)), (
        f"the OpenAPI document changed since the client was written: run `{REFRESH}`, "
        "then update clients/python (and operations.py) for what changed"
    )
    assert SNAPSHOT.read_text(encoding="utf-8") == render(document), f"reformat: `{REFRESH}`"


def test_every_operation_has_a_client_method_or_a_reason_it_has_none(document):
    live = operations(document)
    missing = sorted(f"{live[o]} ({o})" for o in live.keys() - COVERED.keys() - NOT_COVERED.keys())
    assert not missing, f"operations without a client method (add one to operations.py): {missing}"
    gone = (COVERED.keys() | NOT_COVERED.keys()) - live.keys()
    assert not gone, f"operations.py names operations the service no longer has: {gone}"


def test_every_mapped_method_exists_on_the_client():
    assert [m for m in COVERED.values() if not callable(getattr(IpledgeClient, m, None))] == []
    assert all(reason.strip() for reason in NOT_COVERED.values())


def test_the_client_imports_nothing_of_the_server():
    """It installs alone (`pip install ./clients/python`): httpx and standardwebhooks only."""
    server = {"api", "registry", "disposal", "events", "migrations", "tests"}
    for source in sorted(CLIENT.rglob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            assert not {n.split(".")[0] for n in names} & server, f"{source.name}: {names}"
