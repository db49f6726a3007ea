"""The OpenAPI document is a complete contract: a client can be generated from it and trust
it. Every operation has a typed success schema, the problems it can answer with their codes,
and its security; every request body has an example valid against its own schema; money is
a string with a pattern and dates are formatted; the contract's headers are where they apply.
(That real responses match the document: tests/api/contract_check.py, on every API test.)"""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest

from api.openapi_snapshot import openapi_document
from tests.api.contract_check import ContractCheck

PUBLIC = {
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/v1/search"),
    ("get", "/v1/audit/public-key"),
}
PROBLEM = {"$ref": "#/components/schemas/Problem"}
MONEY = {
    "amount", "principal", "secured_amount", "outstanding_amount", "appraised_value",
    "asking_price", "price", "proceeds", "costs", "advance_due", "recovery",
    "surplus_to_pledgor", "refund_due", "final_loss", "final_share", "balance_due",
    "live_secured_amount", "defaulted_outstanding_amount", "surcharge_today",
}  # fmt: skip
DATES = ("_on", "_date", "no_taker_deadline")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi_document()


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(m, p): op for p, ops in document["paths"].items() for m, op in ops.items()}


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    return document["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


def test_every_operation_answers_success_with_a_typed_schema(document):
    for key, operation in operations(document).items():
        successes = {s: r for s, r in operation["responses"].items() if s.startswith("2")}
        assert successes, key
        for status, response in successes.items():
            if status == "204":
                assert "content" not in response, key
                continue
            schema = response["content"]["application/json"]["schema"]
            assert "Public" in schema.get("$ref", ""), (key, status, schema)
            assert resolve(document, schema).get("additionalProperties") is False, key


def test_every_problem_status_enumerates_its_codes_over_the_shared_problem(document):
    for key, operation in operations(document).items():
        problems = {s: r for s, r in operation["responses"].items() if int(s) >= 400}
        assert "503" in problems, key  # the store may be down for anyone
        for status, response in problems.items():
            schema = response["content"]["application/problem+json"]["schema"]
            parts = schema.get("allOf", [schema])
            assert PROBLEM in parts, (key, status)
            codes = [p["properties"]["code"]["enum"] for p in parts if "properties" in p]
            assert codes and codes[0], (key, status)
            for code in codes[0]:
                assert f"`{code}`" in response["description"], (key, status, code)


def test_the_problem_schema_carries_field_errors_for_validation(document):
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code"} <= set(problem["required"])
    assert problem["properties"]["errors"]["items"]["required"] == ["field", "message"]
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_codes_follow_from_each_operations_code_paths(document):
    ops = operations(document)

    def codes(key: tuple[str, str], status: str) -> set[str]:
        schema = ops[key]["responses"][status]["content"]["application/problem+json"]["schema"]
        return set(schema["allOf"][1]["properties"]["code"]["enum"])

    sale = ("post", "/v1/listings/{listing_id}/sale")
    assert {"price_below_asking", "buyer_without_intention", "date_in_future"} <= codes(sale, "422")
    assert codes(("post", "/v1/pledges"), "422") >= {"appraisal_required", "validation_error"}
    assert "approval_required" in codes(("post", "/v1/listings"), "422")
    assert codes(("post", "/v1/_clock"), "409") == {"clock_backwards", "idempotency_key_in_flight"}
    assert codes(("get", "/v1/search"), "429") == {"rate_limited"}
    assert "projection_lagging" in codes(("get", "/v1/pledges"), "503")
    assert "412" not in ops[("post", "/v1/disposals")]["responses"]  # takes no If-Match
    assert "403" not in ops[("get", "/v1/ip-rights/{kind}/{number}")]["responses"]


def test_operations_with_a_key_declare_the_bearer_scheme_and_public_ones_do_not(document):
    scheme = document["components"]["securitySchemes"]["bearer"]
    assert scheme == {"type": "http", "scheme": "bearer", "description": scheme["description"]}
    for key, operation in operations(document).items():
        if key in PUBLIC:
            assert "security" not in operation and "401" not in operation["responses"], key
        else:
            assert operation["security"] == [{"bearer": []}], key


def test_every_request_body_has_an_example_valid_against_its_schema(document):
    for key, operation in operations(document).items():
        for media_type, body in operation.get("requestBody", {}).get("content", {}).items():
            assert "example" in body, (key, media_type)
            root = {**body["schema"], "components": document["components"]}
            errors = [
                e.message for e in jsonschema_rs.validator_for(root).iter_errors(body["example"])
            ]
            assert not errors, (key, errors)


def test_money_is_a_string_with_a_pattern_and_dates_are_formatted(document):
    for name, schema in document["components"]["schemas"].items():
        for field, spec in schema.get("properties", {}).items():
            options = spec.get("anyOf", [spec])
            typed = [o for o in options if o.get("type") not in (None, "null")]
            assert all(o.get("type") != "number" for o in typed), (name, field)
            if field in MONEY:
                assert typed and all(o["type"] == "string" and o["pattern"] for o in typed), (
                    name,
                    field,
                )
            if field.endswith(DATES) and typed and typed[0].get("type") == "string":
                assert typed[0].get("format") == "date", (name, field)
            if field.endswith("_at") and typed:
                assert typed[0].get("format") == "date-time", (name, field)


def test_the_contracts_headers_are_documented_where_they_apply(document):
    for (method, path), operation in operations(document).items():
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if method == "post":
            assert "Idempotency-Key" in names, path
        ok = operation["responses"].get("200") or operation["responses"].get("201") or {}
        headers = ok.get("headers", {})
        if "412" in operation["responses"]:
            assert "If-Match" in names, path
        if method in ("post", "put") and path.startswith("/v1/") and "ETag" in headers:
            assert "X-Log-Position" in headers, path
        for status, response in operation["responses"].items():
            if status in ("429", "503"):
                assert "Retry-After" in response.get("headers", {}), (path, status)
    ops = operations(document)
    assert "ETag" in ops[("get", "/v1/pledges/{pledge_id}")]["responses"]["200"]["headers"]
    created = ops[("post", "/v1/pledges")]["responses"]["201"]["headers"]
    assert {"ETag", "X-Log-Position", "Location", "Idempotent-Replayed"} <= created.keys()
    imported = ops[("post", "/v1/ip-rights/import")]["responses"]["200"]["headers"]
    assert "X-Log-Position" in imported and "ETag" not in imported


def test_the_response_check_flags_a_code_the_operation_does_not_list(document):
    check = ContractCheck(document)
    body = b'{"type":"t","title":"t","status":422,"detail":"d","code":"made_up"}'
    headers = {"content-type": "application/problem+json"}
    check.check("POST", "/v1/pledges", 422, headers, body)
    check.check("GET", "/v1/pledges/abc", 200, {"content-type": "application/json"}, b"{}")
    assert len(check.violations) == 2, check.violations
