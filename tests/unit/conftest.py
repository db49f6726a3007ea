from __future__ import annotations

from collections.abc import Iterator

import pytest

from registry.actors import Actor, acting_as

# Aggregates record who acted from the context the edge sets; here, one made-up principal.
UNIT_ACTOR = Actor("p-unit", "bank", "BANK-A")


@pytest.fixture(autouse=True)
def someone_acts() -> Iterator[Actor]:
    with acting_as(UNIT_ACTOR) as actor:
        yield actor
