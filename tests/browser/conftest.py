"""The browser suite: Debian's Chromium driven by Playwright against a live server of the app, with the
real Celery worker, on the same PostgreSQL and Redis as the rest of the tests.

Every test fails on a JavaScript error, a console error, a failed request or a server error; a failing
test leaves a screenshot and the page's HTML under ``test-artifacts/browser/`` and prints their paths.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between page
# steps are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("HURTLINK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not at {CHROMIUM}: run `sh scripts/ensure-chromium` (installs Debian's chromium) "
            "or set HURTLINK_CHROMIUM.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageProblems:
    """What went wrong in the page while a test drove it."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.problems: list[str] = []
        self.allowed: list[re.Pattern] = []

    def allow(self, pattern: str) -> None:
        """A problem the test expects (e.g. the 404 it asks for on purpose)."""
        self.allowed.append(re.compile(pattern))

    def add(self, text: str) -> None:
        if not any(p.search(text) for p in self.allowed):
            self.problems.append(text)

    def on_response(self, response) -> None:
        kind = response.request.resource_type
        if response.status >= 500 or (
            response.status >= 400 and kind in {"stylesheet", "script", "image", "font"}
        ):
            self.add(f"{response.status} {response.request.method} {response.url}")

    def on_request_failed(self, request) -> None:
        # ERR_ABORTED is the browser dropping a request it no longer needs (the page navigated away or
        # closed while a favicon or an old poll was in flight), not a failure of the app.
        if request.url.startswith(self.base_url) and "ERR_ABORTED" not in (request.failure or ""):
            self.add(f"request failed: {request.method} {request.url} ({request.failure})")


@pytest.fixture
def page_problems(live_server):
    return PageProblems(live_server.url)


def _new_page(browser, live_server, page_problems, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and page_problems.add(f"console error: {m.text}"))
    page.on("pageerror", lambda exc: page_problems.add(f"JavaScript error: {exc}"))
    page.on("response", page_problems.on_response)
    page.on("requestfailed", page_problems.on_request_failed)
    return context, page


def _finish(request, context, page, page_problems):
    report = getattr(request.node, "report_call", None)
    failed = report is not None and report.failed
    if failed or page_problems.problems:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            (ARTIFACTS / f"{name}.html").write_text(page.content())
            print(f"\nbrowser artifacts: {ARTIFACTS / name}.png and .html")
        except Exception as exc:  # a page that crashed cannot be captured; say so, keep the failure
            print(f"\nbrowser artifacts could not be saved: {exc}")
    context.close()
    if page_problems.problems and not failed:
        pytest.fail("The page had problems:\n  " + "\n  ".join(page_problems.problems), pytrace=False)


@pytest.fixture
def page(request, browser, live_server, page_problems):
    context, page = _new_page(browser, live_server, page_problems, DESKTOP)
    yield page
    _finish(request, context, page, page_problems)


@pytest.fixture
def phone_page(request, browser, live_server, page_problems):
    context, page = _new_page(browser, live_server, page_problems, PHONE)
    yield page
    _finish(request, context, page, page_problems)


def log_in(page, email: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
