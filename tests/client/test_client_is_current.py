"""The Python client is written against clients/python/openapi.json. This fails when the
service's document has changed since (refresh: `ipledge openapi -o clients/python/openapi.json`,
then cover the change in the client) or when an operation has no client method."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ipledge_client import IpledgeClient
from ipledge_client.operations import COVERED, NOT_COVERED

from api.openapi_snapshot import openapi_document, render

SNAPSHOT = Path(__file__).resolve().parents[2] / "clients" / "python" / "openapi.json"
REFRESH = "ipledge openapi -o clients/python/openapi.json"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi_document()


def operation_ids(document: dict[str, Any]) -> set[str]:
    return {op["operationId"] for ops in document["paths"].values() for op in ops.values()}


def test_the_snapshot_is_the_document_the_service_serves_today(document):
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert snapshot == document, (
        f"the OpenAPI document changed since the client was written: run `{REFRESH}`, "
        "then update clients/python (and operations.py) for what changed"
    )
    assert SNAPSHOT.read_text(encoding="utf-8") == render(document), f"reformat: `{REFRESH}`"


def test_every_operation_has_a_client_method_or_a_reason_it_has_none(document):
    live = operation_ids(document)
    missing = live - COVERED.keys() - NOT_COVERED.keys()
    assert not missing, f"operations without a client method (add one to operations.py): {missing}"
    gone = (COVERED.keys() | NOT_COVERED.keys()) - live
    assert not gone, f"operations.py names operations the service no longer has: {gone}"


def test_every_mapped_method_exists_on_the_client():
    assert [m for m in COVERED.values() if not callable(getattr(IpledgeClient, m, None))] == []
    assert all(reason.strip() for reason in NOT_COVERED.values())
