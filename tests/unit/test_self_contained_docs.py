"""The repository describes its own contract: the README, docs/, the CLI's help and the OpenAPI
description point only at files a clone has, and every relative link (and its #anchor) resolves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from api.main import DESCRIPTION

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
OUTSIDE = re.compile(r"SPEC\.md|shared/|\bSPEC §")
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.*)$", re.MULTILINE)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {slug(h) for h in HEADING.findall(path.read_text())}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_the_docs_cite_nothing_outside_the_repository(doc: Path) -> None:
    assert not OUTSIDE.findall(doc.read_text())


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_relative_link_in_the_docs_resolves_inside_the_repository(doc: Path) -> None:
    for target in LINK.findall(doc.read_text()):
        if re.match(r"[a-z]+:", target):
            continue  # an absolute URL (none points at a file of ours)
        file, _, anchor = target.partition("#")
        path = (doc.parent / file).resolve() if file else doc
        assert path.is_relative_to(ROOT) and path.exists(), f"{doc.name}: {target}"
        if anchor:
            assert anchor in anchors(path), f"{doc.name}: {target}"


def test_the_contract_keeps_its_eleven_numbered_sections() -> None:
    sections = re.findall(r"^## (\d+)\. ", (ROOT / "docs/contract.md").read_text(), re.M)
    assert sections == [str(n) for n in range(1, 12)]


@pytest.mark.parametrize("command", [[], ["audit"], ["principals"], ["projections"], ["serve"]])
def test_the_cli_help_cites_nothing_outside_the_repository(command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert not OUTSIDE.findall(result.output)


def test_the_openapi_description_cites_nothing_outside_the_repository() -> None:
    assert not OUTSIDE.findall(DESCRIPTION)
