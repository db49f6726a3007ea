"""The results file of `ipledge pledges file`: one outcome per input row, CSV or JSON Lines
(by the file's suffix). Outcomes are appended as they happen, so a crash loses none; at the
end the file is rewritten with the last outcome of every row, in input order. A rerun reads
it to skip what is already done."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

FIELDS = (
    "row",
    "contract_number",
    "outcome",
    "pledge_id",
    "registration_number",
    "codes",
    "detail",
)
# registered / refused: the service recorded a pledge. invalid: the row never left (layout) or
# was refused as input (422, nothing recorded). failed: any other problem; rerun to retry.
OUTCOMES = ("registered", "refused", "invalid", "failed")
DONE = ("registered", "refused")


@dataclass
class Outcome:
    row: int
    contract_number: str
    outcome: str
    pledge_id: str = ""
    registration_number: str = ""
    codes: list[str] = field(default_factory=list)
    detail: str = ""
    reasons: list[dict[str, Any]] = field(default_factory=list)  # refusals or field errors

    @property
    def key(self) -> str:
        return self.contract_number or f"#{self.row}"

    def csv_record(self) -> dict[str, str]:
        record = {k: str(v) for k, v in asdict(self).items() if k in FIELDS}
        record["codes"] = ";".join(self.codes)
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Outcome:
        codes = record.get("codes") or []
        return cls(
            row=int(record["row"]),
            contract_number=str(record.get("contract_number") or ""),
            outcome=str(record["outcome"]),
            pledge_id=str(record.get("pledge_id") or ""),
            registration_number=str(record.get("registration_number") or ""),
            codes=codes.split(";") if isinstance(codes, str) and codes else list(codes),
            detail=str(record.get("detail") or ""),
            reasons=list(record.get("reasons") or []),
        )


def is_jsonl(path: Path) -> bool:
    return path.suffix.lower() in (".jsonl", ".ndjson")


def load_results(path: Path) -> dict[str, Outcome]:
    """The last outcome recorded for each row (by contract number), or nothing if no file."""
    if not path.exists():
        return {}
    found: dict[str, Outcome] = {}
    with path.open(newline="", encoding="utf-8") as source:
        records = (
            (json.loads(line) for line in source if line.strip())
            if is_jsonl(path)
            else csv.DictReader(source)
        )
        for record in records:
            outcome = Outcome.from_record(record)
            earlier = found.get(outcome.key)
            if earlier and earlier.row != outcome.row and earlier.outcome in DONE:
                continue  # a later duplicate row of the same contract does not undo it
            found[outcome.key] = outcome
    return found


class ResultsWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.jsonl = is_jsonl(path)
        fresh = not path.exists() or path.stat().st_size == 0
        self._file: IO[str] = path.open("a", newline="", encoding="utf-8")
        self._csv = None if self.jsonl else csv.DictWriter(self._file, FIELDS)
        if self._csv is not None and fresh:
            self._csv.writeheader()

    def _write(self, target: IO[str], outcome: Outcome, writer: csv.DictWriter | None) -> None:
        if writer is None:
            target.write(json.dumps(asdict(outcome), ensure_ascii=False) + "\n")
        else:
            writer.writerow(outcome.csv_record())

    def append(self, outcome: Outcome) -> None:
        self._write(self._file, outcome, self._csv)
        self._file.flush()

    def finish(self, outcomes: list[Outcome]) -> None:
        """Replaces the appended log with one line per row, in row order (atomically)."""
        self._file.close()
        temporary = self.path.with_name(self.path.name + ".tmp")
        with temporary.open("w", newline="", encoding="utf-8") as target:
            writer = None if self.jsonl else csv.DictWriter(target, FIELDS)
            if writer is not None:
                writer.writeheader()
            for outcome in sorted(outcomes, key=lambda o: o.row):
                self._write(target, outcome, writer)
        os.replace(temporary, self.path)

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()
