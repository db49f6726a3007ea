"""The role guides (docs/guides/*.md) as pages under `/guides`, rendered by markdown-it-py with
nothing loaded from elsewhere. They are served when the service runs from a checkout of the
repository, which holds them (an installed wheel or the container image does not); `/` lists
them only then."""

from __future__ import annotations

import re
from functools import cache
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.errors import ApiError

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

GUIDES_DIR = Path(__file__).resolve().parents[1] / "docs" / "guides"
# A link from one guide to another (`bank.md#2-file-the-pledge`) stays inside /guides.
SIBLING_LINK = re.compile(r'href="([a-z-]+)\.md(#[^"]*)?"')
# Other files of the repository are not served: such a link keeps its text only.
REPOSITORY_LINK = re.compile(r'<a href="\.\./[^"]*">(.*?)</a>', re.DOTALL)
NAME = re.compile(r"^[a-z-]{1,40}$")

router = APIRouter(include_in_schema=False)


def available() -> dict[str, str]:
    """Each guide's name and title (its first heading), in name order."""
    if not GUIDES_DIR.is_dir():
        return {}
    return {path.stem: _title(path) for path in sorted(GUIDES_DIR.glob("*.md"))}


def _title(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    return first.lstrip("# ").strip()


@router.get("/guides")
def guides_index() -> HTMLResponse:
    items = "\n".join(
        f'<li><a href="/guides/{escape(name)}">{escape(title)}</a></li>'
        for name, title in available().items()
    )
    return _page("Guides", f"<h1>Guides</h1>\n<ul>\n{items}\n</ul>")


@router.get("/guides/{name}")
def guide(name: str) -> HTMLResponse:
    if not NAME.match(name) or name not in available():
        raise ApiError(404, "not_found", f"no guide named {name!r}")
    html = _markdown().render((GUIDES_DIR / f"{name}.md").read_text(encoding="utf-8"))
    html = REPOSITORY_LINK.sub(r"\1", SIBLING_LINK.sub(r'href="/guides/\1\2"', html))
    return _page(available()[name], html)


@cache
def _markdown() -> MarkdownIt:
    """Built on the first guide asked for: markdown-it costs start-up time serving never needs."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(PAGE.format(title=escape(title), body=body))


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}}
pre{{background:#f6f8fa;padding:.8rem;overflow-x:auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.2rem .5rem}}</style></head>
<body><p><a href="/">ipledge</a> · <a href="/guides">guides</a></p>
{body}</body></html>
"""
