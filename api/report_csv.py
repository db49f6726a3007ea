"""The quarterly report as CSV (contract §9), and whether a request's Accept header asks for it.

One row per (section, key, measure), under the header
``year,quarter,section,key,measure,count,value``:

- section ``total`` (key empty), ``kind`` (key the IP kind) and ``bank`` (key the bank): one
  row per fact (registration, release, default, disposal, sale, buyback) with its count and
  amount (``value``, 2 decimals);
- section ``npl`` (key the bank): one row per NPL measure (live_secured_amount,
  defaulted_outstanding_amount, ip_pledge_npl_ratio, overall_npl_ratio, difference_pp,
  within_tolerance ``true``/``false``); ``count`` empty, ``value`` empty when null.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from events.projections.report_queries import FACTS

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
HEADER = ("year", "quarter", "section", "key", "measure", "count", "value")
NPL_MEASURES = (
    "live_secured_amount",
    "defaulted_outstanding_amount",
    "ip_pledge_npl_ratio",
    "overall_npl_ratio",
    "difference_pp",
    "within_tolerance",
)


def prefers_csv(accept: str | None) -> bool:
    """True when text/csv gets a strictly higher quality than application/json."""
    ranges = _media_ranges(accept or "")
    return _quality(ranges, "text/csv") > _quality(ranges, "application/json")


def report_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(report_rows(report))
    return out.getvalue()


def report_rows(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    head = (report["year"], report["quarter"])

    def facts(section: str, key: str, figures: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [(*head, section, key, f, figures[f]["count"], figures[f]["amount"]) for f in FACTS]

    rows = facts("total", "", report["totals"])
    for entry in report["by_kind"]:
        rows += facts("kind", entry["kind"], entry["facts"])
    for entry in report["by_bank"]:
        rows += facts("bank", entry["bank"], entry["facts"])
    for entry in report["by_bank"]:
        rows += [(*head, "npl", entry["bank"], m, "", _cell(entry[m])) for m in NPL_MEASURES]
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _media_ranges(accept: str) -> list[tuple[str, Decimal]]:
    ranges = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = Decimal(1)
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                quality = _q(value.strip())
        if media:
            ranges.append((media.lower(), quality))
    return ranges


def _q(text: str) -> Decimal:
    """A q value 0..1; anything else (NaN, 2, junk) counts as 0, not acceptable."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return Decimal(0)
    return value if value.is_finite() and 0 <= value <= 1 else Decimal(0)


def _quality(ranges: list[tuple[str, Decimal]], media: str) -> Decimal:
    """The quality of the most specific range matching ``media`` (RFC 9110 §12.5.1)."""
    kind = media.split("/")[0]
    best: tuple[int, Decimal] = (-1, Decimal(0))
    for candidate, quality in ranges:
        precedence = {media: 2, f"{kind}/*": 1, "*/*": 0}.get(candidate, -1)
        if precedence > best[0]:
            best = (precedence, quality)
    return best[1]
