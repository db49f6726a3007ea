"""Every response the API tests receive, checked against the OpenAPI document.

The ``client`` fixture (tests/conftest.py) passes each response here: when the document lists
the response's status for its operation, the body must validate against that response's
schema (a problem's `code` must be one the operation enumerates), and the headers the
contract names (ETag, X-Log-Position, Location, Retry-After) must be documented for it.
A response with a status the operation does not list is recorded as such. What the
document does not cover (no operation at that path, 405, 431, 500) is not judged here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
import jsonschema_rs

CHECKED_HEADERS = ("etag", "x-log-position", "location", "retry-after")
OUTSIDE_OPERATIONS = {405, 431, 500}


@dataclass
class ContractCheck:
    document: dict[str, Any]
    violations: list[str] = field(default_factory=list)
    checked: int = 0
    _validators: dict[str, Any] = field(default_factory=dict)

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        for template, operations in self.document["paths"].items():
            pattern = "^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$"
            if re.match(pattern, path) and method.lower() in operations:
                return template, operations[method.lower()]
        return None

    def check(self, method: str, path: str, status: int, headers: Any, body: bytes) -> None:
        found = self.operation(method, path)
        if found is None or status in OUTSIDE_OPERATIONS:
            return
        template, operation = found
        where = f"{method} {template} -> {status}"
        response = operation["responses"].get(str(status))
        if response is None:
            self.violations.append(f"{where}: status not documented ({body[:200]!r})")
            return
        self.checked += 1
        documented = {h.lower() for h in response.get("headers", {})}
        for name in CHECKED_HEADERS:
            if name in headers and name not in documented:
                self.violations.append(f"{where}: header {name} not documented")
        self._check_body(where, response, headers.get("content-type", ""), body)

    def _check_body(self, where: str, response: dict[str, Any], media: str, body: bytes) -> None:
        media_type = media.split(";")[0].strip()
        content = response.get("content", {})
        schema = content.get(media_type, {}).get("schema")
        if schema is None:
            if body and content and media_type not in content:
                self.violations.append(f"{where}: media type {media_type} not documented")
            return
        value = json.loads(body) if media_type.endswith("json") else body.decode()
        errors = [e.message for e in self.validator(schema).iter_errors(value)]
        if errors:
            self.violations.append(f"{where}: {errors[:3]} in {body[:300]!r}")

    def validator(self, schema: dict[str, Any]) -> Any:
        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            root = {**schema, "components": self.document["components"]}
            self._validators[key] = jsonschema_rs.Draft202012Validator(root, validate_formats=True)
        return self._validators[key]

    async def on_response(self, response: httpx.Response) -> None:
        await response.aread()
        request = response.request
        self.check(
            request.method,
            request.url.path,
            response.status_code,
            response.headers,
            response.content,
        )
