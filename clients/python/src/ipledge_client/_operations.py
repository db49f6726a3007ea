"""Audit (contract §8), webhooks and the feed (§10), the manual clock (§7), administration (§2)
and health (§11)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ipledge_client._base import ClientBase, segment

Json = dict[str, Any]


class OperationsMixin(ClientBase):
    # --- audit -------------------------------------------------------------------------------
    def iter_audit_log(self, *, after: int = 0, page_size: int = 500) -> Iterator[Json]:
        """The global log in order from position ``after`` + 1 (regulator)."""
        yield from self._positions("/v1/audit/log", {}, after, page_size)

    def checkpoint(self) -> Json:
        result: Json = self._json("GET", "/v1/audit/checkpoint")
        return result

    def public_key(self) -> Json:
        result: Json = self._json("GET", "/v1/audit/public-key")
        return result

    def inclusion_proof(self, position: int, tree_size: int) -> Json:
        params = {"position": position, "tree_size": tree_size}
        result: Json = self._json("GET", "/v1/audit/proofs/inclusion", params=params)
        return result

    def consistency_proof(self, first: int, second: int) -> Json:
        params = {"first": first, "second": second}
        result: Json = self._json("GET", "/v1/audit/proofs/consistency", params=params)
        return result

    # --- webhooks and the feed ---------------------------------------------------------------
    def create_webhook_endpoint(
        self,
        url: str,
        event_types: list[str],
        *,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> Json:
        """Registers an endpoint; the answer's ``secret`` (``whsec_...``) is shown only here:
        keep it for ``verify_webhook``."""
        body: Json = {"url": url, "event_types": event_types}
        if description is not None:
            body["description"] = description
        result: Json = self._json(
            "POST", "/v1/webhook-endpoints", json=body, idempotency_key=idempotency_key
        )
        return result

    def iter_webhook_endpoints(self, *, page_size: int = 100) -> Iterator[Json]:
        yield from self._pages("/v1/webhook-endpoints", {}, page_size)

    def get_webhook_endpoint(self, endpoint_id: str) -> Json:
        result: Json = self._json("GET", f"/v1/webhook-endpoints/{segment(endpoint_id)}")
        return result

    def delete_webhook_endpoint(self, endpoint_id: str) -> None:
        self._call("DELETE", f"/v1/webhook-endpoints/{segment(endpoint_id)}")

    def _endpoint_action(self, endpoint_id: str, action: str, body: Json | None = None) -> Json:
        path = f"/v1/webhook-endpoints/{segment(endpoint_id)}/{action}"
        result: Json = self._json("POST", path, json=body)
        return result

    def rotate_webhook_secret(self, endpoint_id: str) -> Json:
        return self._endpoint_action(endpoint_id, "rotate-secret")

    def enable_webhook_endpoint(self, endpoint_id: str) -> Json:
        return self._endpoint_action(endpoint_id, "enable")

    def replay_webhook_endpoint(self, endpoint_id: str, from_position: int) -> Json:
        return self._endpoint_action(endpoint_id, "replay", {"from_position": from_position})

    def iter_deliveries(self, endpoint_id: str, *, page_size: int = 100) -> Iterator[Json]:
        """Deliveries to the endpoint, newest first, each with every attempt."""
        path = f"/v1/webhook-endpoints/{segment(endpoint_id)}/deliveries"
        yield from self._pages(path, {}, page_size)

    def feed(self, *, after: int = 0, limit: int = 100, wait: float = 0) -> Json:
        """One page of the pull feed: ``{"items", "next_after"}``; long-polls up to ``wait`` s.
        Resume from ``next_after``."""
        params = {"after": after, "limit": limit, "wait": wait}
        result: Json = self._json("GET", "/v1/feed", params=params)
        return result

    # --- the manual clock --------------------------------------------------------------------
    def get_clock(self) -> Json:
        result: Json = self._json("GET", "/v1/_clock")
        return result

    def move_clock(self, *, advance_days: int | None = None, now: datetime | None = None) -> Json:
        body: Json = {"advance_days": advance_days} if now is None else {"now": now.isoformat()}
        result: Json = self._json("POST", "/v1/_clock", json=body)
        return result

    # --- administration ----------------------------------------------------------------------
    def create_principal(self, name: str, role: str, institution_id: str) -> Json:
        """A new principal; its ``api_key`` is in the answer, shown only this once."""
        body = {"name": name, "role": role, "institution_id": institution_id}
        result: Json = self._json("POST", "/v1/admin/principals", json=body)
        return result

    def iter_principals(self, *, page_size: int = 100) -> Iterator[Json]:
        yield from self._pages("/v1/admin/principals", {}, page_size)

    def revoke_principal(self, principal_id: str) -> Json:
        result: Json = self._json("DELETE", f"/v1/admin/principals/{segment(principal_id)}")
        return result

    def iter_all_webhook_endpoints(self, *, page_size: int = 100, **filters: Any) -> Iterator[Json]:
        """Every principal's endpoints (admin); filters ``principal_id``, ``status``."""
        yield from self._pages("/v1/admin/webhook-endpoints", filters, page_size)

    def admin_get_webhook_endpoint(self, endpoint_id: str) -> Json:
        result: Json = self._json("GET", f"/v1/admin/webhook-endpoints/{segment(endpoint_id)}")
        return result

    def admin_disable_webhook_endpoint(self, endpoint_id: str, reason: str | None = None) -> Json:
        path = f"/v1/admin/webhook-endpoints/{segment(endpoint_id)}/disable"
        result: Json = self._json("POST", path, json={"reason": reason} if reason else None)
        return result

    def admin_delete_webhook_endpoint(self, endpoint_id: str) -> None:
        self._call("DELETE", f"/v1/admin/webhook-endpoints/{segment(endpoint_id)}")

    # --- health ------------------------------------------------------------------------------
    def healthz(self) -> Json:
        result: Json = self._json("GET", "/healthz")
        return result

    def readyz(self) -> Json:
        result: Json = self._json("GET", "/readyz")
        return result
