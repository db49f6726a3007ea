"""Secrets as files (compose secrets, Kubernetes): a setting not in the environment is read from
the file of its name in the secrets directory, stripped of its newline; the environment wins."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from api.settings import from_environment

SEED = base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("IPLEDGE_DATABASE_URL", "IPLEDGE_SIGNING_KEY", "IPLEDGE_ADMIN_KEY"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "ipledge_database_url").write_text("postgresql://app:s3cret@db:5432/ipledge\n")
    (tmp_path / "ipledge_signing_key").write_text(SEED + "\n")
    return tmp_path


def test_settings_not_in_the_environment_come_from_secret_files(secrets):
    settings = from_environment(secrets)

    assert settings.database_url == "postgresql://app:s3cret@db:5432/ipledge"
    assert settings.signing_key == SEED
    assert settings.admin_key is None


def test_the_environment_wins_over_a_secret_file(secrets, monkeypatch):
    monkeypatch.setenv("IPLEDGE_DATABASE_URL", "sqlite:///./other.db")

    assert from_environment(secrets).database_url == "sqlite:///./other.db"


def test_without_a_secrets_directory_only_the_environment_counts(tmp_path, monkeypatch):
    monkeypatch.delenv("IPLEDGE_DATABASE_URL", raising=False)

    settings = from_environment(tmp_path / "absent")

    assert settings.database_url == "sqlite:///./data/ipledge.db"


def test_a_secret_files_value_stays_out_of_the_settings_repr(secrets):
    assert "s3cret" not in repr(from_environment(secrets))
