"""How the audit log shows a stored event it cannot decode (events/audit/log.py): a row whose
bytes are no longer JSON was changed behind the service's back and is shown as undecodable, by
position, for the verifier to name; a bug in decoding or rendering is logged and raised, never
passed off as a changed row (the verifier would blame tampering). Both stores."""

from __future__ import annotations

import base64
import dataclasses
import logging
from typing import Any, NoReturn

import pytest
from eventsourcing.persistence import DatetimeAsISO, MapperDeserialisationError, Notification

from api.bootstrap import Container
from events.audit import log as audit_log
from tests.factories import BANK_A
from tests.webhook_support import pledge


def a_bug(*_: Any) -> NoReturn:
    raise AttributeError("'NoneType' object has no attribute 'isoformat'")


@pytest.fixture
def stored(container: Container) -> Notification:
    pledge(container, BANK_A, 1)
    return container.store.read_log(after=0, limit=1)[0]


def test_a_stored_event_that_is_no_longer_json_is_shown_as_undecodable_by_position(
    container: Container, stored: Notification, caplog: pytest.LogCaptureFixture
) -> None:
    cut = dataclasses.replace(stored, state=stored.state[:-7])

    with caplog.at_level(logging.WARNING, logger="ipledge.audit"):
        shown = container.audit.render(cut)

    assert shown["position"] == stored.id
    assert shown["type"] is None
    assert shown["data"] == {
        "undecodable": base64.b64encode(cut.state).decode(),
        "topic": stored.topic,
    }
    assert f"stored event at position {stored.id} is not JSON" in caplog.text


def test_a_stored_event_that_is_not_utf8_is_shown_as_undecodable(
    container: Container, stored: Notification
) -> None:
    garbled = dataclasses.replace(stored, state=b"\xff" + stored.state)

    assert "undecodable" in container.audit.render(garbled)["data"]


def test_a_bug_in_decoding_is_logged_and_raised_not_shown_as_undecodable(
    container: Container,
    stored: Notification,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(DatetimeAsISO, "decode", a_bug)

    with (
        caplog.at_level(logging.ERROR, logger="ipledge.audit"),
        pytest.raises(MapperDeserialisationError),
    ):
        container.audit.render(stored)

    assert f"stored event at position {stored.id} failed to decode" in caplog.text


def test_a_bug_in_rendering_is_logged_and_raised_not_shown_as_undecodable(
    container: Container,
    stored: Notification,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(audit_log, "envelope", a_bug)

    with caplog.at_level(logging.ERROR, logger="ipledge.audit"), pytest.raises(AttributeError):
        container.audit.page(after=0, limit=10)

    assert f"stored event at position {stored.id} failed to render" in caplog.text
