"""``entente export_matches --user USERNAME [--state same|pending|not_same|unsure]
--output FILE.csv``: the candidate and confirmed pairs the user may see, as CSV, with the
marking lines of Entente's exports (the export is audited)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from entente.core.models import User
from entente.investigations.choices import MatchState
from entente.investigations.services import linkage


class Command(BaseCommand):
    help = "Write the candidate and confirmed pairs of records as CSV (all states by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="whose view of the records to export")
        parser.add_argument("--state", choices=list(MatchState.values))
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            user = User.objects.select_related("agency__country").get(username=opts["user"])
        except User.DoesNotExist:
            raise CommandError(f"no user {opts['user']!r}") from None
        try:
            text, count = linkage.export_csv(user, state=opts["state"])
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError(" ".join(messages)) from None
        Path(opts["output"]).write_text(text, encoding="utf-8")
        self.stdout.write(f"{count} pairs written to {opts['output']}")
