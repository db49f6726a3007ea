"""Disposals, listings and the 180-day buyback (contract §6)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from ipledge_client._base import ClientBase, segment, target
from ipledge_client._pledges import money
from ipledge_client.models import Disposal, Listing, Party

DisposalRef = Disposal | str
ListingRef = Listing | str


def party(value: Party | dict[str, str]) -> dict[str, str]:
    return value.to_json() if isinstance(value, Party) else dict(value)


class DisposalsMixin(ClientBase):
    def open_disposal(
        self,
        pledge_id: str,
        *,
        route: str,
        appraised_value: Decimal | str,
        idempotency_key: str | None = None,
    ) -> Disposal:
        body = {"pledge_id": pledge_id, "route": route, "appraised_value": money(appraised_value)}
        return self._model(
            Disposal, "POST", "/v1/disposals", json=body, idempotency_key=idempotency_key
        )

    def get_disposal(self, disposal_id: str) -> Disposal:
        return self._model(Disposal, "GET", f"/v1/disposals/{segment(disposal_id)}")

    def iter_disposals(self, *, page_size: int = 100, **filters: Any) -> Iterator[Disposal]:
        """Disposals the caller may see (``GET /v1/disposals``)."""
        for data in self._pages("/v1/disposals", filters, page_size):
            yield Disposal.from_json(data)

    def disposal_history(
        self, disposal_id: str, *, page_size: int = 100
    ) -> Iterator[dict[str, Any]]:
        yield from self._pages(f"/v1/disposals/{segment(disposal_id)}/history", {}, page_size)

    def _disposal_action(
        self, disposal: DisposalRef, action: str, body: dict[str, Any], **kwargs: Any
    ) -> Disposal:
        disposal_id, etag = target(disposal, kwargs.pop("if_match", None))
        path = f"/v1/disposals/{segment(disposal_id)}/{action}"
        return self._model(Disposal, "POST", path, json=body, if_match=etag, **kwargs)

    def conclude_disposal(
        self, disposal: DisposalRef, conclusion: dict[str, Any], **kwargs: Any
    ) -> Disposal:
        """Records a ``reverse_licence`` or ``acquisition`` (routes without a listing)."""
        return self._disposal_action(disposal, "conclusion", conclusion, **kwargs)

    def settle(
        self,
        disposal: DisposalRef,
        *,
        proceeds: Decimal | str,
        costs: Decimal | str,
        settled_on: date,
        **kwargs: Any,
    ) -> Disposal:
        body = {
            "proceeds": money(proceeds),
            "costs": money(costs),
            "settled_on": settled_on.isoformat(),
        }
        return self._disposal_action(disposal, "settlement", body, **kwargs)

    def create_listing(
        self,
        disposal_id: str,
        *,
        asking_price: Decimal | str,
        listed_on: date,
        approval_reference: str | None = None,
        idempotency_key: str | None = None,
    ) -> Listing:
        body: dict[str, Any] = {
            "disposal_id": disposal_id,
            "asking_price": money(asking_price),
            "listed_on": listed_on.isoformat(),
        }
        if approval_reference is not None:
            body["approval_reference"] = approval_reference
        return self._model(
            Listing, "POST", "/v1/listings", json=body, idempotency_key=idempotency_key
        )

    def get_listing(self, listing_id: str) -> Listing:
        return self._model(Listing, "GET", f"/v1/listings/{segment(listing_id)}")

    def iter_listings(
        self, *, status: str | None = None, page_size: int = 100, **filters: Any
    ) -> Iterator[Listing]:
        for data in self._pages("/v1/listings", {"status": status, **filters}, page_size):
            yield Listing.from_json(data)

    def listing_history(self, listing_id: str, *, page_size: int = 100) -> Iterator[dict[str, Any]]:
        yield from self._pages(f"/v1/listings/{segment(listing_id)}/history", {}, page_size)

    def _listing_action(
        self, listing: ListingRef, action: str, body: dict[str, Any], **kwargs: Any
    ) -> Listing:
        listing_id, etag = target(listing, kwargs.pop("if_match", None))
        path = f"/v1/listings/{segment(listing_id)}/{action}"
        return self._model(Listing, "POST", path, json=body, if_match=etag, **kwargs)

    def register_intention(
        self, listing: ListingRef, *, bidder: Party, registered_on: date, **kwargs: Any
    ) -> Listing:
        body = {"bidder": party(bidder), "registered_on": registered_on.isoformat()}
        return self._listing_action(listing, "intentions", body, **kwargs)

    def sell(
        self,
        listing: ListingRef,
        *,
        buyer: Party,
        price: Decimal | str,
        sold_on: date,
        **kwargs: Any,
    ) -> Listing:
        body = {"buyer": party(buyer), "price": money(price), "sold_on": sold_on.isoformat()}
        return self._listing_action(listing, "sale", body, **kwargs)

    def buy_back(
        self,
        listing: ListingRef,
        *,
        buyer: Party,
        price: Decimal | str,
        bought_on: date,
        **kwargs: Any,
    ) -> Listing:
        body = {"buyer": party(buyer), "price": money(price), "bought_on": bought_on.isoformat()}
        return self._listing_action(listing, "buyback", body, **kwargs)

    def withdraw(self, listing: ListingRef, *, reason: str, **kwargs: Any) -> Listing:
        return self._listing_action(listing, "withdrawal", {"reason": reason}, **kwargs)
