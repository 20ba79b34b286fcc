"""``entente import_reports FILE --user USERNAME [--mapping JSON]``: import a STIX 2.1 bundle
or a CSV file of reports as that user, with a progress bar, then list the rows refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from entente.core.models import User
from entente.intelligence.models import ImportJob
from entente.intelligence.services import exchange

BAR_WIDTH = 40


class Command(BaseCommand):
    help = (
        "Import intelligence reports from a STIX 2.1 bundle (.json) or a CSV file (.csv) as "
        "USERNAME, whose agency becomes their originator. Each row is imported whole or not "
        "at all; refused rows are listed (row, field, message) and the exit status is 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="the importing user's name")
        parser.add_argument(
            "--mapping",
            help='CSV only: report field -> column, as JSON ({"title": "Subject", ...}); '
            "read from the header when left out",
        )
        parser.add_argument(
            "--kind", choices=["stix", "csv"], help="told from the file if left out"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            user = User.objects.select_related("agency__country").get(username=opts["user"])
        except User.DoesNotExist:
            raise CommandError(f"no user {opts['user']!r}") from None
        mapping = None
        if opts["mapping"]:
            try:
                mapping = json.loads(opts["mapping"])
            except json.JSONDecodeError as exc:
                raise CommandError(f"--mapping is not JSON: {exc}") from None
        path: Path = opts["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        try:
            job = exchange.start_import(
                acting_user=user,
                file_name=path.name,
                data=data,
                kind=opts["kind"],
                mapping=mapping,
                guess=True,
            )
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("nothing imported: " + " ".join(messages)) from None
        job = exchange.run_import(job.pk, acting_user=user, on_progress=self._bar)
        self.stdout.write("")
        for error in job.errors:
            field = f" [{error['field']}]" if error.get("field") else ""
            self.stderr.write(f"row {error['row']}{field}: {error['message']}")
        self.stdout.write(f"{job.imported} of {job.total} reports imported (import {job.pk})")
        if job.errors:
            raise CommandError(f"{len({e['row'] for e in job.errors})} rows not imported")

    def _bar(self, job: ImportJob) -> None:
        """One line redrawn in place: [#####-----]  45 %  450/1000."""
        percent = exchange.percent(job)
        filled = BAR_WIDTH * percent // 100
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stdout.write(f"\r[{bar}] {percent:3d} %  {job.done}/{job.total}", ending="")
        self.stdout.flush()
