"""Server-rendered SVG bar charts: no JavaScript, printable, and readable by a screen reader
(each chart is an image with a title and a description listing every value)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from itertools import count

from markupsafe import Markup

ROW = 22
LABEL_WIDTH = 110
BAR_WIDTH = 200
_ids = count(1)


def bar_chart(title: str, rows: Sequence[tuple[str, float]], unit: str = "") -> Markup:
    """Horizontal bars, one per (label, value), scaled to the largest value."""
    chart_id = f"chart-{next(_ids)}"
    top = max((value for _, value in rows), default=0) or 1
    height = max(len(rows), 1) * ROW + 8
    width = LABEL_WIDTH + BAR_WIDTH + 90
    described = "; ".join(f"{label}: {_number(value)}{unit}" for label, value in rows) or "—"
    bars = []
    for i, (label, value) in enumerate(rows):
        y = 4 + i * ROW
        length = round(BAR_WIDTH * value / top)
        bars.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="bar" x="{LABEL_WIDTH}" y="{y + 3}" width="{length}" height="{ROW - 6}"/>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 15}">'
            f"{_number(value)}{escape(unit)}</text>"
        )
    svg = (
        f'<figure class="chart"><figcaption id="{chart_id}-t">{escape(title)}</figcaption>'
        f'<svg role="img" aria-labelledby="{chart_id}-t {chart_id}-d" width="100%" '
        f'viewBox="0 0 {width} {height}">'
        f'<desc id="{chart_id}-d">{escape(described)}</desc>{"".join(bars)}</svg></figure>'
    )
    return Markup(svg)


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
