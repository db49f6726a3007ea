"""What every `ipledge` command shares: settings read once (a bad value is named, exit 2), logs
configured, and the store opened with a clear error instead of a traceback.

Exit codes: 0 done; 1 the thing asked for does not exist or did not hold (a principal, an audit
check); 2 the command cannot run (configuration, an unreachable or unmigrated store, refused)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import typer
from pydantic import ValidationError

from api.logs import configure_logging
from api.settings import Settings, from_environment

if TYPE_CHECKING:
    from api.bootstrap import Container

NOT_FOUND = 1
CANNOT_RUN = 2


def fail(message: str, code: int = CANNOT_RUN) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def load_settings() -> Settings:
    try:
        settings = from_environment()
    except ValidationError as e:  # a bad IPLEDGE_* value: say which, without a traceback
        for error in e.errors():
            message = error["msg"].removeprefix("Value error, ")
            if error["loc"] and not message.startswith("IPLEDGE_"):
                message = f"IPLEDGE_{str(error['loc'][0]).upper()}: {message}"
            typer.echo(f"configuration error: {message}", err=True)
        raise typer.Exit(CANNOT_RUN) from None
    configure_logging(settings.log_level, settings.log_format)
    return settings


@contextmanager
def opened_store(settings: Settings) -> Iterator[Container]:
    """The service's container, closed afterwards; a store that cannot be opened (unreachable,
    or never migrated) is one line on stderr and exit 2."""
    from eventsourcing.persistence import PersistenceError
    from sqlalchemy.exc import DBAPIError

    from api.bootstrap import bootstrap
    from events.contract import EventContractRefused
    from events.database_url import masked

    try:
        container = bootstrap(settings)
    except EventContractRefused as e:
        fail(f"refusing the store {masked(settings.database_url)}: {e}")
    except (DBAPIError, PersistenceError) as e:
        cause = e.orig if isinstance(e, DBAPIError) and e.orig else e
        reason = (str(cause).strip() or type(cause).__name__).splitlines()[0]
        fail(
            f"cannot open the store {masked(settings.database_url)}: {reason} "
            "(is it reachable, and migrated with `ipledge migrate`?)"
        )
    try:
        yield container
    finally:
        container.close()
