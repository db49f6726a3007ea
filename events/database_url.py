"""One database URL configures both the event store and the SQL read models."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit


@dataclass(frozen=True)
class DatabaseConfig:
    """Parsed ``IPLEDGE_DATABASE_URL``.

    ``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db`` selects the embedded
    store; ``postgresql://user:pass@host:port/db`` selects PostgreSQL. An optional ``schema``
    query parameter (PostgreSQL only) keeps every table in that schema, which lets test
    runs share one database without seeing each other.
    """

    url: str
    dialect: str
    sqlite_path: Path | None = None
    host: str = ""
    port: int = 5432
    user: str = ""
    password: str = ""
    dbname: str = ""
    schema: str = "public"

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @classmethod
    def parse(cls, url: str) -> DatabaseConfig:
        parts = urlsplit(url)
        scheme = parts.scheme.split("+")[0]
        if scheme == "sqlite":
            raw = unquote(parts.path)
            if not raw or raw == "/":
                raise ValueError("sqlite URL needs a file path: sqlite:///./data/ipledge.db")
            # sqlite:///rel.db -> "/rel.db"; sqlite:////abs.db -> "//abs.db": drop one slash.
            return cls(url=url, dialect="sqlite", sqlite_path=Path(raw[1:]))
        if scheme in ("postgresql", "postgres"):
            query = dict(parse_qsl(parts.query))
            schema = query.pop("schema", "public")
            return cls(
                url=urlunsplit(parts._replace(query=urlencode(query))),
                dialect="postgresql",
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 5432,
                user=unquote(parts.username or "postgres"),
                password=unquote(parts.password or ""),
                dbname=(parts.path or "/").lstrip("/") or "postgres",
                schema=schema,
            )
        raise ValueError(f"unsupported database URL scheme {parts.scheme!r}")

    def sqlalchemy_url(self) -> str:
        if self.is_sqlite:
            return f"sqlite:///{self.sqlite_path}"
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{self.dbname}"

    def eventsourcing_env(self) -> dict[str, str]:
        if self.is_sqlite:
            assert self.sqlite_path is not None
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": "30",
            }
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            "POSTGRES_SCHEMA": self.schema,
            "POSTGRES_POOL_SIZE": "10",
            "POSTGRES_MAX_OVERFLOW": "20",
            "POSTGRES_LOCK_TIMEOUT": "10",
            "APPLICATION_RECORDER_TOPIC": "events.gapless:GaplessPostgresApplicationRecorder",
        }
