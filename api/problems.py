"""RFC 9457 problem documents: the one error shape of the API."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse

PROBLEM_JSON = "application/problem+json"
TITLES = {
    400: "Bad Request",
    401: "Unauthenticated",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    414: "URI Too Long",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


MEMBERS = ("type", "title", "status", "detail", "code")


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON

    def render(self, content: Any) -> bytes:
        # A detail may echo input, and JSON input may carry a lone surrogate ("\ud800"),
        # which UTF-8 cannot encode: then the body escapes it (\uXXXX) instead of failing.
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, allow_nan=False, separators=(",", ":")).encode("ascii")


def problem(
    status: int, code: str, detail: str, /, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """``extra`` members never replace the standard ones: a clashing name (an InvalidState's
    ``status`` of the resource) is reported as ``current_<name>``."""
    return problem_with(status, code, detail, extra, headers)


def problem_with(
    status: int,
    code: str,
    detail: str,
    extra: Mapping[str, object],
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """``problem`` with the extra members as a mapping (an error's own ``extra``): none of
    them can be taken for the response's ``headers``."""
    body: dict[str, Any] = {
        "type": f"https://ipledge.cn/problems/{code.replace('_', '-')}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update(
        {f"current_{k}" if k in MEMBERS else k: v for k, v in extra.items() if v is not None}
    )
    return ProblemResponse(body, status_code=status, headers=headers)
