"""The IP-right register (contract §3): kept by the IP office, readable by every principal."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from api.deps import AsOf, ContainerDep, CursorParam, IPOffice, Limit, PrincipalDep
from api.errors import ApiError, error_message, field_path
from api.json_lines import json_lines
from api.presenters import annuity_schedule_body, ip_right_body
from api.responses import current_resource, resource, written
from api.schemas.common import Kind, Number
from api.schemas.ip_rights import IPRightImportLine, IPRightPut
from api.schemas.public_common import EventPagePublic
from api.schemas.public_pledges import AnnuitySchedulePublic, ImportResultPublic, IPRightPublic
from events.clock import business_date
from events.history import as_of as as_of_state
from events.history import stream_history
from events.projections.queries import page_of
from registry.errors import InvalidValue, RuleViolation
from registry.ip_rights import IPRight, ip_right_id
from registry.numbers import canonical_number
from registry.register_rules import check_register_fields
from registry.service import RegisterLine

router = APIRouter(prefix="/v1/ip-rights", tags=["ip-rights"])
LINE_TOO_LONG = "a line may be as long as a JSON body (IPLEDGE_MAX_BODY_BYTES), no longer"
NumberPath = Annotated[Number, Path()]


def canonical(kind: str, number: str) -> str:
    try:
        return canonical_number(kind, number)
    except InvalidValue as e:
        raise InvalidValue(e.detail, field="number") from None


@router.put(
    "/{kind}/{number}", summary="Create or update a register entry", response_model=IPRightPublic
)
def put_ip_right(
    kind: Kind, number: NumberPath, body: IPRightPut, principal: IPOffice, container: ContainerDep
) -> JSONResponse:
    number = canonical(kind, number)
    result = container.registry.put_ip_right(kind, number, body.to_domain())
    right, created = result.value
    return written(
        container,
        ip_right_body(right, container.clock.today()),
        result.position,
        status=201 if created else 200,
        version=right.version,
        location=f"/v1/ip-rights/{kind}/{number}" if created else None,
    )


def ip_right_as_of(container: ContainerDep, kind: str, number: str, as_of: datetime) -> Response:
    right = container.registry.ip_right(kind, canonical(kind, number))
    right = as_of_state(container.store, right.id, as_of, f"{kind} {number}")
    return resource(ip_right_body(right, business_date(as_of)), right.version)


@router.get(
    "/{kind}/{number}",
    summary="A register entry with encumbrance and annuity status",
    response_model=IPRightPublic,
)
async def get_ip_right(
    kind: Kind, number: NumberPath, _: PrincipalDep, container: ContainerDep, as_of: AsOf = None
) -> Response:
    canonical_no = canonical(kind, number)
    if as_of is not None:
        return await run_in_threadpool(ip_right_as_of, container, kind, number, as_of)
    today = container.clock.today()
    current = await container.current.get(
        IPRight,
        ip_right_id(kind, canonical_no),
        lambda: container.registry.ip_right(kind, canonical_no),
        lambda right: ip_right_body(right, today),
        variant=today,  # the annuity status and next due date depend on it
    )
    return current_resource(current)


@router.get(
    "/{kind}/{number}/history",
    summary="The register entry's events (§8 envelopes)",
    response_model=EventPagePublic,
)
def ip_right_history(
    kind: Kind,
    number: NumberPath,
    _: PrincipalDep,
    container: ContainerDep,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> dict:
    right = container.registry.ip_right(kind, canonical(kind, number))
    return page_of(stream_history(container.audit, right.id), limit, cursor).body()


@router.get(
    "/{kind}/{number}/annuities",
    summary="The patent annual-fee schedule",
    response_model=AnnuitySchedulePublic,
    response_model_exclude_unset=True,
)
def get_annuities(kind: Kind, number: NumberPath, _: PrincipalDep, container: ContainerDep) -> dict:
    right = container.registry.ip_right(kind, canonical(kind, number))
    if not right.is_patent:
        raise InvalidValue(f"{kind} has no annual fees", field="kind")
    return annuity_schedule_body(right, container.clock.today())


@router.post(
    "/import",
    summary="Bulk create/update from JSON Lines; good lines kept, bad ones reported",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/x-ndjson": {
                    "schema": {
                        "type": "string",
                        "description": "one register entry (with kind and number) per line",
                    }
                }
            }
        }
    },
    response_model=ImportResultPublic,
)
async def import_ip_rights(
    request: Request, principal: IPOffice, container: ContainerDep
) -> JSONResponse:
    # Parsed as it arrives (the size cap is IPLEDGE_MAX_IMPORT_BYTES, api/request_bodies.py);
    # a line may be as long as a JSON body.
    lines = json_lines(request.stream(), container.settings.max_body_bytes)
    entries, errors = await parse_import(lines, container.clock.today())
    position = await run_in_threadpool(container.registry.import_ip_rights, entries)
    body = {"imported": len(entries), "errors": errors}
    return written(container, body, position)


Entry = RegisterLine


async def parse_import(
    lines: AsyncIterator[tuple[int, bytes | None]], today: date
) -> tuple[list[Entry], list[dict]]:
    """Validates each line as a PUT body is validated (same types, same register rules);
    only lines that pass are returned as entries, the others as errors. Lines end at LF only
    (never inside a JSON string at U+2028)."""
    entries: list[Entry] = []
    errors: list[dict[str, Any]] = []
    async for line_no, raw in lines:
        if raw is None:
            errors.append({"line": line_no, "code": "line_too_long", "detail": LINE_TOO_LONG})
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "malformed_body", "the import must be UTF-8 JSON Lines") from None
        if not line.strip():
            continue
        outcome = parse_line(line_no, line, today)
        if isinstance(outcome, tuple):
            entries.append(outcome)
        else:
            errors.append(outcome)
    return entries, errors


def parse_line(line_no: int, line: str, today: date) -> Entry | dict[str, Any]:
    try:
        entry = IPRightImportLine.model_validate(json.loads(line))
        number = canonical(entry.kind, entry.number)
        fields = entry.to_domain()
        check_register_fields(entry.kind, fields, today)
        return (entry.kind, number, fields)
    except (json.JSONDecodeError, RecursionError) as e:
        return {"line": line_no, "code": "malformed_json", "detail": str(e)}
    except ValidationError as e:
        detail = "; ".join(
            f"{field_path(tuple(err['loc'])) or 'line'}: {error_message(err)}" for err in e.errors()
        )
        return {"line": line_no, "code": "validation_error", "detail": detail}
    except RuleViolation as e:
        field = getattr(e, "field", "") or e.extra.get("field", "")
        return {"line": line_no, "code": e.code, "detail": f"{field}: {e.detail}"}
