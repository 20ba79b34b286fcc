"""In a real browser (Debian's Chromium through Playwright): log in with the second factor,
switch to French, see the dashboard in French; keyboard users reach the content first."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from entente.core.models import User
from tests.conftest import PASSWORD, load_world, require_chromium

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def server(transactional_db):
    """A live server for this test only: stopping it closes its database connection, so the
    test database can be dropped at the end of the session (PostgreSQL)."""
    from pytest_django.live_server_helper import LiveServer

    live = LiveServer("localhost")
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
def browser_page(server):
    chromium = require_chromium()
    # Playwright's sync API runs an event loop in this thread; the live server's own thread
    # does the database work, so Django's async-safety guard is not needed here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="en-GB", viewport={"width": 1280, "height": 900})
        try:
            yield page
        finally:
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_log_in_switch_to_french_and_see_the_dashboard(server, browser_page):
    load_world()
    user = User.objects.get(username="gold.kent")
    user.language = ""
    user.save(update_fields=["language"])
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page = browser_page

    page.goto(f"{server.url}/accounts/login/")
    page.fill("#id_username", "gold.kent")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url("**/accounts/two-factor/**")

    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    totp.time = time.time()
    page.fill("#id_token", f"{totp.token():06d}")
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{server.url}/")
    assert page.locator("h1").inner_text() == "Dashboard"
    # The layout's own stylesheet is served and applied (the navigation bar's colour).
    navbar = page.evaluate("getComputedStyle(document.querySelector('nav.navbar')).backgroundColor")
    assert navbar == "rgb(31, 58, 95)"

    page.click("button[name=language][value=fr]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Tableau de bord"
    assert "Dashboard" not in page.locator("main").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-fr.png"), full_page=True)

    # Keyboard: the first Tab stop is the skip link, and it leads to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#content"
    assert page.evaluate("document.activeElement.innerText").strip() == "Aller au contenu"
    # The choice was kept in the profile.
    assert User.objects.get(username="gold.kent").language == "fr"
