"""The IP-right register (contract §3), the public search and the regulator's reports (§9)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from ipledge_client._base import ClientBase, segment
from ipledge_client.models import ImportResult, IPRight


def _right_path(kind: str, number: str) -> str:
    return f"/v1/ip-rights/{segment(kind)}/{segment(number)}"


class RegisterMixin(ClientBase):
    def put_ip_right(
        self,
        kind: str,
        number: str,
        entry: dict[str, Any],
        *,
        idempotency_key: str | None = None,
    ) -> IPRight:
        """Creates or updates a register entry (ip_office)."""
        return self._model(
            IPRight, "PUT", _right_path(kind, number), json=entry, idempotency_key=idempotency_key
        )

    def get_ip_right(self, kind: str, number: str) -> IPRight:
        return self._model(IPRight, "GET", _right_path(kind, number))

    def ip_right_history(
        self, kind: str, number: str, *, page_size: int = 100
    ) -> Iterator[dict[str, Any]]:
        yield from self._pages(f"{_right_path(kind, number)}/history", {}, page_size)

    def annuities(self, kind: str, number: str) -> dict[str, Any]:
        result: dict[str, Any] = self._json("GET", f"{_right_path(kind, number)}/annuities")
        return result

    def import_ip_rights(
        self, entries: Iterable[dict[str, Any] | str], *, idempotency_key: str | None = None
    ) -> ImportResult:
        """Bulk import as JSON Lines (each entry with ``kind`` and ``number``; a ``str`` is
        sent as the line it is); good lines are kept, bad ones come back in ``errors`` with
        their 1-based line number."""
        lines = (e if isinstance(e, str) else json.dumps(e, ensure_ascii=False) for e in entries)
        body = "\n".join(lines).encode()
        answer = self._json(
            "POST",
            "/v1/ip-rights/import",
            content=body,
            headers={"Content-Type": "application/x-ndjson"},
            idempotency_key=idempotency_key,
        )
        return ImportResult(answer["imported"], tuple(answer["errors"]))

    def search(self, kind: str, number: str, *, min_position: int | None = None) -> dict[str, Any]:
        """The public encumbrance search with its signed certificate (no key needed)."""
        params = {"kind": kind, "number": number, "min_position": min_position}
        result: dict[str, Any] = self._json("GET", "/v1/search", params=params)
        return result

    def quarterly_report(self, year: int, quarter: int) -> dict[str, Any]:
        params = {"year": year, "quarter": quarter}
        result: dict[str, Any] = self._json("GET", "/v1/reports/quarterly", params=params)
        return result

    def quarterly_report_csv(self, year: int, quarter: int) -> str:
        params = {"year": year, "quarter": quarter}
        response = self._call(
            "GET", "/v1/reports/quarterly", params=params, headers={"Accept": "text/csv"}
        )
        return response.text

    def submit_npl(
        self,
        institution_id: str,
        year: int,
        quarter: int,
        overall_npl_ratio: Decimal | str,
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """A bank's overall NPL ratio for a quarter (its own institution only)."""
        path = f"/v1/banks/{segment(institution_id)}/npl/{year}-Q{quarter}"
        result: dict[str, Any] = self._json(
            "PUT",
            path,
            json={"overall_npl_ratio": str(overall_npl_ratio)},
            idempotency_key=idempotency_key,
        )
        return result
