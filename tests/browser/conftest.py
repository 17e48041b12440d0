"""Playwright on Debian's chromium (never ``playwright install``), against a real Daphne.

Playwright's sync API runs an event loop in the thread that uses it; in the test
thread that would make Django refuse ORM calls ("cannot call this from an async
context") in fixtures and teardown. So the browser lives in one worker thread, and
a test hands it a *scenario*, a function of a page, with ``browse``::

    def test_home(browse, daphne_server):
        def scenario(page):
            page.goto(daphne_server.url + "/")
            assert page.locator("h1").inner_text() == "劳动和技能竞赛"

        browse(scenario)

The page collects console errors and uncaught exceptions in ``page.errors``.
Every test module here sets ``pytestmark = pytest.mark.browser``.

Pages run under the site's real Content-Security-Policy, which allows no eval. Playwright's
``wait_for_function`` polls its predicate with eval inside the page, so it is replaced here by
one that polls through ``page.evaluate`` (the DevTools protocol, which the policy does not
govern): the tests keep checking every page under the policy, and no test needs ``bypass_csp``.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.live_server import _daphne_process, daphne_server  # noqa: F401 - fixtures

DEFAULT_WAIT_MS = 30_000
POLL_MS = 50


def _wait_for_function_without_eval(page, expression, *, arg=None, timeout=None, polling=None):
    """``Page.wait_for_function`` for pages whose policy forbids eval: the truthy value, or a timeout error."""
    deadline = time.monotonic() + (DEFAULT_WAIT_MS if timeout is None else timeout) / 1000
    while True:
        value = page.evaluate(expression, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise PlaywrightTimeoutError(f"Timeout {timeout}ms exceeded waiting for {expression!r}")
        page.wait_for_timeout(polling if isinstance(polling, int | float) else POLL_MS)


Page.wait_for_function = _wait_for_function_without_eval

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SCENARIO_TIMEOUT = 120


class BrowserThread:
    """One chromium, driven from one dedicated thread."""

    def __init__(self):
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright")
        self._playwright = self.call(lambda: sync_playwright().start())
        self.browser = self.call(lambda: self._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS))

    def call(self, function, *args):
        return self._executor.submit(function, *args).result(timeout=SCENARIO_TIMEOUT)

    def run_scenario(self, scenario, **context_options):
        def run():
            context = self.browser.new_context(**({"viewport": DESKTOP, "locale": "zh-CN"} | context_options))
            page = context.new_page()
            page.errors = []
            page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
            page.on("pageerror", lambda error: page.errors.append(str(error)))
            try:
                return scenario(page)
            finally:
                context.close()

        return self.call(run)

    def close(self):
        try:
            self.call(self.browser.close)
            self.call(self._playwright.stop)
        finally:
            self._executor.shutdown(wait=True)


@pytest.fixture(scope="session")
def browser_thread():
    thread = BrowserThread()
    yield thread
    thread.close()


@pytest.fixture
def browse(browser_thread):
    """Run ``scenario(page)`` in the browser thread, on a fresh context; returns its result."""
    return browser_thread.run_scenario
