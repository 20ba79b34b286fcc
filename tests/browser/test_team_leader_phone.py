"""On a phone-sized screen (375 px wide), in Chromium: the Border Force team leader sends his
team to an incident from its page, finds the dispatch on "My team", and marks the team on
scene with the big button. Nothing on the page is wider than the screen.
"""

from __future__ import annotations

import os
import time

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from entente.control_room.choices import DispatchState, IncidentState
from entente.control_room.models import Dispatch, Incident, Shift, Team
from entente.control_room.services import AlertItem, ingest_alerts
from entente.control_room.services import teams as services
from entente.core.models import User
from tests.browser.test_login_french import ARTIFACTS, CHROMIUM_ARGS
from tests.browser.test_login_french import server as server  # the live-server fixture
from tests.conftest import PASSWORD, load_world, require_chromium

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def phone(server):
    chromium = require_chromium()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(
            locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True
        )
        try:
            yield context.new_page()
        finally:
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_team_leader_dispatches_and_marks_on_scene_on_a_phone(server, phone):
    load_world()
    leader = User.objects.get(username="leader.borderforce")
    team = Team.objects.get(code="BF-COQ-1", leader=leader)
    day, slot = services.slot_at(team.site.timezone, timezone.now())
    if not Shift.objects.filter(team=team, day=day, slot=slot).exists():
        services.add_shift(team, day, slot, acting_user=None)
    incident_id = ingest_alerts(
        [AlertItem("COQ-PLAT-THERM-01", "phone-1", timezone.now(), "heartbeat", 0.95)],
        acting_user=User.objects.get(username="operator.eurotunnel"),
    )[0].incident
    device = TOTPDevice.objects.create(user=leader, name="phone", confirmed=True)
    page = phone

    page.goto(f"{server.url}/accounts/login/")
    page.fill("#id_username", "leader.borderforce")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url("**/accounts/two-factor/**")
    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    totp.time = time.time()
    page.fill("#id_token", f"{totp.token():06d}")
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{server.url}/")

    # The incident's page: the team is offered among those on duty at Coquelles; send it.
    page.goto(f"{server.url}/control-room/incidents/{incident_id}/")
    page.select_option("#dispatch-team", "BF-COQ-1")
    page.get_by_role("button", name="Dispatch", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "BF-COQ-1 dispatched." in page.locator("main").inner_text()
    assert Incident.objects.get(pk=incident_id).state == IncidentState.DISPATCHED

    # "My team", on the phone: the dispatch, its incident, and the big buttons.
    page.goto(f"{server.url}/control-room/my-team/")
    main = page.locator("main")
    assert f"Incident {incident_id}" in main.inner_text()
    assert "Freight boarding platforms" in main.inner_text()
    on_scene = page.get_by_role("button", name="On scene")
    box = on_scene.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 300
    assert fits_the_screen(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "my-team-phone-dispatched.png"), full_page=True)

    on_scene.click()
    page.wait_for_url(f"{server.url}/control-room/my-team/")
    assert "BF-COQ-1 is on scene." in page.locator("main").inner_text()
    dispatch = Dispatch.objects.get(incident_id=incident_id, team=team)
    assert dispatch.state == DispatchState.ON_SCENE
    assert Incident.objects.get(pk=incident_id).state == IncidentState.ON_SCENE
    assert page.get_by_role("button", name="On scene").count() == 0
    assert page.get_by_role("button", name="Cleared").is_visible()
    assert fits_the_screen(page)
    page.screenshot(path=str(ARTIFACTS / "my-team-phone-on-scene.png"), full_page=True)
