"""``entente load_reference``: the agreements' countries, agencies and sites (idempotent).

A production database starts with these and nothing else of the demo: no people, no sensors,
no records. Each one is written through the services, so the audit trail records it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from entente.core.models import Agency, Country, Site
from entente.demo.load import load_reference


class Command(BaseCommand):
    help = "Load the countries, agencies and sites of the agreements (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        load_reference()
        self.stdout.write(
            _("Reference data: %(countries)d countries, %(agencies)d agencies, %(sites)d sites.")
            % {
                "countries": Country.objects.count(),
                "agencies": Agency.objects.count(),
                "sites": Site.objects.count(),
            }
        )
