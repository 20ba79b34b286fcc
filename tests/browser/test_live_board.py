"""Acceptance (issue 3): with the server and the MQTT bridge running as ``make demo`` runs them
(``entente serve --mqtt-bridge``), an alert published over MQTT makes an incident appear on the
open boards within a second, in French for a French operator and in English for a British one,
without reloading. Real parts throughout: Mosquitto, the granian listeners, Chromium.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from benchmarks._faults import free_port
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from paho.mqtt.enums import CallbackAPIVersion

from entente.control_room.models import Alert
from entente.core.models import User
from tests.browser.test_login_french import ARTIFACTS, CHROMIUM_ARGS
from tests.conftest import load_world, require_chromium, require_service, verified_login

BROKER = ("127.0.0.1", 1883)
HOST = "127.0.0.1"


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port}")


def database_url() -> str:
    """The test database, for the server's own processes."""
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{user}{password}@{db.get('HOST') or 'localhost'}{port}/{db['NAME']}"


def publish(topic: str, payload: dict[str, Any]) -> None:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:8]}")
    client.connect(*BROKER)
    client.loop_start()
    client.publish(topic, json.dumps(payload), qos=1).wait_for_publish(10)
    client.disconnect()
    client.loop_stop()


def alert(sensor: str, event: str) -> dict[str, Any]:
    return {
        "sensor": sensor,
        "event_id": event,
        "occurred_at": timezone.now().isoformat(),
        "kind": "intrusion",
        "confidence": 0.8,
    }


@pytest.fixture
def served(transactional_db: Any, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """``entente serve --mqtt-bridge`` on free ports, against the test database."""
    require_service("Mosquitto", *BROKER)
    require_chromium()
    load_world()
    port, live_port = free_port(), free_port()
    topic = f"entente-test/{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions made here are valid there
        "ENTENTE_MODE": "development",  # the second factor is required, as in production
        "ENTENTE_MQTT_TOPIC": f"{topic}/#",
        "ENTENTE_MQTT_USER": "sensors.demo",
        "ENTENTE_MQTT_CLIENT_ID": f"entente-test-{uuid.uuid4().hex[:8]}",
        "ENTENTE_LIVE_URL": "",
    }
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "entente",
            "serve",
            "--port",
            str(port),
            "--live-port",
            str(live_port),
            "--mqtt-bridge",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port)
        wait_for_port(live_port)
        # The bridge is subscribed once a message sent now is stored.
        deadline = time.monotonic() + 30
        while not Alert.objects.filter(event_id__startswith="warm-up").exists():
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            publish(f"{topic}/FOL", alert("FOL-PLAT-SCAN-01", f"warm-up-{uuid.uuid4().hex}"))
            time.sleep(1)
        yield {"url": f"http://{HOST}:{port}", "topic": topic, "log": tmp_path / "serve.log"}
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def board_page(browser: Any, base: str, username: str, language: str) -> Any:
    """A browser context signed in as this user (second factor passed), on the board."""
    user = User.objects.get(username=username)
    user.language = language
    user.save(update_fields=["language"])
    session = verified_login(Client(), user).cookies["sessionid"].value
    context = browser.new_context(
        locale="fr-FR" if language == "fr" else "en-GB", viewport={"width": 1400, "height": 950}
    )
    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page = context.new_page()
    page.violations = []
    page.on(
        "console",
        lambda m: page.violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(f"{base}/control-room/board/")
    page.wait_for_selector("#board-status.text-bg-success", timeout=10_000)  # live
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_alert_over_mqtt_appears_on_open_boards_within_a_second_in_each_language(served):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop in this thread
    from playwright.sync_api import sync_playwright

    base = served["url"]
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
            french = board_page(browser, base, "operator.eurotunnel", "fr")
            english = board_page(browser, base, "leader.borderforce", "en")
            assert french.locator("#board-status").inner_text() == "En direct"
            # The map: the zones and sensors drawn from the GeoJSON, with no tile server.
            french.wait_for_selector("#board-map path.leaflet-interactive", timeout=5_000)
            assert french.locator("#board-map img.leaflet-tile").count() == 0

            published = time.monotonic()
            publish(f"{served['topic']}/CAL", alert("CAL-RING-CCTV-01", "acceptance-1"))
            deadline = published + 1.0
            rows = {}
            for page, zone in ((french, "Accès par la rocade"), (english, "Ring-road access")):
                remaining = max(1, int(1000 * (deadline - time.monotonic())))
                row = page.locator("#board-rows tr", has_text=zone)
                row.wait_for(timeout=remaining)
                rows[page] = row.inner_text()
            elapsed = time.monotonic() - published
            assert elapsed < 1.0, f"the incident took {elapsed:.2f} s to reach both boards"

            assert "Nouveau" in rows[french] and "Port de Calais" in rows[french]
            assert "New" in rows[english] and "Port of Calais" in rows[english]
            assert "Nouvel incident" in french.locator("#board-announcer").inner_text()
            assert "New incident" in english.locator("#board-announcer").inner_text()
            # The ticker lists the alert; no page was reloaded (the same document throughout).
            assert "CAL-RING-CCTV-01" in french.locator("#board-ticker").inner_text()
            for page in (french, english):
                assert page.violations == [], page.violations
            ARTIFACTS.mkdir(exist_ok=True)
            french.screenshot(path=str(ARTIFACTS / "board-fr.png"), full_page=True)
            english.screenshot(path=str(ARTIFACTS / "board-en.png"), full_page=True)
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
