"""Demo data: intelligence dissemination. Runs after the reports part of the demo and picks
its reports by agency, through the same services as people do (four-eyes, audit, ledger):

- an NCA report released to the DCPAF: asked by analyst.nca, approved by supervisor.nca;
- a sanitised version of a DCPAF report released to the NCA: written and asked by
  officer.dcpaf, approved by analyst.dcpaf;
- an NCA report asked for the Border Police of Calais (PAF) by analyst.nca, awaiting the
  second approval.

Each release is recognised by its purpose, so running the loader again changes nothing; a
demo without reports (or without a report fit for release) simply has no release.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from entente.core.choices import TLP, Classification
from entente.core.models import Agency, User
from entente.intelligence.choices import ReleaseVersion
from entente.intelligence.models import Release, Report
from entente.intelligence.services import dissemination

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoRelease:
    originator: str
    recipient: str
    requester: str
    approver: str | None  # None: left awaiting the second approval
    sanitised: bool
    legal_basis: str
    purpose: str


RELEASES = [
    DemoRelease(
        "NCA",
        "DCPAF",
        "analyst.nca",
        "supervisor.nca",
        False,
        "Sandhurst Treaty (18 January 2018), art. 4; UK-France joint declaration of "
        "20 August 2015 on increased sharing of operational information.",
        "Identify and disrupt the network loading people into lorries bound for Coquelles.",
    ),
    DemoRelease(
        "DCPAF",
        "NCA",
        "officer.dcpaf",
        "analyst.dcpaf",
        True,
        "Déclaration conjointe franco-britannique du 20 août 2015 ; traité de Sandhurst, "
        "art. 4 ; code de la sécurité intérieure.",
        "Permettre à la NCA d'identifier les passeurs opérant depuis le littoral.",
    ),
    DemoRelease(
        "NCA",
        "PAF",
        "analyst.nca",
        None,
        False,
        "Sandhurst Treaty (18 January 2018), art. 4.",
        "Alert the Border Police in Calais to the vehicles named in the report.",
    ),
]

SANITISED_NOTE = {
    "en": "Sanitised version: the passages that could identify the source were removed.",
    "fr": "Version expurgée : les passages permettant d'identifier la source ont été retirés.",
}


def _candidate(item: DemoRelease, requester: User, approver: User | None) -> Report | None:
    """The oldest report of the agency fit for this release: an original, not TLP:RED,
    that both people may read, and that the approver did not write (four-eyes)."""
    reports = Report.objects.visible_to(requester).filter(
        originator__code=item.originator,
        sanitised_from__isnull=True,
        classification__lte=Classification.OFFICIAL_SENSITIVE,
    )
    reports = reports.exclude(tlp=TLP.RED)
    if approver is not None:
        reports = reports.exclude(created_by=approver)
    # A report not already released across the border comes first.
    fresh = reports.exclude(releases__isnull=False).order_by("created_at", "pk").first()
    return fresh or reports.order_by("created_at", "pk").first()


def _sanitised(report: Report, requester: User) -> Report:
    existing: Report | None = Report.objects.filter(sanitised_from=report).order_by("pk").first()
    if existing is not None:
        return existing
    first = report.body.strip().split("\n")[0].split(". ")[0].rstrip(".")
    note = SANITISED_NOTE.get(report.language, SANITISED_NOTE["en"])
    version: Report = dissemination.create_sanitised_version(
        report,
        acting_user=requester,
        title=report.title,
        body=f"{first}.\n\n{note}",
        note=note,
    )
    return version


@transaction.atomic
def _load_one(item: DemoRelease) -> None:
    if Release.objects.filter(purpose=item.purpose).exists():
        return  # loaded before
    requester = User.objects.get(username=item.requester)
    approver = User.objects.get(username=item.approver) if item.approver else None
    report = _candidate(item, requester, approver)
    if report is None:
        return  # the demo has no report of this agency yet
    if item.sanitised:
        report = _sanitised(report, requester)
    release = dissemination.request_release(
        report,
        acting_user=requester,
        agencies=[Agency.objects.select_related("country").get(code=item.recipient)],
        legal_basis=item.legal_basis,
        purpose=item.purpose,
        version=ReleaseVersion.SANITISED if item.sanitised else ReleaseVersion.ORIGINAL,
    )
    if approver is not None:
        dissemination.approve_release(release, acting_user=approver)


def load() -> None:
    """The three demo releases; idempotent, and tolerant of a demo without reports."""
    names = {r.requester for r in RELEASES} | {r.approver for r in RELEASES if r.approver}
    if User.objects.filter(username__in=names).count() != len(names):
        return  # the personas are not loaded
    for item in RELEASES:
        try:
            _load_one(item)
        except (ValidationError, PermissionDenied) as exc:
            # A report the reports demo marked in a way that cannot go: leave it unreleased.
            logger.warning(
                "demo release %s -> %s skipped: %s", item.originator, item.recipient, exc
            )
