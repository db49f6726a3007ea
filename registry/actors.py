"""Who did it: every event records the acting principal.

The actor is set once, at the edge (the API's auth gate, the CLI, the timers), and the command
services read it from the context (``current_actor``) instead of taking it as a parameter.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

ROLES = (
    "admin",
    "ip_office",
    "bank",
    "trading_centre",
    "disposal_platform",
    "compensation_fund",
    "regulator",
    "partner",
)

# Timers and other work the service does on its own behalf.
SYSTEM_ROLE = "system"


@dataclass(frozen=True)
class Actor:
    """Who recorded an event: the principal, its role and its institution."""

    principal_id: str
    role: str
    institution_id: str

    def as_dict(self) -> dict[str, str]:
        return {
            "principal_id": self.principal_id,
            "role": self.role,
            "institution_id": self.institution_id,
        }


SYSTEM = Actor(principal_id="system", role=SYSTEM_ROLE, institution_id="ipledge")


_current_actor: ContextVar[Actor | None] = ContextVar("current_actor", default=None)


class NoActor(RuntimeError):
    """A command ran outside ``acting_as``: a wiring fault, never the caller's."""


def current_actor() -> Actor:
    """The principal the current command runs for."""
    actor = _current_actor.get()
    if actor is None:
        raise NoActor("no actor: the edge (API, CLI, timers) must run commands in acting_as()")
    return actor


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    """Commands run in this block (and in tasks and threads it starts) act for ``actor``."""
    token = _current_actor.set(actor)
    try:
        yield actor
    finally:
        _current_actor.reset(token)


def actor_of_command() -> dict[str, str]:
    """Who acts, as each event records it: every aggregate's ``Event.actor`` defaults to it."""
    return current_actor().as_dict()
