"""One database URL configures both the event store and the SQL read models.

PostgreSQL URLs are parsed by libpq itself (through psycopg), so every form libpq accepts works:
percent-encoded credentials, IPv6 hosts (``[::1]``), several hosts (``h1:5432,h2:5433``), a
unix-socket directory (``?host=/var/run/postgresql``) and every connection parameter (``sslmode``,
``sslrootcert``, ``application_name``, ``options``, ``target_session_attrs``, ...). Both
connections, SQLAlchemy's and the event store's, are opened from the same parameters. The one
parameter that is ours, ``schema``, is taken out before libpq sees the URL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal
from urllib.parse import unquote

from psycopg import ProgrammingError
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from sqlalchemy import URL, make_url

POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
SQLITE_SCHEMES = ("sqlite", "sqlite+pysqlite")
# Quoted into search_path and used as an identifier by the event store: keep it plain.
SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
MASK = "***"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class DatabaseConfig:
    """Parsed ``IPLEDGE_DATABASE_URL``.

    ``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db`` selects the embedded
    store; ``postgresql://user:pass@host:port/db?sslmode=...`` selects PostgreSQL. An optional
    ``schema`` query parameter (PostgreSQL only) keeps every table in that schema, which lets test
    runs share one database without seeing each other.
    """

    url: str  # the URL with any password masked: safe to log
    dialect: Literal["sqlite", "postgresql"]
    sqlite_path: Path | None = None
    schema: str = "public"
    # libpq keywords (password included), as libpq parsed them from the URL.
    connect_params: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, hash=False
    )

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @classmethod
    def parse(cls, url: str) -> DatabaseConfig:
        scheme, sep, rest = url.partition("://")
        if not sep:
            raise ValueError(
                "IPLEDGE_DATABASE_URL needs a scheme: sqlite:///./data/ipledge.db or "
                "postgresql://user:password@host:5432/dbname"
            )
        if scheme in SQLITE_SCHEMES:
            return cls._sqlite(url)
        if scheme in POSTGRES_SCHEMES:
            return cls._postgres(url, rest)
        raise ValueError(f"unsupported database URL scheme {scheme!r} (use sqlite or postgresql)")

    @classmethod
    def _sqlite(cls, url: str) -> DatabaseConfig:
        parsed = make_url(url)
        if parsed.query:
            raise ValueError("a sqlite database URL takes no query parameters")
        if not parsed.database or parsed.host:
            raise ValueError("sqlite URL needs a file path: sqlite:///./data/ipledge.db")
        if parsed.database == ":memory:":
            # Each connection would get its own empty database.
            raise ValueError("the read models and the event store need a SQLite file, not :memory:")
        return cls(url=url, dialect="sqlite", sqlite_path=Path(parsed.database))

    @classmethod
    def _postgres(cls, url: str, rest: str) -> DatabaseConfig:
        location, _, query = rest.partition("?")
        kept, schema = _take_schema(query)
        if not SCHEMA_NAME.fullmatch(schema):
            raise ValueError("the schema parameter must be a plain identifier (letters, digits, _)")
        libpq_uri = f"postgresql://{location}" + (f"?{kept}" if kept else "")
        try:
            params = conninfo_to_dict(libpq_uri)
        except ProgrammingError as e:
            # libpq quotes parts of the URL in its messages; never echo the credentials.
            reason = _scrub(str(e).strip(), url)
            raise ValueError(
                f"IPLEDGE_DATABASE_URL is not a valid PostgreSQL URL: {reason}"
            ) from None
        return cls(
            url=masked(url),
            dialect="postgresql",
            schema=schema,
            connect_params=MappingProxyType({k: str(v) for k, v in params.items()}),
        )

    def production_warnings(self) -> list[str]:
        """What an operator should hear about when IPLEDGE_ENV=production (warned, not refused:
        a single-machine SQLite deployment or a private network may be a deliberate choice)."""
        if self.is_sqlite:
            return ["the SQLite store serves one machine only; use PostgreSQL in production"]
        hosts = [h for h in self.connect_params.get("host", "").split(",") if h]
        remote = [h for h in hosts if not h.startswith("/") and h not in LOCAL_HOSTS]
        sslmode = self.connect_params.get("sslmode", "prefer")
        if remote and sslmode not in ("verify-full", "verify-ca"):
            return [
                f"the database connection to {', '.join(remote)} does not verify the server's "
                f"certificate (sslmode={sslmode}); add ?sslmode=verify-full to the URL"
            ]
        return []

    def sqlalchemy_url(self) -> URL:
        if self.is_sqlite:  # built, not formatted: the path is already decoded
            return URL.create("sqlite", database=str(self.sqlite_path))
        return URL.create("postgresql+psycopg")  # the rest goes in sqlalchemy_connect_args()

    def sqlalchemy_connect_args(self) -> dict[str, str]:
        """psycopg keywords for SQLAlchemy: the URL's parameters, with the schema first on the
        search path (after any ``options`` the URL gave)."""
        search_path = f'-csearch_path="{self.schema}"'
        options = " ".join(filter(None, [self.connect_params.get("options"), search_path]))
        return {**self.connect_params, "options": options}

    def eventsourcing_env(self) -> dict[str, str]:
        if self.is_sqlite:
            assert self.sqlite_path is not None
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": "30",
                "APPLICATION_RECORDER_TOPIC": (
                    "events.sqlite_recorder:GroupedSQLiteApplicationRecorder"
                ),
            }
        params = self.connect_params
        return {
            "PERSISTENCE_MODULE": "events.postgres_factory:LibpqPostgresFactory",
            "POSTGRES_CONNINFO": make_conninfo(**params),
            # The library insists on these five; the conninfo above is what it connects with.
            "POSTGRES_DBNAME": params.get("dbname", ""),
            "POSTGRES_HOST": params.get("host", ""),
            "POSTGRES_PORT": params.get("port", ""),
            "POSTGRES_USER": params.get("user", ""),
            "POSTGRES_PASSWORD": params.get("password", ""),
            "POSTGRES_SCHEMA": self.schema,
            "POSTGRES_POOL_SIZE": "10",
            "POSTGRES_MAX_OVERFLOW": "20",
            "POSTGRES_LOCK_TIMEOUT": "10",
            "APPLICATION_RECORDER_TOPIC": "events.gapless:GaplessPostgresApplicationRecorder",
        }


def _take_schema(query: str) -> tuple[str, str]:
    """Splits our ``schema`` parameter off the query, leaving the rest byte for byte (libpq
    decodes it, and treats ``+`` literally, unlike form decoding)."""
    kept, schema = [], "public"
    for item in filter(None, query.split("&")):
        key, _, value = item.partition("=")
        if unquote(key) == "schema":
            schema = unquote(value)
        else:
            kept.append(item)
    return "&".join(kept), schema


def _secrets(url: str) -> list[str]:
    """The raw (still encoded) password text of a URL: in the user info and in the query."""
    head, _, query = url.partition("?")
    userinfo, at, _hosts = head.partition("://")[2].rpartition("@")
    found = [userinfo.partition(":")[2]] if at else []
    found += [item[len("password=") :] for item in query.split("&") if item.startswith("password=")]
    return [s for s in found if s]


def masked(url: str) -> str:
    """The URL with its password (user info or ``password=`` parameter) replaced by ***."""
    for secret in _secrets(url):
        url = url.replace(f":{secret}@", f":{MASK}@").replace(
            f"password={secret}", f"password={MASK}"
        )
    return url


def _scrub(message: str, url: str) -> str:
    secrets = _secrets(url)

    def hide(quoted: re.Match[str]) -> str:
        text = quoted.group(1)
        leaks = any(text in s or s in text for s in secrets)
        return f'"{MASK}"' if leaks else quoted.group(0)

    return re.sub(r'"([^"]*)"', hide, message)
