"""Runs schemathesis' engine (its CLI's phases and checks, in-process) against the app and
collects what it found: one `Finding` per failing check, with the server's own error."""

from __future__ import annotations

import dataclasses
import json
import traceback
from typing import Any

import schemathesis
from fastapi import FastAPI
from schemathesis.engine import Status, events
from schemathesis.engine.recorder import ScenarioRecorder
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.api.fuzz_plan import Plan, config
from tests.api.fuzz_seed import Seeded

# Waits the contract allows (a long-poll `wait`, a `min_position` not yet written) are capped so
# a run stays bounded; the feed and search tests cover them.
MAX_WAIT_SECONDS = 0.05


@dataclasses.dataclass(frozen=True)
class Finding:
    phase: str
    operation: str
    check: str
    status: int | None
    request: str
    response: str
    server_error: str | None

    def __str__(self) -> str:
        error = f"\n  server: {self.server_error}" if self.server_error else ""
        return (
            f"[{self.phase}] {self.operation}: {self.check} -> {self.status}\n"
            f"  {self.request}\n  response: {self.response}{error}"
        )


class ServedApp:
    """The app as a server runs it: a request whose handler raised has had its 500 problem
    sent already; the exception is kept (by schemathesis case id) for the report instead of
    reaching the client."""

    def __init__(self, app: FastAPI, seeded: Seeded) -> None:
        self.app: ASGIApp = app
        self.document = app.openapi()
        self.seeded = seeded
        self.error: str | None = None
        self.errors: dict[str, str | None] = {}
        self.requests = 0  # how many the fuzzer sent (reported by the test)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.error = None
        self.requests += 1
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            self.error = summary(exc)


# before_call exists only as a global hook: these act on requests to a ServedApp alone.
@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    if isinstance(case.operation.app, ServedApp):
        bounded_waits(case.query)


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    if isinstance(app := case.operation.app, ServedApp):
        app.errors[case.id] = app.error


def summary(exc: BaseException) -> str:
    """The exception's first line and the innermost frames of the project's own code."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/.venv/" not in f.filename]
    where = " <- ".join(
        f"{'/'.join(f.filename.rsplit('/', 2)[-2:])}:{f.lineno} {f.name}" for f in frames[:-4:-1]
    )
    message = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"{type(exc).__name__}: {message} at {where}"


def load(app: ServedApp, role: str) -> Any:
    """The app's own OpenAPI document as ``role`` (or anonymous), with its plan's operations."""
    plan = Plan.of(app.document, role)
    settings = config(plan, app.seeded, app.seeded.keys.get(role))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=settings)

    @schema.hook
    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        return not projection_lagging(failure, response)

    return schema


def bounded_waits(query: dict[str, Any] | None) -> None:
    if not query:
        return
    wait, position = query.get("wait"), query.get("min_position")
    if _is_number(wait) and 0 < wait <= 30:
        query["wait"] = MAX_WAIT_SECONDS
    if _is_number(position) and position > 1:
        query["min_position"] = 1  # written by the seed: answered at once


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def projection_lagging(failure: Any, response: Any) -> bool:
    """contract §1 allows one 5xx: `503 projection_lagging` while read models catch up."""
    if "not_a_server_error" not in type(failure).checks or response.status_code != 503:
        return False
    try:
        return response.json().get("code") == "projection_lagging"
    except ValueError:
        return False


def run(schema: Any, app: ServedApp) -> list[Finding]:
    findings: list[Finding] = []
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            findings += scenario_findings(event.phase.value, event.recorder, app.errors)
        elif isinstance(event, events.NonFatalError):
            findings.append(
                Finding(str(event.phase), event.label, "error", None, "", str(event.value), None)
            )
        elif isinstance(event, events.FatalError):
            raise event.exception
    return unique(findings)


def scenario_findings(
    phase: str, recorder: ScenarioRecorder, errors: dict[str, str | None]
) -> list[Finding]:
    return [
        finding(phase, recorder, case_id, check.name, errors.get(case_id))
        for case_id, checks in recorder.checks.items()
        for check in checks
        if check.status == Status.FAILURE
    ]


def finding(
    phase: str, recorder: ScenarioRecorder, case_id: str, check: str, error: str | None
) -> Finding:
    case = recorder.cases[case_id].value
    interaction = recorder.interactions.get(case_id)
    response = interaction.response if interaction else None
    return Finding(
        phase=phase,
        operation=case.operation.label,
        check=check,
        status=response.status_code if response else None,
        request=case.as_curl_command().replace("\n", " ")[:600],
        response=(response.content or b"")[:300].decode("utf-8", "replace") if response else "",
        server_error=error,
    )


def unique(findings: list[Finding]) -> list[Finding]:
    """One finding per operation, status and error; a 500 fails both checks, named together."""
    merged: dict[tuple[Any, ...], Finding] = {}
    for f in findings:
        key = (f.operation, f.status, f.server_error or f.response[:80])
        known = merged.get(key)
        if known is None:
            merged[key] = f
        elif f.check not in known.check.split(", "):
            merged[key] = dataclasses.replace(known, check=f"{known.check}, {f.check}")
    return list(merged.values())


@schemathesis.serializer("application/x-ndjson")
def ndjson(context: Any, value: Any) -> bytes:
    """The register import's body is JSON Lines text: sent as generated."""
    return value.encode("utf-8") if isinstance(value, str) else json.dumps(value).encode()
