"""Logs read well on a terminal and stay JSON when shipped: IPLEDGE_LOG_FORMAT=auto picks text
only when the stream is a terminal; JSON lines keep exactly the fields collectors parse."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from api.cli import app
from api.logs import configure_logging, request_id
from api.settings import Settings


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def emit(stream: io.StringIO, log_format: str = "auto", **extra: object) -> str:
    configure_logging("INFO", log_format, stream)  # type: ignore[arg-type]
    logging.getLogger("ipledge.timers").info("timer fired", extra=extra)
    return stream.getvalue()


def test_auto_logs_json_lines_when_the_stream_is_not_a_terminal():
    line = emit(io.StringIO(), events=["annuity.due_soon"])

    entry = json.loads(line)
    assert list(entry) == ["ts", "level", "logger", "msg", "events"]
    assert (entry["level"], entry["logger"], entry["msg"]) == (
        "info",
        "ipledge.timers",
        "timer fired",
    )
    assert entry["events"] == ["annuity.due_soon"]


def test_auto_logs_one_concise_text_line_on_a_terminal():
    line = emit(Terminal(), timer="listing:1:no_taker")

    assert line.count("\n") == 1
    assert line.split()[1:5] == ["INFO", "ipledge.timers", "timer", "fired"]
    assert line.rstrip().endswith("timer=listing:1:no_taker")
    assert "{" not in line


def test_json_is_kept_on_a_terminal_when_asked_for():
    assert json.loads(emit(Terminal(), "json"))["msg"] == "timer fired"


def test_text_is_written_to_a_pipe_when_asked_for():
    assert "INFO    ipledge.timers  timer fired" in emit(io.StringIO(), "text")


def test_a_request_reads_as_method_path_status_and_duration_with_its_request_id():
    stream = Terminal()
    configure_logging("INFO", "auto", stream)
    token = request_id.set("0123456789abcdef")
    try:
        logging.getLogger("ipledge.http").info(
            "request", extra={"method": "GET", "path": "/docs", "status": 200, "duration_ms": 3.1}
        )
    finally:
        request_id.reset(token)

    assert (
        stream.getvalue().split(None, 3)[3].strip() == "GET /docs 200 3.1 ms  request_id=01234567"
    )


def test_a_text_line_carries_the_traceback_of_an_error():
    stream = Terminal()
    configure_logging("INFO", "text", stream)
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("ipledge").exception("unhandled error")

    assert "unhandled error" in stream.getvalue() and "ValueError: boom" in stream.getvalue()


def test_an_unknown_log_format_is_refused_naming_the_variable(tmp_path):
    with pytest.raises(ValidationError):
        Settings(log_format="xml")  # type: ignore[arg-type]
    env = {"IPLEDGE_LOG_FORMAT": "xml", "IPLEDGE_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    result = CliRunner().invoke(app, ["migrate"], env=env)

    assert result.exit_code == 2
    assert "configuration error: IPLEDGE_LOG_FORMAT" in result.output


def test_uvicorns_coloured_copy_of_a_message_stays_out_of_text_lines_only():
    text = emit(Terminal(), color_message="\x1b[36mstarted\x1b[0m")
    shipped = json.loads(emit(io.StringIO(), color_message="\x1b[36mstarted\x1b[0m"))

    assert "color_message" not in text and "\x1b" not in text
    assert shipped["color_message"] == "\x1b[36mstarted\x1b[0m"
