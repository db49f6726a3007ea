"""Webhook settings read at start-up (api/settings.py): the operator's allowed networks, the
tests-only private switch refused in production, the lease; a bad value stops `ipledge` with a
clear message instead of a traceback."""

from __future__ import annotations

from datetime import timedelta
from ipaddress import ip_network

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from api.cli import app
from api.settings import Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in (
        "IPLEDGE_ENV",
        "IPLEDGE_CLOCK",
        "IPLEDGE_WEBHOOK_ALLOW_PRIVATE",
        "IPLEDGE_WEBHOOK_ALLOWED_NETWORKS",
        "IPLEDGE_WEBHOOK_LEASE_SECONDS",
    ):
        monkeypatch.delenv(name, raising=False)


def test_allowed_networks_are_read_from_comma_separated_cidrs(monkeypatch):
    monkeypatch.setenv("IPLEDGE_WEBHOOK_ALLOWED_NETWORKS", "10.20.0.0/16, fd00:1::/64")

    assert Settings().webhook_allowed_networks == (
        ip_network("10.20.0.0/16"),
        ip_network("fd00:1::/64"),
    )


def test_no_network_is_allowed_by_default():
    assert Settings().webhook_allowed_networks == ()


def test_allowed_networks_are_usable_in_production(monkeypatch):
    monkeypatch.setenv("IPLEDGE_ENV", "production")
    monkeypatch.setenv("IPLEDGE_WEBHOOK_ALLOWED_NETWORKS", "10.20.0.0/16")

    assert Settings().webhook_allowed_networks == (ip_network("10.20.0.0/16"),)


@pytest.mark.parametrize("value", ["10.20.0.0/33", "10.20.0.1/16", "bank-net", "10.20.0.0/16;"])
def test_a_malformed_allowed_network_is_refused_at_start_up(monkeypatch, value):
    monkeypatch.setenv("IPLEDGE_WEBHOOK_ALLOWED_NETWORKS", value)

    with pytest.raises(ValidationError, match="IPLEDGE_WEBHOOK_ALLOWED_NETWORKS"):
        Settings()


def test_the_private_switch_is_refused_in_production(monkeypatch):
    monkeypatch.setenv("IPLEDGE_ENV", "production")
    monkeypatch.setenv("IPLEDGE_WEBHOOK_ALLOW_PRIVATE", "1")

    with pytest.raises(ValidationError, match="IPLEDGE_WEBHOOK_ALLOW_PRIVATE is for tests"):
        Settings()


def test_the_private_switch_works_outside_production(monkeypatch):
    monkeypatch.setenv("IPLEDGE_WEBHOOK_ALLOW_PRIVATE", "1")

    assert Settings().webhook_allow_private is True


def test_the_lease_defaults_to_a_minute_and_must_be_positive(monkeypatch):
    assert timedelta(seconds=Settings().webhook_lease_seconds) == timedelta(minutes=1)
    monkeypatch.setenv("IPLEDGE_WEBHOOK_LEASE_SECONDS", "0")

    with pytest.raises(ValidationError):
        Settings()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"IPLEDGE_WEBHOOK_ALLOWED_NETWORKS": "10.0.0.0/33"},
            "configuration error: IPLEDGE_WEBHOOK_ALLOWED_NETWORKS: '10.0.0.0/33' is not a "
            "network in CIDR form",
        ),
        (
            {"IPLEDGE_ENV": "production", "IPLEDGE_WEBHOOK_ALLOW_PRIVATE": "1"},
            "configuration error: IPLEDGE_WEBHOOK_ALLOW_PRIVATE is for tests",
        ),
        (
            {"IPLEDGE_WEBHOOK_LEASE_SECONDS": "-1"},
            "configuration error: IPLEDGE_WEBHOOK_LEASE_SECONDS: Input should be greater than 0",
        ),
    ],
)
def test_ipledge_stops_at_start_up_naming_the_bad_setting(env, message):
    result = CliRunner().invoke(app, ["migrate"], env=env)

    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
