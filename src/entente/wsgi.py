"""WSGI entry point: pages and the API, served by granian (see DESIGN, where the time goes)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entente.settings")
application = get_wsgi_application()
