"""Headless Debian Chromium driven by Playwright (it cannot download its own browsers here)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make between
# browser steps are synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, live_server):  # type: ignore[no-untyped-def]
    """Open a fresh browser context (its own cookies) for one user; all closed after the test."""
    contexts = []

    def open_page(locale: str = "ko-KR"):  # type: ignore[no-untyped-def]
        context = chromium.new_context(base_url=live_server.url, locale=locale)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        return page

    yield open_page
    for context in contexts:
        context.close()


def login(page, username: str, password: str = "correct-horse-battery") -> None:  # type: ignore[no-untyped-def]
    """Sign in through the real forms; officials, finance officers and auditors then type the current
    code of their authenticator (core.otp), as a person would."""
    from core.models import User
    from tests.signin import current_code, needs_second_factor

    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    user = User.objects.get(username=username)
    if needs_second_factor(user):
        page.wait_for_url(lambda url: "/accounts/two-factor/" in url)
        page.fill("input[name=otp_token]", current_code(user))
        page.click("form button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/two-factor/" not in url)
