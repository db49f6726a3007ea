"""What a person needs once `ipledge serve --banner` listens (`make run` passes it): where to
point a browser, one live API key per role from the demo keys file, where the keys and the data
are, and how to stop. Printed to stdout after the server has bound its socket."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from api.home import served_pages
from api.principals import PrincipalStore
from api.settings import Settings

RULE = "─" * 72
WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}


def base_url(host: str, port: int) -> str:
    shown = WILDCARDS.get(host, f"[{host}]" if ":" in host else host)
    return f"http://{shown}:{port}"


def keys_per_role(keys_file: Path, principals: PrincipalStore) -> list[tuple[str, str, str]]:
    """(role, key, whose) for the first key of each role in the file that still authenticates."""
    try:
        entries = json.loads(keys_file.read_text())
    except (OSError, ValueError):
        return []
    if not isinstance(entries, dict):
        return []
    shown: dict[str, tuple[str, str, str]] = {}
    for label, entry in entries.items():
        role = label.partition(":")[0]
        key = entry.get("api_key", "") if isinstance(entry, dict) else ""
        if role in shown or not key or principals.authenticate(key) is None:
            continue
        shown[role] = (role, key, f"{entry.get('name', '')} ({entry.get('institution_id', '')})")
    return list(shown.values())


def banner(app: FastAPI, settings: Settings, principals: PrincipalStore, url: str) -> str:
    keys_file = Path(settings.demo_keys_file)
    pages = [p for p in served_pages(app) if p.path not in ("/healthz", "/readyz", "/metrics")]
    lines = [RULE, f"ipledge is serving on {url}/", ""]
    lines += [f"  {p.title:<28} {url}{p.path}" for p in pages]
    keys = keys_per_role(keys_file, principals)
    if keys:
        lines += ["", "API keys, one per role (send 'Authorization: Bearer <key>'):"]
        lines += [f"  {role:<18} {key}  {whose}" for role, key, whose in keys]
        lines += ["", f"Every key: {keys_file} (mode 600). The database keeps only their hashes."]
        if any(p.path == "/console" for p in pages):
            lines += [
                f"Console: sign in at {url}/console/sign-in with one of these keys (中文/English)."
            ]
    else:
        lines += ["", f"No live key in {keys_file}: `ipledge principals create --role admin`"]
    lines += [f"Data: {data_of(settings)}. Stop with Ctrl+C; the next start resumes with it."]
    lines += sandbox_lines(settings)
    return "\n".join([*lines, RULE])


def sandbox_lines(settings: Settings) -> list[str]:
    """What `make sandbox` adds to `make run`, so a person sees which server this is."""
    lines = []
    if settings.clock == "manual":
        lines.append("Sandbox: the clock is manual (an admin moves it: POST /v1/_clock).")
    if settings.webhook_allow_private:
        lines.append("Sandbox: webhooks may target this machine (IPLEDGE_WEBHOOK_ALLOW_PRIVATE=1).")
    return lines


def data_of(settings: Settings) -> str:
    url = settings.database_url
    return url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else "PostgreSQL"


class BannerServer(uvicorn.Server):
    """A uvicorn server that prints ``text``, if any, once it listens (after uvicorn's own
    lines)."""

    def __init__(self, config: uvicorn.Config, text: str | None) -> None:
        super().__init__(config)
        self.text = text

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets=sockets)
        if self.text is not None and not self.should_exit:
            print(self.text, flush=True)
