"""The OpenAPI document states every status an operation can answer, derived from its route."""

from __future__ import annotations

from typing import Any

import pytest

from api.bootstrap import Container
from api.main import create_app

PROBLEM = {"$ref": "#/components/schemas/Problem"}
PUBLIC = {("get", "/v1/search"), ("get", "/v1/audit/public-key"), ("get", "/healthz")}


@pytest.fixture
def document(container: Container) -> dict[str, Any]:
    return create_app(container, run_worker=False).openapi()


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(m, p): op for p, ops in document["paths"].items() for m, op in ops.items()}


def test_every_error_response_is_a_problem_document(document):
    for key, operation in operations(document).items():
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                schema = response["content"]["application/problem+json"]["schema"]
                assert PROBLEM in (schema, *schema.get("allOf", [])), (key, status)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_operations_needing_a_key_declare_bearer_auth_and_public_ones_do_not(document):
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for key, operation in operations(document).items():
        if key in PUBLIC:
            assert "security" not in operation and "401" not in operation["responses"], key
        elif key[1].startswith("/v1/"):
            assert operation["security"] == [{"bearer": []}], key
            assert "401" in operation["responses"], key
            if "x-roles" in operation:  # a role check: the other roles are refused
                assert "403" in operation["responses"], key


def test_statuses_follow_from_the_routes_dependencies(document):
    ops = operations(document)
    release = ops[("post", "/v1/pledges/{pledge_id}/release")]
    assert {"400", "404", "409", "412", "413", "422"} <= release["responses"].keys()
    assert release["x-roles"] == ["bank"]
    assert "503" in ops[("get", "/v1/pledges")]["responses"]  # waits for ?min_position
    assert {"429", "503"} <= ops[("get", "/v1/search")]["responses"].keys()
    assert "412" not in ops[("post", "/v1/disposals")]["responses"]
    assert "404" in ops[("post", "/v1/disposals")]["responses"]  # names a pledge by id
    assert "404" not in ops[("post", "/v1/pledges")]["responses"]


def test_a_put_documents_both_create_and_replace(document):
    for (method, path), operation in operations(document).items():
        if method == "put":
            assert {"200", "201"} <= operation["responses"].keys(), path


def test_every_post_documents_the_idempotency_key(document):
    for (method, path), operation in operations(document).items():
        if method == "post":
            names = [p["name"] for p in operation["parameters"]]
            assert "Idempotency-Key" in names, path


def test_every_write_documents_the_log_position_on_success(document):
    for (method, path), operation in operations(document).items():
        if method in ("post", "put", "patch", "delete"):
            for status, response in operation["responses"].items():
                if status.startswith("2"):
                    assert "X-Log-Position" in response.get("headers", {}), (method, path, status)
