"""The regulator's pages (ip_office reads them too): a dashboard of charts, any record's
timeline with an as-of control, the quarterly report with its CSV, and the audit panel."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.console.caller import Api
from api.console.charts import bar_chart
from api.console.i18n import translator
from api.console.web import ConsoleSession, api_for, language, render, signed_in

router = APIRouter(prefix="/console/regulator", include_in_schema=False)
Reader = Annotated[ConsoleSession, Depends(signed_in("regulator", "ip_office"))]
MONTHLY = {  # chart title -> the event types it counts
    "Registrations": ("pledge.registered",),
    "Defaults": ("pledge.defaulted",),
    "Disposals": ("disposal.opened",),
    "Buybacks": ("buyback.completed",),
}
MEASURES = ("registration", "default", "disposal", "buyback")
RECORDS = {"pledge": "/v1/pledges", "listing": "/v1/listings", "disposal": "/v1/disposals"}
CST = "+08:00"
FEED_PAGES = 40


def today(request: Request) -> date:
    return request.app.state.container.clock.today()


async def monthly_counts(api: Api) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {title: Counter() for title in MONTHLY}
    after = 0
    for _ in range(FEED_PAGES):
        answer = await api.get("/v1/feed", after=after, limit=500)
        if not answer.ok or not answer.body["items"]:
            break
        for event in answer.body["items"]:
            month = cst_month(event["occurred_at"])
            for title, types in MONTHLY.items():
                if event["type"] in types:
                    counts[title][month] += 1
        after = answer.body["next_after"]
    return counts


def cst_month(instant: str) -> str:
    moment = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    return (moment + timedelta(hours=8)).strftime("%Y-%m")


def quarters_since(first_month: str | None, on: date, most: int = 12) -> list[tuple[int, int]]:
    """The quarters from the one holding ``first_month`` (YYYY-MM) to today's, at most ``most``."""
    if first_month is None:
        return recent_quarters(on, 1)
    year, month = int(first_month[:4]), int(first_month[5:7])
    span = (on.year - year) * 4 + ((on.month - 1) // 3) - ((month - 1) // 3) + 1
    return recent_quarters(on, max(1, min(span, most)))


def recent_quarters(on: date, how_many: int = 4) -> list[tuple[int, int]]:
    year, quarter = on.year, (on.month - 1) // 3 + 1
    quarters = []
    for _ in range(how_many):
        quarters.append((year, quarter))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return quarters


async def facts_by(api: Api, quarters: list[tuple[int, int]]) -> tuple[dict, dict]:
    """Counts by IP kind and by bank over ``quarters``, from the quarterly reports."""
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    by_bank: dict[str, Counter[str]] = defaultdict(Counter)
    for year, quarter in quarters:
        answer = await api.get("/v1/reports/quarterly", year=year, quarter=quarter)
        if not answer.ok:
            continue
        for row in answer.body["by_kind"]:
            for m in MEASURES:
                by_kind[m][row["kind"]] += row["facts"][m]["count"]
        for row in answer.body["by_bank"]:
            for m in MEASURES:
                by_bank[m][row["bank"]] += row["facts"][m]["count"]
    return by_kind, by_bank


@router.get("")
async def dashboard(request: Request, session: Reader) -> Response:
    api, t = api_for(request, session), translator(language(request))
    months = await monthly_counts(api)
    first = min((m for c in months.values() for m in c), default=None)
    by_kind, by_bank = await facts_by(api, quarters_since(first, today(request)))
    charts = [bar_chart(t(title), sorted(c.items())) for title, c in months.items()]
    kind_charts = [
        bar_chart(f"{t(m)} · {t('by IP kind')}", [(t(k), v) for k, v in sorted(by_kind[m].items())])
        for m in MEASURES
    ]
    bank_charts = [
        bar_chart(f"{t(m)} · {t('by bank')}", sorted(by_bank[m].items())) for m in MEASURES
    ]
    return render(
        request,
        "regulator_dashboard.html",
        session,
        title="Dashboard",
        charts=charts,
        kind_charts=kind_charts,
        bank_charts=bank_charts,
    )


@router.get("/records")
async def records(
    request: Request, session: Reader, kind: str = "pledge", id: str = "", as_of: str = ""
) -> Response:
    api = api_for(request, session)
    if not id or kind not in RECORDS:
        recent = await api.get("/v1/pledges", limit=20)
        return render(
            request,
            "regulator_records.html",
            session,
            title="Records",
            recent=recent.body["items"] if recent.ok else [],
            record=None,
        )
    instant = as_of_instant(as_of)
    current = await api.get(f"{RECORDS[kind]}/{id}")
    state = await api.get(f"{RECORDS[kind]}/{id}", as_of=instant) if instant else current
    history = await api.get(f"{RECORDS[kind]}/{id}/history", limit=500)
    problem = state.problem or current.problem
    return render(
        request,
        "regulator_records.html",
        session,
        title="Records",
        status=404 if current.status == 404 else state.status,
        kind=kind,
        id=id,
        as_of=as_of,
        record=state.body if state.ok else None,
        problem=problem,
        events=history.body.get("items", []) if history.ok else [],
        recent=[],
    )


def as_of_instant(value: str) -> str | None:
    """A datetime-local value (China Standard Time) or an RFC 3339 instant, as RFC 3339."""
    value = value.strip()
    if not value:
        return None
    if value.endswith("Z") or "+" in value[10:]:
        return value
    return (value + ":00" if len(value) == 16 else value) + CST


@router.get("/report")
async def report(request: Request, session: Reader, year: int = 0, quarter: int = 0) -> Response:
    if not year or not quarter:
        year, quarter = recent_quarters(today(request), 2)[1]  # the last whole quarter
    answer = await api_for(request, session).get(
        "/v1/reports/quarterly", year=year, quarter=quarter
    )
    t = translator(language(request))
    data = answer.body if answer.ok else None
    charts = []
    if data:
        charts = [
            bar_chart(
                f"{t(m)} · {t('by bank')}",
                [(r["bank"], r["facts"][m]["count"]) for r in data["by_bank"]],
            )
            for m in ("registration", "default")
        ]
    return render(
        request,
        "regulator_report.html",
        session,
        title="Quarterly report",
        status=answer.status,
        year=year,
        quarter=quarter,
        report=data,
        problem=answer.problem,
        charts=charts,
        years=range(today(request).year - 3, today(request).year + 1),
    )


@router.get("/report.csv")
async def report_csv(request: Request, session: Reader, year: int, quarter: int) -> Response:
    answer = await api_for(request, session).call(
        "GET",
        "/v1/reports/quarterly",
        params={"year": year, "quarter": quarter},
        headers={"Accept": "text/csv"},
    )
    disposition = answer.headers.get("content-disposition", "attachment")
    media = answer.headers.get("content-type", "text/csv")
    body = answer.body if isinstance(answer.body, str) else str(answer.body)
    return Response(
        body,
        status_code=answer.status,
        media_type=media,
        headers={"Content-Disposition": disposition},
    )


@router.get("/audit")
async def audit(request: Request, session: Reader) -> Response:
    answer = await api_for(request, session).get("/v1/audit/checkpoint")
    checkpoint: dict[str, Any] | None = answer.body if answer.ok else None
    return render(
        request,
        "regulator_audit.html",
        session,
        title="Audit",
        checkpoint=checkpoint,
        problem=answer.problem,
    )
