"""ASGI entry point, for the live stream (Server-Sent Events) once the control room has one."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entente.settings")
application = get_asgi_application()
