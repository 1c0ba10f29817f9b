"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

Run with `make test-browser` (or `pytest -m browser`). Without Chromium these tests skip, except under
CI=true where a missing browser is a failure. Screenshots are kept in artifacts/browser/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page

CHROMIUM = Path(os.environ.get("MANGNON_CHROMIUM", "/usr/bin/chromium"))
# Offline and quiet: no sandbox (containers, root), no GPU, no calls home, no QUIC.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
CSP_MESSAGE = re.compile(r"Content[- ]Security[- ]Policy", re.IGNORECASE)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Keep each phase's report on the item so the page fixture can screenshot a failed test.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def _async_unsafe_allowed() -> Iterator[None]:
    # Playwright's sync API keeps an asyncio loop running in the test thread, and Django refuses ORM
    # calls under a running loop unless told otherwise. Scoped to the browser tests' session.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(_async_unsafe_allowed: None) -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI=true, so this is a failure, not a skip")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # executable_path: Debian's Chromium; `playwright install` is never needed (nor allowed).
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def geography(transactional_db: None) -> None:
    """Quảng Ninh, reloaded when a previous transactional test flushed the tables."""
    from mangnon.geo import loader
    from mangnon.geo.models import AdminUnit

    if not AdminUnit.objects.filter(code="22").exists():
        loader.load(["22"])


@dataclass
class PageProblems:
    """What the browser reported while the test ran: CSP violations and uncaught script errors."""

    csp_violations: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)


@dataclass
class BrowserSession:
    page: Page
    base_url: str
    problems: PageProblems
    shots: list[Path] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        # caret="initial": hiding the caret puts an inline style on the focused input, which htmx then
        # copies onto the swapped-in input (its settle step), which the CSP rightly blocks.
        self.page.screenshot(path=str(path), full_page=True, caret="initial")
        self.shots.append(path)
        return path


@pytest.fixture
def session(
    browser: Browser, live_server: Any, geography: None, request: pytest.FixtureRequest
) -> Iterator[BrowserSession]:
    """A fresh browser context on the live server. The browser asks for English on purpose: the pages
    must still come in Vietnamese until the user switches."""
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems = PageProblems()

    def on_console(message: ConsoleMessage) -> None:
        if CSP_MESSAGE.search(message.text):
            problems.csp_violations.append(f"{page.url}: {message.text}")

    def on_page_error(error: Error) -> None:
        problems.script_errors.append(f"{page.url}: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    result = BrowserSession(page=page, base_url=live_server.url, problems=problems)
    yield result
    call_report = getattr(request.node, "report_call", None)
    if call_report is not None and call_report.failed:
        result.screenshot(f"FAILED-{request.node.name}")
    context.close()
