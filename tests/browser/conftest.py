"""Browser tests: headless Chromium (Debian's `chromium`, driven by Python playwright) against a
real `ipledge serve` holding the demo data on the manual clock. Each test saves screenshots of
what it saw under test-artifacts/screenshots/ (CI keeps that folder as an artifact)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.server import IPLEDGE, ROOT, Server, base_env

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path(os.environ.get("IPLEDGE_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


@dataclass
class Console:
    server: Server
    keys: dict[str, str]  # demo label (role, or "bank:INSTITUTION") -> API key

    @property
    def url(self) -> str:
        return self.server.url


def load_demo(database_url: str, workdir: Path) -> dict[str, str]:
    keys_file = workdir / "demo-keys.json"
    env = base_env(database_url, IPLEDGE_DEMO_KEYS_FILE=str(keys_file))
    for args in (["migrate"], ["demo"]):
        subprocess.run(
            [str(IPLEDGE), *args], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300
        )
    return {label: entry["api_key"] for label, entry in json.loads(keys_file.read_text()).items()}


@pytest.fixture(scope="session")
def demo_template(
    sqlite_store, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, str]]:
    """The demo, loaded once per run (it takes seconds) into a SQLite file each module copies."""
    workdir = tmp_path_factory.mktemp("console-demo")
    url = sqlite_store.fresh_url(workdir)
    return Path(url.removeprefix("sqlite:///")), load_demo(url, workdir)


def serve_a_copy(template: Path, workdir: Path) -> Server:
    shutil.copy(template, workdir / "ipledge.db")
    # Webhook endpoints on 127.0.0.1 are allowed, so the delivery log has attempts to show.
    server = Server(
        f"sqlite:///{workdir / 'ipledge.db'}", workdir, IPLEDGE_WEBHOOK_ALLOW_PRIVATE="true"
    )
    return server.start()


@pytest.fixture(scope="session")
def console(demo_template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """One server on a copy of the demo for the modules that leave the clock alone; a module
    that moves it overrides this fixture with its own server (see test_disposal.py)."""
    template, keys = demo_template
    server = serve_a_copy(template, tmp_path_factory.mktemp("console"))
    yield Console(server, keys)
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Per module: sync playwright holds an event loop while it runs, which the asyncio tests
    of other folders (run in the same session) must not find."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


@pytest.fixture
def page(browser, console: Console, request: pytest.FixtureRequest) -> Iterator[object]:
    context = browser.new_context(base_url=console.url, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.shots = Shots(request.node.name)  # type: ignore[attr-defined]
    yield page
    context.close()


class Shots:
    def __init__(self, test_name: str) -> None:
        self.prefix = test_name.replace("[", "-").replace("]", "")
        self.count = 0

    def take(self, page, what: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.count += 1
        path = SCREENSHOTS / f"{self.prefix}-{self.count:02d}-{what}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


def shot(page, what: str) -> Path:
    return page.shots.take(page, what)


def sign_in(page, key: str) -> None:
    page.goto("/console/sign-in")
    page.get_by_label("API 密钥").fill(key)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def no_serious_accessibility_violations(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], "\n".join(serious)
