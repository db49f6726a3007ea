"""`ipledge pledges file`: files a bank's loans one by one through the API with the Python
client, recording each row's outcome so that a rerun resumes where the last run stopped.

Why a rerun never files twice: a row already registered (or refused) in the results file is
skipped; a row whose answer was lost (a crash, a cut connection) is sent again with the same
Idempotency-Key, derived from the loan contract number, and the service replays its first
outcome instead of filing again (keys are scoped per principal, i.e. per bank)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
from ipledge_client import Forbidden, IpledgeClient, Pledge, ProblemError, Unauthenticated

from api.batch_results import DONE, Outcome, ResultsWriter
from api.batch_rows import Row


class BatchAborted(Exception):
    """The run cannot go on (the key is refused, the service unreachable); rerun later."""


def idempotency_key(contract_number: str, refiling: str = "") -> str:
    """Stable per loan contract; ``refiling`` (the refused pledge being filed anew) makes a
    deliberate new filing a new key, itself stable across reruns."""
    digest = hashlib.sha256(f"{contract_number}\x1f{refiling}".encode()).hexdigest()
    return f"ipledge-pledges-file/{digest[:48]}"


def _reason_text(reason: dict[str, Any]) -> str:
    item = reason["item"]
    where = f" ({item['kind']}:{item['number']})" if item else ""
    return f"{reason['code']}{where}: {reason['detail']}"


def _filed(row: Row, pledge: Pledge) -> Outcome:
    reasons = [
        {
            "code": r.code,
            "item": r.item.to_json() if r.item else None,
            "detail": r.detail,
        }
        for r in pledge.refusal_reasons
    ]
    return Outcome(
        row.number,
        row.contract_number,
        pledge.status if pledge.status in DONE else "registered",
        pledge_id=pledge.id,
        registration_number=pledge.registration_number or "",
        codes=[r.code for r in pledge.refusal_reasons],
        detail=" | ".join(_reason_text(r) for r in reasons),
        reasons=reasons,
    )


def _problem(row: Row, problem: ProblemError) -> Outcome:
    errors = [{"field": e.field, "message": e.message} for e in problem.errors]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or problem.detail
    return Outcome(
        row.number,
        row.contract_number,
        "invalid" if problem.status == 422 else "failed",
        codes=[problem.code],
        detail=detail,
        reasons=errors,
    )


@dataclass
class BatchRun:
    client: IpledgeClient
    results: ResultsWriter
    previous: dict[str, Outcome]
    refile_refused: bool = False
    on_outcome: Callable[[Outcome | None], None] = lambda _: None  # None: a row skipped
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    def file(self, rows: Iterable[Row]) -> list[Outcome]:
        """Every row's outcome (earlier ones for the rows skipped), in row order."""
        try:
            for row in rows:
                self._one(row)
        finally:
            kept = {**self.previous, **self.outcomes}
            self.results.finish(list(kept.values()))
        return sorted(self.outcomes.values(), key=lambda o: o.row)

    def _one(self, row: Row) -> None:
        earlier = self.previous.get(row.contract_number) if row.contract_number else None
        if earlier and self._skip(earlier):
            self.outcomes[row.contract_number] = earlier
            self.on_outcome(None)
            return
        key = row.contract_number or f"#{row.number}"
        if key in self.outcomes:
            key = f"#{row.number}"
            detail = f"contract {row.contract_number} appears twice in the input"
            outcome = Outcome(
                row.number, row.contract_number, "invalid", codes=["duplicate_row"], detail=detail
            )
        else:
            outcome = self._outcome(row, earlier)
        self.outcomes[key] = outcome
        self.results.append(outcome)
        self.on_outcome(outcome)

    def _skip(self, earlier: Outcome) -> bool:
        return earlier.outcome == "registered" or (
            earlier.outcome == "refused" and not self.refile_refused
        )

    def _outcome(self, row: Row, earlier: Outcome | None) -> Outcome:
        if row.errors or row.body is None:
            detail = "; ".join(row.errors)
            return Outcome(
                row.number, row.contract_number, "invalid", codes=["bad_row"], detail=detail
            )
        refiling = earlier.pledge_id if earlier and earlier.outcome == "refused" else ""
        key = idempotency_key(row.contract_number, refiling)
        try:
            return _filed(row, self.client.file_pledge(row.body, idempotency_key=key))
        except (Unauthenticated, Forbidden) as e:
            raise BatchAborted(f"the service refused the API key: {e.detail}") from None
        except ProblemError as e:
            return _problem(row, e)
        except httpx.TransportError as e:
            raise BatchAborted(f"cannot reach the service: {e}") from None
