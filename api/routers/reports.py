"""Quarterly supervision reports and banks' NPL submissions (contract §9)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from api.deps import Bank, ContainerDep, MinPosition, Regulator
from api.errors import ApiError
from api.npl_store import NplStore, NplSubmission
from api.report_csv import CSV_MEDIA_TYPE, prefers_csv, report_csv
from api.responses import written
from api.schemas.common import Identifier, Ratio, SingleLine, Strict, chars
from api.schemas.public_audit import NplSubmissionPublic, QuarterlyReportPublic
from events.projections.report_queries import MAX_YEAR, MIN_YEAR, Quarter, quarterly_report

router = APIRouter(tags=["reports"])
Year = Annotated[int, Query(ge=MIN_YEAR, le=MAX_YEAR)]
QuarterNumber = Annotated[int, Query(ge=1, le=4)]
Period = Annotated[
    SingleLine, chars(7, pattern=r"^\d{4}-Q[1-4]$"), Path(description="e.g. 2026-Q1")
]
InstitutionId = Annotated[Identifier, Path()]


class NplSubmissionPut(Strict):
    overall_npl_ratio: Ratio


@router.get(
    "/v1/reports/quarterly",
    summary="Quarterly supervision report: facts by IP kind and bank, NPL tolerance per bank",
    response_model=QuarterlyReportPublic,
    responses={
        200: {
            "description": "The report as JSON, or as CSV with `Accept: text/csv`",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def quarterly(
    request: Request,
    _principal: Regulator,
    container: ContainerDep,
    year: Year,
    quarter: QuarterNumber,
    _caught_up: Annotated[None, MinPosition("reports")] = None,
) -> Response:
    """Counts and amounts of registrations, releases, defaults, disposals, sales and buybacks
    dated in the quarter, in total, by IP kind and by bank, and per bank its IP-pledge NPL
    ratio at the quarter's end against its reported overall ratio. `Accept: text/csv` gives
    the same figures as CSV, one row per (section, key, measure)."""
    period = Quarter(year, quarter)
    period.check_begun(container.clock.today(), "quarter")
    report = quarterly_report(container.db, period)
    if not prefers_csv(request.headers.get("accept")):
        return JSONResponse(report)
    return Response(
        report_csv(report),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="ipledge-{period.label}.csv"'},
    )


@router.put(
    "/v1/banks/{institution_id}/npl/{period}",
    summary="A bank's overall NPL ratio for a quarter (201 first time, 200 when replaced)",
    response_model=NplSubmissionPublic,
)
def submit_npl(
    institution_id: InstitutionId,
    period: Period,
    body: NplSubmissionPut,
    principal: Bank,
    container: ContainerDep,
) -> JSONResponse:
    if institution_id != principal.institution_id:
        raise ApiError(403, "forbidden", "a bank submits only its own institution's NPL ratio")
    quarter = Quarter.parse(period)
    quarter.check_begun(container.clock.today(), "period")
    submission = NplSubmission(
        institution_id,
        quarter,
        f"{body.overall_npl_ratio:f}",
        principal.id,
        container.clock.now(),
    )
    created = NplStore(container.db).submit(submission)
    return written(container, submission.body(), 0, status=201 if created else 200)
