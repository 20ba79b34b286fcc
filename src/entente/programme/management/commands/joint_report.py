"""``entente joint_report --period 2015-H2 --lang fr --output FILE.pdf``: the joint report of a
period (2015-H1, 2015-H2, 2015-Q3 or 2015) as a PDF, in English or French, made from the same
templates as the report's page. A period that cannot be read, or that has no data, is refused
with a message in the report's language and nothing is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from entente.programme.services import report


class Command(BaseCommand):
    help = "Write the joint report of a period as a PDF (English or French)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="2015-H1, 2015-H2, 2015-Q3 or 2015")
        parser.add_argument("--lang", choices=list(report.LANGUAGES), default="en")
        parser.add_argument("--output", required=True, type=Path, help="the PDF file to write")

    def handle(self, *args: Any, **opts: Any) -> None:
        language = opts["lang"]
        output = Path(opts["output"])
        with translation.override(language):
            try:
                period = report.report_period(opts["period"])
                pdf = report.render_pdf(period, language)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        if not output.parent.is_dir():
            raise CommandError(f"no such folder: {output.parent}")
        temporary = output.with_name(output.name + ".part")
        temporary.write_bytes(pdf)
        temporary.replace(output)  # whole or not at all
        self.stdout.write(f"{period.label} ({language}): {len(pdf)} bytes written to {output}")
