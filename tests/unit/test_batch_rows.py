"""The CSV layout of `ipledge pledges file` (docs/batch-filing.md) turned into filing bodies:
values pass through as written (money stays a string); only the layout is judged here."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from api.batch_results import Outcome, ResultsWriter, load_results
from api.batch_rows import csv_rows, filing_from_columns, jsonl_rows, pairs

ROW = {
    "contract_number": "WHB-1",
    "pledgor_name": "Wuhan Battery Co., Ltd.",
    "pledgor_credit_code": "91420100MA4K00001X",
    "principal": "5000000.00",
    "start_date": "2026-01-15",
    "maturity_date": "2028-01-14",
    "secured_amount": "5000000.00",
    "items": "invention_patent:202310123456.6; trademark:12345678",
    "valuation_amount": "8000000.00",
    "valuation_method": "appraisal",
    "appraiser": "Zhongxin",
}


def test_a_row_becomes_the_filing_body_with_money_and_dates_as_written():
    body = filing_from_columns(ROW)
    assert body["items"] == [
        {"kind": "invention_patent", "number": "202310123456.6"},
        {"kind": "trademark", "number": "12345678"},
    ]
    assert body["loan"]["principal"] == "5000000.00" and body["secured_amount"] == "5000000.00"
    assert body["valuation"] == {
        "amount": "8000000.00",
        "method": "appraisal",
        "appraiser": "Zhongxin",
    }
    assert "debtor" not in body and "risk_compensation" not in body


def test_optional_groups_are_sent_only_when_given_whole():
    body = filing_from_columns(
        {
            **ROW,
            "risk_fund_id": "HB-RCF",
            "risk_share": "0.40",
            "co_owner_consents": "91420100MA4K00002X:consent:17",
        }
    )
    assert body["risk_compensation"] == {"fund_id": "HB-RCF", "share": "0.40"}
    assert body["co_owner_consents"] == [
        {"credit_code": "91420100MA4K00002X", "reference": "consent:17"}
    ]
    with pytest.raises(ValueError, match="debtor_name and debtor_credit_code"):
        filing_from_columns({**ROW, "debtor_name": "Someone"})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"items": "invention_patent"}, "is not kind:number"),
        ({"items": " ; "}, "none given"),
        ({"secured_amount": ""}, "missing secured_amount"),
    ],
)
def test_a_row_with_a_broken_layout_is_refused_before_sending(change, message):
    with pytest.raises(ValueError, match=message):
        filing_from_columns({**ROW, **change})


def test_pairs_split_at_the_first_colon_only():
    assert pairs("copyright:2019-A:0001", "items", "kind", "number") == [
        {"kind": "copyright", "number": "2019-A:0001"}
    ]


def test_a_csv_names_bad_rows_and_refuses_unknown_columns(tmp_path: Path):
    loans = tmp_path / "loans.csv"
    with loans.open("w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target)
        writer.writerow(ROW.keys())
        writer.writerow(ROW.values())
        writer.writerow([*ROW.values(), "an extra value"])
    first, second = list(csv_rows(loans))
    assert first.body is not None and first.errors == []
    assert second.body is None and "more values than columns" in second.errors[0]
    loans.write_text("contract_number,colour\nWHB-1,red\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown columns colour"):
        list(csv_rows(loans))
    loans.write_text("contract_number,items\nWHB-1,trademark:1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="the header lacks pledgor_name, pledgor_credit_code"):
        list(csv_rows(loans))


def test_jsonl_lines_are_bodies_identified_by_their_contract_number(tmp_path: Path):
    loans = tmp_path / "loans.jsonl"
    loans.write_text('{"loan": {"contract_number": "C-1"}}\n\n{"loan": {}}\nnope\n')
    rows = list(jsonl_rows(loans))
    assert [(r.number, r.contract_number, bool(r.errors)) for r in rows] == [
        (1, "C-1", False),
        (3, "", True),
        (4, "", True),
    ]


@pytest.mark.parametrize("name", ["results.csv", "results.jsonl"])
def test_the_results_file_keeps_one_last_outcome_per_row_and_reads_back(tmp_path: Path, name):
    path = tmp_path / name
    writer = ResultsWriter(path)
    failed = Outcome(1, "C-1", "failed", codes=["rate_limited"], detail="slow down")
    done = Outcome(1, "C-1", "registered", pledge_id="p", registration_number="Y2026")
    refused = Outcome(2, "C-2", "refused", codes=["ip_unknown", "ip_in_dispute"])
    for outcome in (failed, done, refused):
        writer.append(outcome)
    assert load_results(path)["C-1"].outcome == "registered"  # the appended log reads back
    writer.finish([done, refused])
    again = load_results(path)
    assert again["C-1"].registration_number == "Y2026"
    assert again["C-2"].codes == ["ip_unknown", "ip_in_dispute"]
    assert len(path.read_text().strip().splitlines()) == (3 if name.endswith(".csv") else 2)
