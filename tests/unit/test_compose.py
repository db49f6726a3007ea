"""compose.yaml (no Docker engine here, so it is checked as data): PostgreSQL 15 with a volume
and a health check, a one-shot `ipledge migrate` the others wait for, two API processes without
an in-process worker, one worker, production settings, and secrets only as files. Every command
and option it runs exists in the CLI, and every IPLEDGE_* name it sets is a setting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from api.cli import app
from api.home import serves
from api.main import create_app
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
IPLEDGE = {name: s for name, s in SERVICES.items() if s.get("command", [""])[0] == "ipledge"}
APIS = {name: s for name, s in IPLEDGE.items() if s["command"][1] == "serve"}


def setting(variable: str) -> str:
    assert variable.upper().startswith("IPLEDGE_"), variable
    return variable[len("IPLEDGE_") :].lower()


def test_the_deployment_has_a_database_a_migration_two_apis_and_one_worker():
    assert set(SERVICES) == {"db", "migrate", "api-1", "api-2", "worker"}
    assert [s["command"][1] for s in IPLEDGE.values()] == ["migrate", "serve", "serve", "worker"]


def test_postgres_15_keeps_its_data_in_a_volume_and_reports_health():
    db = SERVICES["db"]

    assert db["image"] == "postgres:15"
    assert db["volumes"] == ["pgdata:/var/lib/postgresql/data"] and "pgdata" in COMPOSE["volumes"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert db["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"


def test_the_migration_runs_once_the_database_is_healthy_and_everything_else_waits_for_it():
    assert SERVICES["migrate"]["restart"] == "no"
    assert SERVICES["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in ("api-1", "api-2", "worker"):
        assert SERVICES[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}
        }


@pytest.mark.parametrize("name", sorted(IPLEDGE))
def test_every_command_and_option_the_deployment_runs_exists(name: str):
    group = typer.main.get_command(app)
    subcommand, *args = IPLEDGE[name]["command"][1:]
    command = group.commands[subcommand]  # type: ignore[attr-defined]
    options = {opt for param in command.params for opt in param.opts + param.secondary_opts}
    assert {a for a in args if a.startswith("--")} <= options


@pytest.mark.parametrize("name", sorted(IPLEDGE))
def test_every_variable_and_secret_the_deployment_sets_is_a_setting(name: str):
    service = IPLEDGE[name]
    for variable in [*service["environment"], *service["secrets"]]:
        assert setting(variable) in Settings.model_fields, variable


def test_the_processes_run_in_production_with_one_separate_worker():
    for service in IPLEDGE.values():
        environment = service["environment"]
        assert environment["IPLEDGE_ENV"] == "production"
        assert environment["IPLEDGE_RUN_WORKER"] == "0"
        assert "build" in service and service["image"].startswith("ipledge:")


def test_the_deployments_settings_pass_the_production_checks(monkeypatch):
    environment = IPLEDGE["api-1"]["environment"]
    for variable, value in environment.items():
        monkeypatch.setenv(variable, "" if value.startswith("${") else value)

    settings = Settings()

    assert (settings.env, settings.run_worker, settings.log_format) == ("production", False, "json")


def test_secrets_are_files_outside_the_repository_and_never_values_in_the_file():
    for name, secret in COMPOSE["secrets"].items():
        assert secret == {"file": f"./secrets/{name}"}
    assert "secrets/" in (ROOT / ".gitignore").read_text().splitlines()
    for service in SERVICES.values():
        assert set(service.get("secrets", [])) <= set(COMPOSE["secrets"])
        for variable, value in service.get("environment", {}).items():
            secretive = any(w in variable for w in ("PASSWORD", "KEY", "SECRET", "DATABASE_URL"))
            assert not secretive or variable.endswith("_FILE"), variable
            assert "ipk_" not in str(value) and "whsec_" not in str(value)


def test_the_apis_listen_on_two_ports_and_report_readiness(container):
    assert sorted(s["ports"][0] for s in APIS.values()) == [
        "127.0.0.1:8001:8000",
        "127.0.0.1:8002:8000",
    ]
    api = create_app(container, run_worker=False)
    for service in APIS.values():
        assert "--port" in service["command"] and "8000" in service["command"]
        probe = " ".join(service["healthcheck"]["test"])
        assert "http://127.0.0.1:8000/readyz" in probe and serves(api, "/readyz")
    assert SERVICES["worker"]["healthcheck"] == {"disable": True}  # it serves no HTTP
