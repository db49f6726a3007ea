"""Prometheus instruments (process-wide)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter("ipledge_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "ipledge_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
LOG_POSITION = Gauge("ipledge_log_position", "Last global log position")
PROJECTION_POSITION = Gauge(
    "ipledge_projection_position", "Log position a projection has reached", ["projection"]
)
PROJECTION_FAILING = Gauge(
    "ipledge_projection_failing",
    "1 while a projection is stopped at an event it cannot apply (retried with backoff)",
    ["projection"],
)
PROJECTION_FAILURES = Gauge(
    "ipledge_projection_consecutive_failures",
    "Failed attempts in a row at the event a projection is stopped at",
    ["projection"],
)
TIMERS_FAILING = Gauge(
    "ipledge_timers_failing", "Pending timers whose last attempt failed (retried with backoff)"
)
WORKER_STEP_FAILING = Gauge(
    "ipledge_worker_step_failing", "1 while a step of this process's worker loop fails", ["step"]
)
