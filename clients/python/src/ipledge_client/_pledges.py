"""Pledges (contract §4) and risk-compensation claims (§5)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ipledge_client._base import ClientBase, segment, target
from ipledge_client.models import CompensationClaim, Item, Pledge

PledgeRef = Pledge | str
ClaimRef = CompensationClaim | str


def money(value: Decimal | str | int) -> str:
    """Money goes out as a JSON string (the API refuses numbers)."""
    return str(value)


class PledgesMixin(ClientBase):
    def file_pledge(self, filing: dict[str, Any], *, idempotency_key: str | None = None) -> Pledge:
        """Files a pledge; the answer is ``registered`` or ``refused`` with every reason.
        Reuse ``idempotency_key`` (e.g. derived from the loan contract) to make retries and
        reruns safe: the server answers the first outcome again instead of filing twice."""
        return self._model(
            Pledge, "POST", "/v1/pledges", json=filing, idempotency_key=idempotency_key
        )

    def get_pledge(self, pledge_id: str, *, as_of: datetime | None = None) -> Pledge:
        """The pledge with its ``etag`` (write methods carry it into If-Match)."""
        params = {"as_of": as_of.isoformat() if as_of else None}
        return self._model(Pledge, "GET", f"/v1/pledges/{segment(pledge_id)}", params=params)

    def iter_pledges(
        self,
        *,
        status: str | None = None,
        pledgor: str | None = None,
        kind: str | None = None,
        number: str | None = None,
        min_position: int | None = None,
        page_size: int = 100,
    ) -> Iterator[Pledge]:
        """Every pledge the caller may see, following the cursor across pages."""
        params = {
            "status": status,
            "pledgor": pledgor,
            "kind": kind,
            "number": number,
            "min_position": min_position,
        }
        for data in self._pages("/v1/pledges", params, page_size):
            yield Pledge.from_json(data)

    def pledge_history(self, pledge_id: str, *, page_size: int = 100) -> Iterator[dict[str, Any]]:
        yield from self._pages(f"/v1/pledges/{segment(pledge_id)}/history", {}, page_size)

    def _pledge_action(
        self, pledge: PledgeRef, action: str, body: dict[str, Any], **kwargs: Any
    ) -> Pledge:
        pledge_id, etag = target(pledge, kwargs.pop("if_match", None))
        path = f"/v1/pledges/{segment(pledge_id)}/{action}"
        return self._model(Pledge, "POST", path, json=body, if_match=etag, **kwargs)

    def amend_pledge(
        self,
        pledge: PledgeRef,
        *,
        reason: str,
        secured_amount: Decimal | str | None = None,
        maturity_date: date | None = None,
        loan_contract_number: str | None = None,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> Pledge:
        body: dict[str, Any] = {"reason": reason}
        if secured_amount is not None:
            body["secured_amount"] = money(secured_amount)
        if maturity_date is not None:
            body["maturity_date"] = maturity_date.isoformat()
        if loan_contract_number is not None:
            body["loan_contract_number"] = loan_contract_number
        return self._pledge_action(
            pledge, "amendments", body, if_match=if_match, idempotency_key=idempotency_key
        )

    def release(
        self,
        pledge: PledgeRef,
        *,
        released_on: date,
        reason: str = "repaid",
        items: Iterable[Item] | None = None,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> Pledge:
        """Releases the pledge (or only ``items``). Given a ``Pledge`` read earlier, its ETag
        goes as If-Match: a change since then is ``VersionMismatch`` (412)."""
        body: dict[str, Any] = {"released_on": released_on.isoformat(), "reason": reason}
        if items is not None:
            body["items"] = [i.to_json() for i in items]
        return self._pledge_action(
            pledge, "release", body, if_match=if_match, idempotency_key=idempotency_key
        )

    def declare_default(
        self,
        pledge: PledgeRef,
        *,
        declared_on: date,
        outstanding_amount: Decimal | str,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> Pledge:
        body = {
            "declared_on": declared_on.isoformat(),
            "outstanding_amount": money(outstanding_amount),
        }
        return self._pledge_action(
            pledge, "default", body, if_match=if_match, idempotency_key=idempotency_key
        )

    def prepay_annuities(
        self,
        pledge: PledgeRef,
        *,
        item: Item,
        through_year: int,
        amount: Decimal | str,
        paid_on: date,
        receipt_number: str,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        pledge_id, _ = target(pledge, None)
        body = {
            "item": item.to_json(),
            "through_year": through_year,
            "amount": money(amount),
            "paid_on": paid_on.isoformat(),
            "receipt_number": receipt_number,
        }
        path = f"/v1/pledges/{segment(pledge_id)}/annuity-prepayments"
        result: dict[str, Any] = self._json(
            "POST", path, json=body, idempotency_key=idempotency_key
        )
        return result

    def claim_compensation(
        self, pledge: PledgeRef, *, idempotency_key: str | None = None
    ) -> CompensationClaim:
        pledge_id, _ = target(pledge, None)
        path = f"/v1/pledges/{segment(pledge_id)}/compensation-claims"
        return self._model(CompensationClaim, "POST", path, idempotency_key=idempotency_key)

    def get_claim(self, claim_id: str) -> CompensationClaim:
        return self._model(CompensationClaim, "GET", f"/v1/compensation-claims/{segment(claim_id)}")

    def iter_claims(self, *, page_size: int = 100, **filters: Any) -> Iterator[CompensationClaim]:
        """Claims the caller may see (``GET /v1/compensation-claims``)."""
        for data in self._pages("/v1/compensation-claims", filters, page_size):
            yield CompensationClaim.from_json(data)

    def advance_claim(
        self,
        claim: ClaimRef,
        *,
        paid_on: date,
        if_match: str | None = None,
        idempotency_key: str | None = None,
    ) -> CompensationClaim:
        claim_id, etag = target(claim, if_match)
        path = f"/v1/compensation-claims/{segment(claim_id)}/advance"
        body = {"paid_on": paid_on.isoformat()}
        return self._model(
            CompensationClaim,
            "POST",
            path,
            json=body,
            if_match=etag,
            idempotency_key=idempotency_key,
        )
