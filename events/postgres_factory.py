"""eventsourcing's PostgreSQL persistence, connecting with every libpq parameter of the URL.

The library's datastore hands its connection pool only dbname, host, port, user and password,
so ``sslmode``, ``sslrootcert``, ``application_name``, ``options`` and the rest would be lost.
This factory gives the (not yet opened) pool the full conninfo instead.
"""

from __future__ import annotations

from eventsourcing.persistence import Environment
from eventsourcing.postgres import PostgresFactory
from psycopg.rows import dict_row


class LibpqPostgresFactory(PostgresFactory):
    POSTGRES_CONNINFO = "POSTGRES_CONNINFO"

    def __init__(self, env: Environment) -> None:
        super().__init__(env)
        conninfo = self.env.get(self.POSTGRES_CONNINFO)
        if conninfo is None:
            raise OSError(f"{self.POSTGRES_CONNINFO} is not set")
        pool = self.datastore.pool
        pool.conninfo = conninfo
        # Only what the library's own kwargs carried besides the connection parameters.
        pool.kwargs = {"row_factory": dict_row}
