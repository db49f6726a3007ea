"""The service's OpenAPI document without a running service or a configured store: the app is
built over a throwaway SQLite store, so `ipledge openapi` works on any checkout (it is what
clients/python/openapi.json is refreshed from)."""

from __future__ import annotations

import base64
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def openapi_document() -> dict[str, Any]:
    from api.bootstrap import bootstrap, migrate
    from api.main import create_app
    from api.settings import Settings
    from events.database_url import DatabaseConfig

    with tempfile.TemporaryDirectory(prefix="ipledge-openapi-") as workdir:
        url = f"sqlite:///{Path(workdir) / 'openapi.db'}"
        migrate(DatabaseConfig.parse(url))
        settings = Settings(
            database_url=url,
            clock="manual",
            run_worker=False,
            env="development",
            signing_key=base64.b64encode(os.urandom(32)).decode(),  # no "generated a key" notice
        )
        container = bootstrap(settings)
        try:
            return create_app(container, run_worker=False).openapi()
        finally:
            container.close()


def render(document: dict[str, Any]) -> str:
    """Stable text: sorted keys, two-space indent, a final newline (diffs stay readable)."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
