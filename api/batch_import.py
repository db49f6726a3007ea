"""`ipledge ip-rights import`: the IP office's JSON Lines register file sent through the API in
chunks, each line's outcome recorded so that a rerun sends only what is not imported yet.

A chunk's Idempotency-Key is the digest of its lines: a chunk whose answer was lost is sent
again identically and the service replays it instead of importing twice."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
from ipledge_client import Forbidden, IpledgeClient, ProblemError, Unauthenticated

from api.batch_filing import BatchAborted


@dataclass
class Line:
    number: int  # in the file, 1-based
    text: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:32]

    def right(self) -> tuple[str, str]:
        try:
            entry = json.loads(self.text)
        except json.JSONDecodeError:
            return "", ""
        if not isinstance(entry, dict):
            return "", ""
        return str(entry.get("kind") or ""), str(entry.get("number") or "")


@dataclass
class LineOutcome:
    line: int
    digest: str
    kind: str
    number: str
    outcome: str  # imported | error
    code: str = ""
    detail: str = ""


def read_lines(path: Path) -> list[Line]:
    with path.open(encoding="utf-8-sig") as source:
        return [Line(n, t.rstrip("\r\n")) for n, t in enumerate(source, 1) if t.strip()]


def load_done(path: Path) -> dict[int, LineOutcome]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as source:
        found = [LineOutcome(**json.loads(t)) for t in source if t.strip()]
    return {o.line: o for o in found}


def chunk_key(lines: list[Line]) -> str:
    digest = hashlib.sha256("\n".join(line.text for line in lines).encode()).hexdigest()
    return f"ipledge-ip-rights-import/{digest[:48]}"


@dataclass
class ImportRun:
    client: IpledgeClient
    results: Path
    chunk_size: int = 500
    on_chunk: Callable[[int, int, int], None] = lambda sent, imported, errors: None

    def run(self, lines: list[Line]) -> list[LineOutcome]:
        """Every line's outcome; lines imported in an earlier run (same text) are skipped."""
        done = load_done(self.results)
        todo = [
            line
            for line in lines
            if not (
                (d := done.get(line.number)) and d.outcome == "imported" and d.digest == line.digest
            )
        ]
        self.on_chunk(len(lines) - len(todo), 0, 0)
        try:
            with self.results.open("a", encoding="utf-8") as log:
                for start in range(0, len(todo), self.chunk_size):
                    for outcome in self._send(todo[start : start + self.chunk_size]):
                        done[outcome.line] = outcome
                        log.write(json.dumps(asdict(outcome), ensure_ascii=False) + "\n")
                    log.flush()
        finally:
            self._rewrite(done)
        return [done[line.number] for line in lines if line.number in done]

    def _send(self, chunk: list[Line]) -> list[LineOutcome]:
        try:
            answer = self.client.import_ip_rights(
                [line.text for line in chunk], idempotency_key=chunk_key(chunk)
            )
        except (Unauthenticated, Forbidden) as e:
            raise BatchAborted(f"the service refused the API key: {e.detail}") from None
        except (ProblemError, httpx.TransportError) as e:
            raise BatchAborted(f"the import failed: {e}") from None
        errors = {int(e["line"]): e for e in answer.errors}
        outcomes = []
        for index, line in enumerate(chunk, start=1):
            error = errors.get(index)
            outcomes.append(
                LineOutcome(
                    line.number,
                    line.digest,
                    *line.right(),
                    outcome="error" if error else "imported",
                    code=str(error.get("code", "")) if error else "",
                    detail=str(error.get("detail", "")) if error else "",
                )
            )
        self.on_chunk(len(chunk), len(chunk) - len(errors), len(errors))
        return outcomes

    def _rewrite(self, done: dict[int, LineOutcome]) -> None:
        temporary = self.results.with_name(self.results.name + ".tmp")
        with temporary.open("w", encoding="utf-8") as target:
            for line in sorted(done):
                target.write(json.dumps(asdict(done[line]), ensure_ascii=False) + "\n")
        os.replace(temporary, self.results)
