"""GET throughput at N connections: `wrk` (Debian package) when installed, which costs the
machine little CPU; otherwise the Python load process (bench/load.py), which costs more and
so understates the server."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def tool() -> str:
    return "wrk" if shutil.which("wrk") else "python"


def measure(base: str, key: str, path: str, seconds: float, connections: int = 32) -> dict:
    if tool() == "wrk":
        return _wrk(base + path, key, seconds, connections)
    args = [sys.executable, "-m", "bench.load", "get", base, key, path, str(seconds)]
    out = subprocess.run([*args, str(connections)], capture_output=True, check=True, text=True)
    return json.loads(out.stdout)


def _wrk(url: str, key: str, seconds: float, connections: int) -> dict:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    args += ["-H", f"Authorization: Bearer {key}", url]
    out = subprocess.run(args, capture_output=True, check=True, text=True).stdout
    per_s = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if errors:
        raise RuntimeError(f"wrk got {errors[1]} error responses from {url}")
    return {
        "per_s": round(per_s, 1),
        "p99_ms": round(float(p99[1]) * UNITS[p99[2]], 1) if p99 else 0.0,
    }
