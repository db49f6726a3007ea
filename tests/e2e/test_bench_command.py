"""`ipledge bench --quick` runs end to end (tiny sizes) and prints every figure of issue 12
beside its baseline and ratio. A benchmark, not a test: nothing here asserts a timing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.server import ROOT

pytestmark = pytest.mark.e2e

FIGURES = (
    "filings_per_s",
    "filing_p50_ms",
    "filing_p99_ms",
    "baseline_save_per_s",
    "filing_ratio",
    "import_rights_per_s",
    "baseline_bulk_per_s",
    "import_ratio",
    "rebuild_events_per_s",
    "baseline_replay_per_s",
    "rebuild_ratio",
    "visible_p99_ms",
    "visible_poll_p50_ms",
    "get_pledge_per_s",
    "get_pledge_p99_ms",
    "healthz_per_s",
    "get_pledge_ratio",
    "startup_s",
)


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_bench_quick_prints_every_figure_with_its_baseline(store: str) -> None:
    ipledge = Path(sys.executable).parent / "ipledge"
    tiny = ["--rights", "80", "--filings", "16", "--startup-events", "50,100"]
    out = subprocess.run(
        [str(ipledge), "bench", "--store", store, "--quick", *tiny, "--get-seconds", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    figures = json.loads(out.stdout)
    missing = [key for key in FIGURES if not isinstance(figures.get(key), int | float)]
    assert missing == []
    assert figures["filing_outcomes"] == {"registered": 16}  # every filing examined and kept
    assert figures["rebuild_events"] > 80 + 3 * 16  # the rebuild replayed the whole log
    assert set(figures["scaling"]) == {"50", "100"}
    assert figures["store"] == store
