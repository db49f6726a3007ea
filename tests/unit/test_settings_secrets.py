"""Settings hold the database password and keys: they never show in a repr or an error."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.settings import Settings

PASSWORD, ADMIN_KEY = "Sentinel-pw", "ipk_Sentinel-admin"
SIGNING_KEY = "U2VudGluZWwtc2lnbmluZy1rZXktMzItYnl0ZXMhIQ=="
SECRETS = {
    "database_url": f"postgresql://app:{PASSWORD}@db/ipledge",
    "admin_key": ADMIN_KEY,
    "signing_key": SIGNING_KEY,
}


def leaked(shown: str) -> list[str]:
    """Every 8-character piece of a secret that shows (errors may show a truncated input)."""
    return [
        secret[i : i + 8]
        for secret in (PASSWORD, ADMIN_KEY, SIGNING_KEY)
        for i in range(len(secret) - 7)
        if secret[i : i + 8] in shown
    ]


def test_settings_repr_shows_no_secret():
    assert leaked(repr(Settings(**SECRETS))) == []


def test_a_settings_error_shows_no_secret():
    with pytest.raises(ValidationError) as raised:
        Settings(clock="manual", env="production", **SECRETS)

    assert "manual is refused" in str(raised.value)
    assert leaked(str(raised.value)) == []
