"""``entente import_entities FILE --mapping col=field,... --as USERNAME [--kind KIND]
[--classification LEVEL] [--releasable FR,UK] [--tlp TLP]``: import entities (and the links
of each row) from a CSV file as that user, with a progress bar, then list the rows refused
(row, column, message)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from entente.core.models import User
from entente.intelligence.management.commands.import_reports import Command as ReportsCommand
from entente.investigations.services import imports


class Command(BaseCommand):
    help = (
        "Import entities (people, vehicles, phones, companies, places, bank accounts) and the "
        "links of each row from a CSV file as USERNAME, whose agency becomes their originator. "
        "Each row is imported whole or not at all; refused rows are listed (row, column, "
        "message) and the exit status is 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as", dest="username", required=True, help="the importing user's name"
        )
        parser.add_argument(
            "--mapping",
            help="column=field pairs separated by commas (name=name,Type=kind,Tel=identifier); "
            "read from the header when left out. Fields: "
            + ", ".join(t.name for t in imports.TARGETS),
        )
        parser.add_argument(
            "--kind", default="", help="the kind of every row without a kind column"
        )
        parser.add_argument("--classification", help="OFFICIAL, OFFICIAL-SENSITIVE or SECRET")
        parser.add_argument("--releasable", help="country codes, e.g. FR,UK")
        parser.add_argument("--tlp", help="CLEAR, GREEN, AMBER, AMBER+STRICT or RED")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            user = User.objects.select_related("agency__country").get(username=opts["username"])
        except User.DoesNotExist:
            raise CommandError(f"no user {opts['username']!r}") from None
        path: Path = opts["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        try:
            mapping = imports.parse_mapping_text(opts["mapping"]) if opts["mapping"] else None
            job = imports.start_import(
                acting_user=user,
                file_name=path.name,
                data=data,
                mapping=mapping,
                guess=True,
                kind=opts["kind"],
                classification=opts["classification"],
                releasability=opts["releasable"],
                tlp=opts["tlp"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("nothing imported: " + " ".join(messages)) from None
        job = imports.run_import(job.pk, acting_user=user, on_progress=self._bar)
        self.stdout.write("")
        for error in job.errors:
            column = f" [{error['field']}]" if error.get("field") else ""
            self.stderr.write(f"row {error['row']}{column}: {error['message']}")
        self.stdout.write(
            f"{job.entities} entities and {job.links} links imported from {job.total} rows "
            f"(import {job.pk})"
        )
        if job.errors:
            raise CommandError(f"{imports.refused_rows(job)} rows not imported")

    def _bar(self, job: Any) -> None:
        """The same bar as the reports' import: [#####-----]  45 %  450/1000."""
        ReportsCommand._bar(cast(Any, self), job)
