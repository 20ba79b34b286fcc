"""``entente resolve_entities --user USERNAME [--kind person|vehicle] [--resume RUN_ID]
[--backend duckdb|spark] [--threshold 0.9]``: the record linkage run, with a progress bar.

A system job over all the records of the kind, started under a named investigations approver
for the audit. Interrupted (Ctrl-C, a crash), it is resumed with ``--resume RUN_ID``: the
stages already done are not redone and no pair is written twice."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from entente.core.models import User
from entente.investigations.linkage import run as runs
from entente.investigations.models import ResolutionRun
from entente.investigations.services import linkage

BAR_WIDTH = 40


class Command(BaseCommand):
    help = (
        "Find records of the same person (or vehicle) held by different agencies and propose "
        "them for review. Prints the run's id; resume an interrupted run with --resume."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="the investigations approver running it")
        parser.add_argument("--kind", choices=["person", "vehicle"], default="person")
        parser.add_argument("--resume", type=int, metavar="RUN_ID")
        parser.add_argument(
            "--backend",
            choices=list(runs.BACKENDS),
            help="default: ENTENTE_LINKAGE_BACKEND or duckdb (spark needs pyspark installed)",
        )
        parser.add_argument("--threshold", type=float, default=runs.DEFAULT_THRESHOLD)

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            user = User.objects.select_related("agency__country").get(username=opts["user"])
        except User.DoesNotExist:
            raise CommandError(_("No user %(name)r.") % {"name": opts["user"]}) from None
        try:
            run = linkage.start_run(
                acting_user=user,
                kind=opts["kind"],
                threshold=opts["threshold"],
                resume=opts["resume"],
                backend=opts["backend"],
                background=False,
            )
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError(" ".join(messages)) from None
        self.stdout.write(
            _("Run %(run)d (%(kind)s, %(backend)s)")
            % {"run": run.pk, "kind": run.kind, "backend": run.backend}
        )
        try:
            run = runs.execute(run, on_progress=self._bar)
        except KeyboardInterrupt:  # the run left itself paused (runs.execute)
            raise CommandError(
                _("Interrupted: resume with --resume %(run)d.") % {"run": run.pk}
            ) from None
        except Exception as exc:
            raise CommandError(
                _("Run %(run)d failed: %(error)s; resume with --resume %(run)d.")
                % {"run": run.pk, "error": exc}
            ) from exc
        self.stdout.write("")
        m = run.metrics
        measured = m.get("measured_precision")
        self.stdout.write(
            _(
                "%(records)d records, %(pairs)d candidate pairs above %(threshold)s; expected "
                "precision %(expected)s, measured precision %(measured)s (%(reviewed)d pairs "
                "reviewed)"
            )
            % {
                "records": run.records,
                "pairs": run.candidates,
                "threshold": m.get("threshold"),
                "expected": m.get("expected_precision"),
                "measured": _("none yet") if measured is None else measured,
                "reviewed": m.get("reviewed", 0),
            }
        )

    def _bar(self, run: ResolutionRun) -> None:
        percent = runs.percent(run)
        filled = BAR_WIDTH * percent // 100
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stdout.write(
            f"\r[{bar}] {percent:3d} %  {run.stage:<8} {run.done}/{run.total}", ending=""
        )
        self.stdout.flush()
