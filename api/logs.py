"""Logs on stderr: JSON, one object per line carrying the request id, for collectors; or a concise
text line for a person at a terminal. ``IPLEDGE_LOG_FORMAT=auto`` (the default) picks text when
stderr is a terminal and JSON otherwise, so a shipped process always logs JSON."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

LogFormat = Literal["auto", "json", "text"]
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
STANDARD = set(vars(logging.makeLogRecord({})))
REQUEST_FIELDS = ("method", "path", "status", "duration_ms")
TERMINAL_ONLY = ("color_message",)  # uvicorn's ANSI-coloured copy of its message


def extras(record: logging.LogRecord) -> dict[str, Any]:
    """The fields a call passed in ``extra=``."""
    return {k: v for k, v in vars(record).items() if k not in STANDARD}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if (rid := request_id.get()) is not None:
            entry["request_id"] = rid
        entry.update(extras(record))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``09:41:07 INFO    ipledge.timers  timer fired  timer=… events=['annuity.due_soon']``;
    an HTTP request reads ``GET /docs 200 3.1 ms``. Local time: it is for the person watching."""

    def format(self, record: logging.LogRecord) -> str:
        fields = {k: v for k, v in extras(record).items() if k not in TERMINAL_ONLY}
        message = record.getMessage()
        if message == "request" and all(f in fields for f in REQUEST_FIELDS):
            method, path, status, ms = (fields.pop(f) for f in REQUEST_FIELDS)
            message = f"{method} {path} {status} {ms} ms"
        if (rid := request_id.get()) is not None:
            fields["request_id"] = rid[:8]
        when = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        line = f"{when} {record.levelname:<7} {record.name:<15} {message}"
        if fields:
            line += "  " + " ".join(f"{k}={v}" for k, v in fields.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def resolve(log_format: LogFormat, stream: TextIO) -> Literal["json", "text"]:
    if log_format != "auto":
        return log_format
    return "text" if stream.isatty() else "json"


def configure_logging(
    level: str = "INFO", log_format: LogFormat = "auto", stream: TextIO | None = None
) -> None:
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    text = resolve(log_format, stream) == "text"
    handler.setFormatter(TextFormatter() if text else JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).disabled = True
    # Alembic announces each of its plugins at import time: nothing an operator acts on.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
