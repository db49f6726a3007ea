"""`ipledge pledges file` against a real `ipledge serve`, on both stores: a CSV with good and
bad rows files the good ones and records every outcome; a rerun files nothing twice."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest

from events.database_url import DatabaseConfig
from events.store import open_event_store
from tests.builders import party, patent_number
from tests.client.conftest import Live
from tests.e2e.server import IPLEDGE, ROOT

pytestmark = pytest.mark.e2e
HEADER = [
    "contract_number",
    "pledgor_name",
    "pledgor_credit_code",
    "principal",
    "start_date",
    "maturity_date",
    "secured_amount",
    "items",
    "valuation_amount",
    "valuation_method",
]


def row(contract: str, items: str, pledgor: int = 1, secured: str = "3000000.00") -> list[str]:
    who = party(pledgor)  # its name holds a comma: the CSV quotes it
    return [
        contract,
        who["name"],
        who["credit_code"],
        "3000000.00",
        "2026-01-05",
        "2027-12-31",
        secured,
        items,
        "6000000.00",
        "internal",
    ]


def patents(*serials: int) -> str:
    return ";".join(f"invention_patent:{patent_number(s)}" for s in serials)


def write_loans(path: Path) -> None:
    rows = [
        row("WHB-001", patents(1)),
        row("WHB-002", patents(2, 3)),
        row("WHB-003", patents(4, 98), pledgor=2),  # not the holder of 4; 98 is unknown
        row("WHB-004", patents(5), secured="lots"),  # refused as input (422)
        row("WHB-005", "invention_patent"),  # not kind:number
        row("WHB-006", patents(5)),
    ]
    with path.open("w", newline="", encoding="utf-8") as target:
        csv.writer(target).writerows([HEADER, *rows])


def file_csv(live: Live, loans: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(IPLEDGE), "pledges", "file", "--csv", str(loans), "--url", live.url],
        cwd=ROOT,
        env={"IPLEDGE_API_KEY": live.bank_key, "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )


def log_position(database_url: str) -> int:
    store = open_event_store(DatabaseConfig.parse(database_url), create_tables=False)
    try:
        return store.max_position()
    finally:
        store.close()


def outcomes(results: Path) -> dict[str, dict[str, str]]:
    with results.open(encoding="utf-8") as source:
        return {r["contract_number"]: r for r in csv.DictReader(source)}


def test_a_csv_files_its_good_rows_records_every_outcome_and_a_rerun_files_nothing_twice(
    live: Live,
    database_url: str,
    tmp_path: Path,
):
    loans = tmp_path / "loans.csv"
    write_loans(loans)
    first = file_csv(live, loans)
    assert first.returncode == 1, first.stdout + first.stderr
    results = outcomes(tmp_path / "loans.results.csv")
    assert {c: r["outcome"] for c, r in results.items()} == {
        "WHB-001": "registered",
        "WHB-002": "registered",
        "WHB-003": "refused",
        "WHB-004": "invalid",
        "WHB-005": "invalid",
        "WHB-006": "registered",
    }
    assert results["WHB-001"]["registration_number"].startswith("Y2026")
    assert sorted(results["WHB-003"]["codes"].split(";")) == ["ip_unknown", "pledgor_not_holder"]
    assert results["WHB-004"]["codes"] == "validation_error"
    assert "secured_amount" in results["WHB-004"]["detail"]
    assert "kind:number" in results["WHB-005"]["detail"]
    assert "3 registered" in first.stdout and "1 refused" in first.stdout
    position = log_position(database_url)

    second = file_csv(live, loans)
    assert second.returncode == 1, second.stdout + second.stderr
    assert "4 skipped" in second.stdout and "2 invalid" in second.stdout
    assert log_position(database_url) == position, "the rerun recorded new events"
    assert outcomes(tmp_path / "loans.results.csv") == results


def test_a_crash_between_filing_and_recording_resumes_by_replaying_not_refiling(
    live: Live,
    database_url: str,
    tmp_path: Path,
):
    """The results file lost its last lines (the process died before writing them): the rerun
    sends those rows again with the same Idempotency-Key and the service replays them."""
    loans = tmp_path / "loans.jsonl"
    bodies = [json.loads(_jsonl_body(c, s)) for c, s in (("WHB-101", 1), ("WHB-102", 2))]
    loans.write_text("\n".join(json.dumps(b) for b in bodies) + "\n", encoding="utf-8")
    first = _file_jsonl(live, loans)
    assert first.returncode == 0, first.stdout + first.stderr
    results = tmp_path / "loans.results.jsonl"
    lines = results.read_text(encoding="utf-8").splitlines()
    registered = {json.loads(x)["contract_number"]: json.loads(x) for x in lines}
    results.write_text(lines[0] + "\n", encoding="utf-8")  # WHB-102's outcome never written
    position = log_position(database_url)

    second = _file_jsonl(live, loans)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "1 registered" in second.stdout and "1 skipped" in second.stdout
    assert log_position(database_url) == position
    again = [json.loads(x) for x in results.read_text(encoding="utf-8").splitlines()]
    assert [r["pledge_id"] for r in again] == [r["pledge_id"] for r in registered.values()]


def _jsonl_body(contract: str, serial: int) -> str:
    return json.dumps(
        {
            "pledgor": party(1),
            "loan": {
                "contract_number": contract,
                "principal": "1000000.00",
                "start_date": "2026-01-05",
                "maturity_date": "2027-01-04",
            },
            "secured_amount": "1000000.00",
            "items": [{"kind": "invention_patent", "number": patent_number(serial)}],
            "valuation": {"amount": "2000000.00", "method": "internal", "appraiser": None},
        }
    )


def _file_jsonl(live: Live, loans: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(IPLEDGE), "pledges", "file", "--jsonl", str(loans)],
        cwd=ROOT,
        env={"IPLEDGE_API_KEY": live.bank_key, "IPLEDGE_URL": live.url, "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
