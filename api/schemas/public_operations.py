"""Response models of principals, webhooks, the feed, the manual clock and the health checks
(contract §2, §7, §10, §11)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.schemas.public_common import EventPublic, InstantOut, PagePublic, Position, Public

Role = Literal[
    "admin",
    "ip_office",
    "bank",
    "trading_centre",
    "disposal_platform",
    "compensation_fund",
    "regulator",
    "partner",
]


class PrincipalPublic(Public):
    id: str
    name: str
    role: Role
    institution_id: str
    created_at: InstantOut
    revoked: bool


class PrincipalCreatedPublic(PrincipalPublic):
    api_key: str = Field(description="shown only in this response; stored only as a hash")


class PrincipalPagePublic(PagePublic[PrincipalPublic]):
    """A page of Principal items."""


class WebhookEndpointPublic(Public):
    id: str
    url: str
    event_types: list[str] = Field(description='dotted event types, or ["*"] for all')
    description: str | None
    status: Literal["enabled", "disabled", "deleted"]
    disabled_reason: str | None
    consecutive_failures: int = Field(ge=0)
    created_at: InstantOut
    rotating_until: InstantOut | None = Field(description="until then the old secret also signs")


class WebhookEndpointSecretPublic(WebhookEndpointPublic):
    secret: str = Field(
        pattern="^whsec_", description="whsec_<base64>: shown only in this response"
    )


class WebhookEndpointPagePublic(PagePublic[WebhookEndpointPublic]):
    """A page of WebhookEndpoint items."""


class WebhookEndpointAdminPublic(WebhookEndpointPublic):
    """An endpoint as administrators see it: with its owner."""

    principal_id: str
    role: str
    institution_id: str
    principal_revoked: bool


class WebhookEndpointAdminPagePublic(PagePublic[WebhookEndpointAdminPublic]):
    """A page of WebhookEndpointAdmin items."""


class ReplayPublic(Public):
    endpoint_id: str
    from_position: int = Field(ge=1)
    queued: int = Field(ge=0, description="deliveries queued")


class AttemptPublic(Public):
    attempt: int = Field(ge=1)
    sent_at: InstantOut
    webhook_timestamp: int = Field(description="the webhook-timestamp header sent (unix seconds)")
    duration_ms: int
    status_code: int | None
    error: str | None


class DeliveryPublic(Public):
    id: int
    position: Position
    event_id: str
    event_type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int = Field(ge=0)
    next_attempt_at: InstantOut | None
    delivered_at: InstantOut | None
    replay: bool
    attempt_history: list[AttemptPublic]


class DeliveryPagePublic(PagePublic[DeliveryPublic]):
    """A page of Delivery items."""


class FeedPublic(Public):
    items: list[EventPublic]
    next_after: Position = Field(description="pass as ?after= to resume")


class ClockPublic(Public):
    now: InstantOut
    today: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description="CST date")


class ClockMovedPublic(ClockPublic):
    fired: list[str] = Field(description="event types recorded by the timers that came due")


class HealthPublic(Public):
    status: Literal["ok"]


class ReadyPublic(Public):
    status: Literal["ready"]
    log_position: Position
    projections: Position = Field(description="the lowest read model's position")
    read_models: dict[str, int]
