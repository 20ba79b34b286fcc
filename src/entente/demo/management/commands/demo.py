"""``entente demo``: load the demo data set (idempotent) and print the demo logins."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from entente.demo.load import load_all
from entente.demo.personas import PERSONAS


class Command(BaseCommand):
    help = "Load the demo data set built from the agreements and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        password = settings.ENTENTE_DEMO_PASSWORD
        load_all(password)
        port = os.environ.get("PORT", "8000")
        out = self.stdout
        out.write("")
        out.write(self.style.SUCCESS(f"Entente demo: http://127.0.0.1:{port}/"))
        out.write(f"All demo logins share the password in ENTENTE_DEMO_PASSWORD ({password!r}).")
        out.write("")
        width = max(len(p.username) for p in PERSONAS)
        out.write(f"{'login'.ljust(width)}  agency      role")
        out.write(f"{'-' * width}  ----------  ------------------------------------")
        for p in PERSONAS:
            out.write(f"{p.username.ljust(width)}  {(p.agency or '-').ljust(10)}  {p.what}")
        out.write("")
