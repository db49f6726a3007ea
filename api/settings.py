"""The only place that reads the environment (IPLEDGE_*), read once at start-up."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from events.webhooks.addresses import IPNetwork, parse_networks

# Where Docker Compose, Swarm and Kubernetes mount secrets as files.
SECRETS_DIR = Path("/run/secrets")


class Settings(BaseSettings):
    # Secrets (the database password, keys) stay out of reprs and validation errors.
    model_config = SettingsConfigDict(
        env_prefix="IPLEDGE_", extra="ignore", hide_input_in_errors=True
    )

    database_url: str = Field(default="sqlite:///./data/ipledge.db", repr=False)
    admin_key: str | None = Field(default=None, repr=False)
    clock: Literal["system", "manual"] = "system"
    # Where a manual clock starts when the database has no saved time yet.
    clock_start: datetime = datetime.fromisoformat("2026-01-05T09:00:00+08:00")
    env: str = "development"
    signing_key: str | None = Field(default=None, repr=False)
    # Any webhook target, loopback and private included: tests only, refused in production.
    webhook_allow_private: bool = False
    # Networks an operator opens to webhooks (a bank's receivers on a private network), as
    # comma-separated CIDRs; loopback, link-local, unspecified and multicast stay closed.
    webhook_allowed_networks: Annotated[tuple[IPNetwork, ...], NoDecode] = ()
    # How long a dispatcher holds a delivery it is sending: far beyond the 15 s deadline of an
    # attempt, so that only a dead dispatcher's lease ever lapses.
    webhook_lease_seconds: Annotated[float, Field(gt=0)] = 60.0
    run_worker: bool = True
    worker_poll_seconds: float = 0.5
    log_level: str = "INFO"
    # JSON lines for collectors, a concise text line for a terminal; auto: text on a TTY.
    log_format: Literal["auto", "json", "text"] = "auto"
    # How long a process trusts a live API key without asking the database again: revoking
    # elsewhere (another server, the CLI) takes effect within this; 0 asks on every request.
    # Connections each pool of this process keeps to PostgreSQL (it may open twice as many
    # more under load); a process has two pools (docs/scaling.md).
    db_pool_size: Annotated[int, Field(ge=1, le=100)] = 10
    auth_cache_seconds: Annotated[float, Field(ge=0, le=60)] = 1.0
    # Public search: requests per minute per client address, and the burst allowed.
    search_rate_per_minute: int = 60
    search_burst: int = 20
    # Request bodies (bytes): a JSON body, and the JSON Lines import (read line by line).
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_import_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    # Where `ipledge demo` keeps the API keys it printed (keys are stored hashed otherwise).
    demo_keys_file: str = "./data/demo-keys.json"

    @field_validator("clock_start")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("IPLEDGE_CLOCK_START needs an offset, e.g. +08:00")
        return value

    @field_validator("webhook_allowed_networks", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        try:
            return parse_networks(value)
        except ValueError as e:
            raise ValueError(f"IPLEDGE_WEBHOOK_ALLOWED_NETWORKS: {e}") from None

    @model_validator(mode="after")
    def _no_test_switches_in_production(self) -> Settings:
        if self.env != "production":
            return self
        if self.clock == "manual":
            raise ValueError("IPLEDGE_CLOCK=manual is refused when IPLEDGE_ENV=production")
        if self.webhook_allow_private:
            raise ValueError(
                "IPLEDGE_WEBHOOK_ALLOW_PRIVATE is for tests and refused when IPLEDGE_ENV="
                "production; list the networks to open in IPLEDGE_WEBHOOK_ALLOWED_NETWORKS"
            )
        return self


def from_environment(secrets_dir: Path = SECRETS_DIR) -> Settings:
    """IPLEDGE_* variables; a variable that is not set may come from the file of its name (lower
    case, e.g. ``ipledge_database_url``) in ``secrets_dir``, so secrets need not be in the
    environment (docs/operations.md)."""
    # pydantic-settings takes ``_secrets_dir`` at run time; its signature does not declare it.
    secrets = secrets_dir if secrets_dir.is_dir() else None
    return Settings(_secrets_dir=secrets)  # type: ignore[call-arg]
