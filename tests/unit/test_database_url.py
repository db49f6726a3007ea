"""IPLEDGE_DATABASE_URL: every form and parameter libpq accepts reaches both connections intact,
and the password never shows in a repr, a display URL or an error message."""

from __future__ import annotations

from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from events.database_url import DatabaseConfig

POSTGRES_URLS = [
    (
        "postgresql://app:p%40ss%2Fw@db.internal/ipledge?sslmode=verify-full",
        {"user": "app", "password": "p@ss/w", "host": "db.internal", "dbname": "ipledge",
         "sslmode": "verify-full"},
    ),
    (
        "postgresql+psycopg://app:pw@db:6432/ipledge?sslmode=verify-ca&sslrootcert=%2Fetc%2Fca.pem"
        "&sslcert=/etc/c.pem&sslkey=/etc/c.key&connect_timeout=5&target_session_attrs=read-write",
        {"user": "app", "password": "pw", "host": "db", "port": "6432", "dbname": "ipledge",
         "sslmode": "verify-ca", "sslrootcert": "/etc/ca.pem", "sslcert": "/etc/c.pem",
         "sslkey": "/etc/c.key", "connect_timeout": "5", "target_session_attrs": "read-write"},
    ),
    (
        "postgres://app@[::1]:5433/ipledge",
        {"user": "app", "host": "::1", "port": "5433", "dbname": "ipledge"},
    ),
    (
        "postgresql://app@/ipledge?host=/var/run/postgresql",
        {"user": "app", "host": "/var/run/postgresql", "dbname": "ipledge"},
    ),
    (
        "postgresql://app@h1:5432,h2:5433/ipledge?target_session_attrs=primary",
        {"user": "app", "host": "h1,h2", "port": "5432,5433", "dbname": "ipledge",
         "target_session_attrs": "primary"},
    ),
    (
        # libpq takes "+" literally in a URI (it is not form encoding).
        "postgresql://app@db/ipledge?application_name=ipledge+api&options=-c%20statement_timeout%3D5s",
        {"user": "app", "host": "db", "dbname": "ipledge", "application_name": "ipledge+api",
         "options": "-c statement_timeout=5s"},
    ),
    ("postgresql:///ipledge", {"dbname": "ipledge"}),
]  # fmt: skip


@pytest.mark.parametrize(("url", "params"), POSTGRES_URLS)
def test_every_libpq_parameter_of_the_url_is_kept(url: str, params: dict[str, str]):
    config = DatabaseConfig.parse(url)

    assert config.dialect == "postgresql"
    assert dict(config.connect_params) == params
    assert conninfo_to_dict(config.eventsourcing_env()["POSTGRES_CONNINFO"]) == params
    assert {k: v for k, v in config.sqlalchemy_connect_args().items() if k != "options"} == {
        k: v for k, v in params.items() if k != "options"
    }


def test_the_schema_parameter_is_ours_and_leaves_the_others_alone():
    config = DatabaseConfig.parse(
        "postgresql://app@db/ipledge?sslmode=require&schema=t_1&options=-c%20work_mem%3D8MB"
    )

    assert config.schema == "t_1"
    assert "schema" not in config.connect_params
    assert config.connect_params["sslmode"] == "require"
    assert config.eventsourcing_env()["POSTGRES_SCHEMA"] == "t_1"
    assert config.sqlalchemy_connect_args()["options"] == '-c work_mem=8MB -csearch_path="t_1"'


def test_a_schema_that_is_not_a_plain_identifier_is_refused():
    with pytest.raises(ValueError, match="schema"):
        DatabaseConfig.parse("postgresql://app@db/ipledge?schema=a%22b")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:s3cr%40t@db/ipledge?sslmode=require",
        "postgresql://app@db/ipledge?password=s3cr%40t",
    ],
)
def test_the_password_is_masked_wherever_the_config_is_shown(url: str):
    config = DatabaseConfig.parse(url)

    assert config.connect_params["password"] == "s3cr@t"
    for shown in (config.url, repr(config), str(config)):
        assert "s3cr" not in shown
    assert "***" in config.url


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:s3cr%zzt@db/ipledge",  # bad percent-encoding inside the password
        "postgresql://app:s3cret@[::1/ipledge",  # libpq quotes the whole URI back
        "postgresql://app:s3cret@db/ipledge?sslmod=require",  # unknown parameter
    ],
)
def test_an_invalid_url_is_refused_without_echoing_the_password(url: str):
    with pytest.raises(ValueError) as raised:
        DatabaseConfig.parse(url)

    assert "s3cr" not in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_an_unknown_parameter_is_named_in_the_error():
    with pytest.raises(ValueError, match="sslmod"):
        DatabaseConfig.parse("postgresql://app@db/ipledge?sslmod=require")


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///./data/ipledge.db", Path("data/ipledge.db")),
        ("sqlite:////var/lib/ipledge/ipledge.db", Path("/var/lib/ipledge/ipledge.db")),
        ("sqlite:///my%20data/ipledge.db", Path("my data/ipledge.db")),
    ],
)
def test_a_sqlite_url_names_the_database_file(url: str, path: Path):
    config = DatabaseConfig.parse(url)

    assert config.is_sqlite and config.sqlite_path == path


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///",
        "sqlite:///:memory:",
        "sqlite:///x.db?mode=ro",
        "mysql://a@b/c",
        "app:pw@db/ipledge",
    ],
)
def test_an_unusable_url_is_refused(url: str):
    with pytest.raises(ValueError):
        DatabaseConfig.parse(url)


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("sqlite:///./data/ipledge.db", True),
        ("postgresql://app@db.internal/ipledge", True),
        ("postgresql://app@db.internal/ipledge?sslmode=require", True),
        ("postgresql://app@db.internal/ipledge?sslmode=verify-full", False),
        ("postgresql://app@127.0.0.1/ipledge", False),
        ("postgresql://app@/ipledge?host=/var/run/postgresql", False),
    ],
)
def test_production_warns_about_sqlite_and_unverified_remote_connections(url: str, warned: bool):
    assert bool(DatabaseConfig.parse(url).production_warnings()) is warned
