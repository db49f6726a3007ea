"""Every endpoint, as an administrator sees it (contract §10): list, read, disable, delete; and
what revoking a principal does to its endpoints (``disable_for_revoked``, called in the
revocation's own transaction)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select, update

from events.database import Database
from events.projections.queries import Page
from events.tables import principals, webhook_endpoints
from events.webhooks.endpoints import public
from kernel.errors import InvalidState, InvalidValue, NotFound

REVOKED = "its principal was revoked"
BY_ADMIN = "disabled by an administrator"
STATUSES = ("enabled", "disabled", "deleted")


def disable_for_revoked(conn: Connection, principal_id: str) -> int:
    """Disables every endpoint of a principal being revoked; returns how many."""
    e = webhook_endpoints.c
    return conn.execute(
        update(webhook_endpoints)
        .where(e.principal_id == principal_id, e.status != "deleted")
        .values(status="disabled", disabled_reason=REVOKED)
    ).rowcount


class EndpointAdmin:
    def __init__(self, db: Database) -> None:
        self.db = db

    def list(
        self,
        limit: int,
        cursor: str | None,
        principal_id: str | None = None,
        status: str | None = None,
    ) -> Page:
        """Oldest first; without a status filter, deleted endpoints are left out."""
        e = webhook_endpoints.c
        query = _viewed().where(e.status == status if status else e.status != "deleted")
        if principal_id:
            query = query.where(e.principal_id == principal_id)
        if cursor:
            created, last_id = _decode(cursor)
            query = query.where(
                or_(e.created_at > created, and_(e.created_at == created, e.id > last_id))
            )
        with self.db.read() as conn:
            rows = list(conn.execute(query.order_by(e.created_at, e.id).limit(limit + 1)))
        more = len(rows) > limit
        rows = rows[:limit]
        return Page([admin_view(r) for r in rows], _encode(rows[-1]) if more else None)

    def get(self, endpoint_id: str) -> dict[str, Any]:
        with self.db.read() as conn:
            row = conn.execute(_viewed().where(webhook_endpoints.c.id == endpoint_id)).first()
        if row is None:
            raise NotFound(f"webhook endpoint {endpoint_id} not found")
        return admin_view(row)

    def disable(self, endpoint_id: str, reason: str | None) -> dict[str, Any]:
        """Stops deliveries at once (an already disabled endpoint keeps its reason); queued
        events wait, as for any disabled endpoint."""
        detail = f"{BY_ADMIN}: {reason}" if reason else BY_ADMIN
        self._change(endpoint_id, "enabled", status="disabled", disabled_reason=detail)
        return self.get(endpoint_id)

    def delete(self, endpoint_id: str) -> None:
        self._change(endpoint_id, None, status="deleted")

    def _change(self, endpoint_id: str, only_from: str | None, **values: Any) -> None:
        e = webhook_endpoints.c
        with self.db.write() as conn:
            row = conn.execute(select(e.status).where(e.id == endpoint_id)).first()
            if row is None:
                raise NotFound(f"webhook endpoint {endpoint_id} not found")
            if row.status == "deleted":
                raise InvalidState(f"webhook endpoint {endpoint_id} is deleted")
            if only_from is None or row.status == only_from:
                conn.execute(
                    update(webhook_endpoints)
                    .where(e.id == endpoint_id, e.status == row.status)
                    .values(**values)
                )


def _viewed() -> Any:
    e, p = webhook_endpoints.c, principals.c
    return select(webhook_endpoints, p.revoked_at.label("principal_revoked_at")).outerjoin(
        principals, p.id == e.principal_id
    )


def admin_view(row: Any) -> dict[str, Any]:
    return {
        **public(row),
        "principal_id": row.principal_id,
        "role": row.role,
        "institution_id": row.institution_id,
        "principal_revoked": row.principal_revoked_at is not None,
    }


def _encode(row: Any) -> str:
    after = [_utc(row.created_at).isoformat(), row.id]
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, last_id = json.loads(base64.urlsafe_b64decode(padded))["after"]
        return datetime.fromisoformat(created).astimezone(UTC), str(last_id)
    except (ValueError, KeyError, TypeError):
        raise InvalidValue("cursor is not one this API issued", field="cursor") from None


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
