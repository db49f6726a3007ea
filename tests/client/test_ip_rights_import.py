"""`ipledge ip-rights import` against a real `ipledge serve`, on both stores: good lines are
imported and bad ones reported per line; a rerun sends only what is not imported yet."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.builders import party, patent_entry, patent_number
from tests.client.conftest import Live
from tests.client.test_batch_filing import log_position
from tests.e2e.server import IPLEDGE, ROOT

pytestmark = pytest.mark.e2e


def entry(serial: int, **overrides: object) -> str:
    number = {"kind": "invention_patent", "number": patent_number(serial)}
    return json.dumps({**number, **patent_entry([party(7)], **overrides)})


def run_import(live: Live, register: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(IPLEDGE), "ip-rights", "import", "--jsonl", str(register), "--chunk-size", "2"],
        cwd=ROOT,
        env={"IPLEDGE_API_KEY": live.office_key, "IPLEDGE_URL": live.url, "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_imports_good_lines_reports_bad_ones_and_a_rerun_sends_only_what_is_left(
    live: Live,
    database_url: str,
    tmp_path: Path,
):
    register = tmp_path / "register.jsonl"
    lines = [entry(11), entry(12, status="sideways"), "{not json", entry(13), entry(14)]
    register.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first = run_import(live, register)
    assert first.returncode == 1, first.stdout + first.stderr
    results = tmp_path / "register.results.jsonl"
    outcomes = [json.loads(x) for x in results.read_text(encoding="utf-8").splitlines()]
    assert [(o["line"], o["outcome"]) for o in outcomes] == [
        (1, "imported"),
        (2, "error"),
        (3, "error"),
        (4, "imported"),
        (5, "imported"),
    ]
    assert outcomes[1]["code"] == "validation_error" and outcomes[0]["kind"] == "invention_patent"
    assert "3 imported (3 now)" in first.stdout
    position = log_position(database_url)

    lines[1] = entry(12)  # the office fixes line 2
    register.write_text("\n".join(lines) + "\n", encoding="utf-8")
    second = run_import(live, register)
    assert second.returncode == 1, second.stdout + second.stderr
    assert "4 imported (1 now)" in second.stdout
    assert log_position(database_url) == position + 1  # line 2 alone was sent and recorded
