"""Fixtures the control-room tests share."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from entente.core import services
from entente.core.choices import Module, Role
from entente.core.models import Agency


@pytest.fixture
def sensor_client(db: Any) -> Client:
    """The Eurotunnel sensors' service account, as a machine client with a token."""
    account = services.create_user(
        username="sensors.eurotunnel",
        agency=Agency.objects.get(code="EUROTUNNEL"),
        acting_user=None,
        is_service_account=True,
        roles={Module.CONTROL_ROOM: Role.EDITOR},
    )
    _, token = services.create_api_token(account, name="sensors", acting_user=None)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")
