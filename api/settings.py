"""The only place that reads the environment (IPLEDGE_*), read once at start-up."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IPLEDGE_", extra="ignore")

    database_url: str = "sqlite:///./data/ipledge.db"
    admin_key: str | None = None
    clock: Literal["system", "manual"] = "system"
    # Where a manual clock starts when the database has no saved time yet.
    clock_start: datetime = datetime.fromisoformat("2026-01-05T09:00:00+08:00")
    env: str = "development"
    signing_key: str | None = None
    webhook_allow_private: bool = False
    run_worker: bool = True
    worker_poll_seconds: float = 0.5
    log_level: str = "INFO"
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

    @model_validator(mode="after")
    def _no_manual_clock_in_production(self) -> Settings:
        if self.clock == "manual" and self.env == "production":
            raise ValueError("IPLEDGE_CLOCK=manual is refused when IPLEDGE_ENV=production")
        return self
