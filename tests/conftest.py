"""Fixtures shared by the whole suite: personas, logged-in clients, required services.

The reference data (countries, agencies, sites) and the personas are loaded once per test
session, through the same services the demo uses; each test then runs in a transaction that
is rolled back. Transactional tests (live server, browser) run last (pytest-django orders
them so) and load what they need themselves.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from entente.core import services
from entente.core.models import Agency, User
from entente.demo import load as demo_load
from entente.demo.personas import PERSONAS

PASSWORD = "correct horse battery staple"
OUTSIDER = "outsider"


def load_world() -> None:
    """Reference data, zones and sensors, every demo persona, and an outsider who sees nothing."""
    demo_load.load_reference()
    demo_load.load_control_room()
    demo_load.load_personas(PASSWORD)
    if not User.objects.filter(username=OUTSIDER).exists():
        services.create_user(username=OUTSIDER, agency=None, acting_user=None, password=PASSWORD)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock():
        load_world()
    yield
    if connection.vendor == "postgresql":
        # Servers started by the browser and live tests (their request threads, processes and
        # keep-alive connections) may still be connected: end them here, once no test needs a
        # connection, so that the test database can be dropped.
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


PERSONA_NAMES = [p.username for p in PERSONAS] + [OUTSIDER]


@pytest.fixture
def persona(db: Any) -> Callable[[str], User]:
    """persona("analyst.nca") -> that User, fresh from the database."""

    def get(username: str) -> User:
        return User.objects.select_related("agency__country").get(username=username)

    return get


def verified_login(client: Client, user: User) -> Client:
    """Log a user in with a verified second factor, as after a real TOTP check."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def login(db: Any) -> Callable[[str], Client]:
    """login("gold.kent") -> a test Client signed in as that persona (second factor passed)."""

    def make(username: str) -> Client:
        user = User.objects.get(username=username)
        return verified_login(Client(), user)

    return make


@pytest.fixture
def agency(db: Any) -> Callable[[str], Agency]:
    return lambda code: Agency.objects.select_related("country").get(code=code)


def missing(message: str) -> NoReturn:
    """Skip a test whose service or program is missing, or fail it when
    ENTENTE_REQUIRE_SERVICES=1 (CI)."""
    if settings.ENTENTE_REQUIRE_SERVICES:
        pytest.fail(message + " (ENTENTE_REQUIRE_SERVICES=1)")
    pytest.skip(message)


def require_service(name: str, host: str, port: int) -> None:
    """Skip when a service is down, or fail when ENTENTE_REQUIRE_SERVICES=1 (CI)."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return
    except OSError as exc:
        missing(f"{name} is not reachable at {host}:{port}: {exc}")


def require_chromium() -> str:
    path = settings.ENTENTE_CHROMIUM
    if Path(path).exists() and os.access(path, os.X_OK):
        return path
    missing(f"Chromium not found at {path} (apt-get install chromium)")


def pytest_report_header(config: Any) -> str:
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"entente: database={engine} require_services={settings.ENTENTE_REQUIRE_SERVICES}"


@pytest.fixture(autouse=True)
def english_by_default() -> Any:
    """Each test starts in the default language, whatever a previous test left active."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield
