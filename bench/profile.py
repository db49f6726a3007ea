"""Where the time goes: the filing path (py-spy sampling a real `ipledge serve`, every thread,
while the load process files pledges) and the rebuild path (pyinstrument around
`ProjectionRunner.rebuild()` on the log that run wrote).

    .venv/bin/python -m bench.profile [--store sqlite|postgres] [--filings 1000] [--out DIR]

Writes DIR/filing-collapsed.txt (py-spy), DIR/filing-top.txt (inclusive share per function)
and DIR/rebuild.txt (pyinstrument); prints the two summaries.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.bodies import import_lines
from bench.suite import _bearer, _key
from bench.support import Serve, Target, drop_target, migrate, new_target


def profile_filings(target: Target, filings: int, out: Path, gil: bool = False) -> str:
    """Wall-clock samples of every thread; with ``gil``, only the thread holding the GIL (where
    the server's Python CPU goes)."""
    collapsed = out / "filing-collapsed.txt"
    extra = ["--gil"] if gil else ["--idle"]
    with Serve(target) as server, httpx.Client(base_url=server.url, timeout=600) as http:
        office = _key(http, "ip_office", "CNIPA")
        banks = [_key(http, "bank", f"BANK-{i}") for i in range(4)]
        http.post(
            "/v1/ip-rights/import", headers=_bearer(office), content=import_lines(0, 2 * filings)
        )
        assert server.process is not None
        spy = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "py-spy"),
                "record",
                "--pid",
                str(server.process.pid),
                "--format",
                "raw",
                "--output",
                str(collapsed),
                "--rate",
                "200",
                *extra,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1)
        load = [sys.executable, "-m", "bench.load", "filings", server.url]
        import json

        subprocess.run(
            [*load, json.dumps(banks), "0", str(filings), "32"], check=True, capture_output=True
        )
        spy.send_signal(2)
        spy.wait(30)
    text = top_functions(collapsed)
    (out / "filing-top.txt").write_text(text)
    return text


def top_functions(collapsed: Path, count: int = 40) -> str:
    """Inclusive share of the busy samples (idle waits excluded) per function."""
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        frames = stack.split(";")
        if _idle(frames[-1]):
            continue
        total += int(n)
        for frame in set(frames):
            inclusive[frame] += int(n)
    rows = [f"{100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(count)]
    return f"busy samples: {total}\n" + "\n".join(rows)


def _idle(frame: str) -> bool:
    return any(
        w in frame
        for w in (
            "select (selectors",
            "wait (threading",
            "_worker (concurrent",
            "poll (",
            "sleep",
            "epoll",
            "run_forever",
        )
    )


def profile_rebuild(target: Target, out: Path) -> str:
    from pyinstrument import Profiler

    from api.bootstrap import bootstrap
    from api.settings import Settings

    container = bootstrap(Settings(database_url=target.url, run_worker=False))
    try:
        with Profiler(interval=0.001) as profiler:
            container.projections.rebuild()
    finally:
        container.close()
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    (out / "rebuild.txt").write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--filings", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp(prefix="profile-")))
    parser.add_argument("--gil", action="store_true", help="sample only the GIL holder (CPU)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    target = new_target(args.store)
    try:
        migrate(target)
        print(profile_filings(target, args.filings, args.out, args.gil))
        print(profile_rebuild(target, args.out))
    finally:
        drop_target(target)
    print(f"profiles in {args.out}")


if __name__ == "__main__":
    main()
