"""Webhook deliveries verified with the `standardwebhooks` library (contract §10)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

__all__ = ["WebhookVerificationError", "verify_webhook"]


def verify_webhook(
    secret: str | list[str], headers: Mapping[str, str], body: bytes | str
) -> dict[str, Any]:
    """The delivery's JSON (``{"type", "timestamp", "data": <§8 envelope>}``) if its
    ``webhook-signature`` holds for ``secret`` and its ``webhook-timestamp`` is within five
    minutes; raises ``WebhookVerificationError`` otherwise. During a secret rotation pass both
    secrets (new first): a delivery signed by either one is accepted.

    Deduplicate on the ``webhook-id`` header: retries of one event carry the same id."""
    secrets = [secret] if isinstance(secret, str) else list(secret)
    payload = body.decode() if isinstance(body, bytes) else body
    lowered = {k.lower(): v for k, v in headers.items()}
    last_error: WebhookVerificationError | None = None
    for candidate in secrets:
        try:
            result: dict[str, Any] = Webhook(candidate).verify(payload, lowered)
            return result
        except WebhookVerificationError as e:
            last_error = e
    raise last_error or WebhookVerificationError("no secret given")
