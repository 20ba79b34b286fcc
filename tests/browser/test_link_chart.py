"""In Chromium: a French investigator opens the link chart around a suspect, expands a
neighbour, filters by link type and sees the shortest path highlighted, under the site's
Content-Security-Policy (Cytoscape.js vendored, nothing fetched from elsewhere)."""

from __future__ import annotations

import os

import pytest
from django.test import Client

from entente.core.models import User
from tests.browser.test_login_french import ARTIFACTS, CHROMIUM_ARGS
from tests.browser.test_login_french import server as server  # the live-server fixture
from tests.conftest import load_world, require_chromium, verified_login
from tests.investigations.test_graph import entity, link


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_expand_filter_and_find_the_shortest_path_on_the_chart(server):
    load_world()
    arben, phone, dritan = (
        entity("Arben K."),
        entity("+44 7700 900111", "phone"),
        entity("Dritan M."),
    )
    lorry, haulier = entity("GH-512-KL", "vehicle"), entity("Channel Freight Lines Ltd", "company")
    link(arben, lorry, "drives")
    link(arben, phone, "calls")
    link(dritan, phone, "calls")
    link(dritan, haulier, "owns")
    link(arben, dritan, "travels_with", countries={"UK"})  # hidden from the French side
    user = User.objects.get(username="investigator.ocriest")
    user.language = ""  # the browser's (en-GB): the assertions read the English words
    user.save(update_fields=["language"])
    session = verified_login(Client(), user).cookies["sessionid"].value

    chromium = require_chromium()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = browser.new_context(locale="en-GB", viewport={"width": 1400, "height": 1000})
            context.add_cookies([{"name": "sessionid", "value": session, "url": server.url}])
            page = context.new_page()
            violations: list[str] = []
            outside: list[str] = []
            page.on(
                "console",
                lambda m: (
                    violations.append(m.text) if "Content Security Policy" in m.text else None
                ),
            )
            page.on(
                "request",
                lambda r: outside.append(r.url) if not r.url.startswith(server.url) else None,
            )
            page.goto(f"{server.url}/investigations/chart/?entity={arben.pk}")
            page.wait_for_selector("#chart-canvas[data-ready] canvas", timeout=10_000)
            nodes = page.locator("#nodes-rows tr")
            assert nodes.count() == 3  # Arben, the lorry, the phone
            assert "Dritan" not in page.locator("#nodes-rows").inner_text()
            arben_row = page.locator("#nodes-rows tr", has_text="Arben K.")
            assert arben_row.locator("td").nth(2).inner_text() == "1"  # one hidden link
            # The neighbours' own links are counted when they are expanded, not before.
            phone_row = page.locator("#nodes-rows tr", has_text="+44 7700 900111")
            assert phone_row.locator("td").nth(2).inner_text() == "not counted until expanded"

            # Expand the phone (its table button: the same as a click on the node).
            page.locator("#nodes-rows tr", has_text="+44 7700 900111").get_by_role("button").click()
            page.locator("#nodes-rows tr", has_text="Dritan M.").wait_for()
            assert nodes.count() == 4
            assert "Dritan M." in page.locator("#nodes-rows").inner_text()
            assert "entities added: 1; links added: 1" in page.locator("#chart-status").inner_text()
            assert phone_row.locator("td").nth(2).inner_text() == "0"  # counted now
            dritan_row = page.locator("#nodes-rows tr", has_text="Dritan M.")
            assert dritan_row.locator("td").nth(2).inner_text() == "not counted until expanded"
            assert arben_row.locator("td").nth(2).inner_text() == "1"  # a known count is kept

            # Filter: drives only; the calls leave the chart's table of links.
            page.uncheck("#kind-calls")
            page.get_by_role("button", name="Apply the filters").click()
            links = page.locator("#links-rows")
            assert "calls" not in links.inner_text() and "drives" in links.inner_text()
            page.check("#kind-calls")
            page.get_by_role("button", name="Apply the filters").click()

            # The shortest path from Arben to Dritan: through the phone, highlighted.
            page.select_option("#path-from", label="Arben K.")
            page.select_option("#path-to", label="Dritan M.")
            page.get_by_role("button", name="Find the shortest path").click()
            page.wait_for_selector("#links-rows tr.on-path")
            status = page.locator("#chart-status").inner_text()
            assert "Arben K. → +44 7700 900111 → Dritan M." in status
            assert page.locator("#links-rows tr.on-path").count() == 2
            on_path = page.locator("#nodes-rows tr.on-path th").all_inner_texts()
            assert sorted(on_path) == ["+44 7700 900111", "Arben K.", "Dritan M."]
            assert violations == [], violations
            assert outside == [], outside
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "link-chart.png"), full_page=True)
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
