"""Intelligence services: the disclosure ledger. Every release approved across the border
(``dissemination.approve_release``) writes one line per recipient agency; each country's
ledger lists what it disclosed to other countries and what it received from them.

Who reads it: people holding the intelligence approver role (they approve releases and answer
for them) and auditors (any role in the audit module), of any agency of the country, since
oversight covers the country's whole exchange; each line only when they are cleared to the
marking of the report it discloses, and the report's title only when they may see the report.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from entente.core import access, audit
from entente.core.choices import TLP, AuditAction, Classification, Module, Role
from entente.core.markings import classification_label, combined_marking
from entente.intelligence.models import Disclosure, Report


class Direction:
    """The two sides of a country's ledger."""

    DISCLOSED = "disclosed"
    RECEIVED = "received"


def may_read_ledger(user: Any) -> bool:
    """Intelligence approvers (those who approve releases) and auditors."""
    return access.has_role(user, Module.INTELLIGENCE, Role.APPROVER) or access.has_role(
        user, Module.AUDIT
    )


@dataclass(frozen=True)
class LedgerFilter:
    direction: str = ""  # Direction.DISCLOSED, Direction.RECEIVED, or both
    since: dt.date | None = None
    until: dt.date | None = None
    agency: str = ""  # the code of a sending or receiving agency


def ledger_for(user: Any, filters: LedgerFilter | None = None) -> QuerySet[Disclosure]:
    """The disclosure ledger of the user's country: what it disclosed to other countries and
    what it received from them. Read by intelligence approvers and auditors (any agency of the
    country: oversight covers the country's whole exchange), each line only when they are
    cleared to the marking of the report it discloses; ``title_visible`` says whether they may
    also see the report itself (the title is shown only then)."""
    if not may_read_ledger(user):
        raise PermissionDenied(
            _("The disclosure ledger is for intelligence approvers and auditors.")
        )
    f = filters or LedgerFilter()
    country = user.agency.country.code
    sides = {
        Direction.DISCLOSED: Q(from_country=country),
        Direction.RECEIVED: Q(to_country=country),
    }
    qs = Disclosure.objects.filter(
        sides.get(f.direction, sides[Direction.DISCLOSED] | sides[Direction.RECEIVED]),
        report__classification__lte=user.clearance,
    )
    if f.since is not None:
        qs = qs.filter(disclosed_at__date__gte=f.since)
    if f.until is not None:
        qs = qs.filter(disclosed_at__date__lte=f.until)
    if f.agency:
        code = f.agency.strip().upper()
        qs = qs.filter(Q(agency__code=code) | Q(report__originator__code=code))
    return qs.select_related(
        "report__originator", "agency", "requested_by__agency", "approved_by__agency"
    ).annotate(
        title_visible=Exists(Report.objects.visible_to(user).filter(pk=OuterRef("report_id")))
    )


def ledger_marking(user: Any, rows: list[Disclosure]) -> tuple[int, str, frozenset[str]]:
    """The marking an export of these lines carries: the highest classification and the
    narrowest TLP of the reports in it, releasable where all of them are (the reader's own
    country when there is none)."""
    marking = combined_marking([r.report for r in rows])
    if marking is None:
        return Classification.OFFICIAL, TLP.GREEN, frozenset({user.agency.country.code})
    return marking.classification, marking.tlp, marking.releasability


def ledger_csv(user: Any, filters: LedgerFilter | None = None) -> tuple[str, int]:
    """The ledger as CSV, its marking on the first and the last line; the export is audited.
    Returns (text, number of lines)."""
    rows = list(ledger_for(user, filters))
    level, tlp, countries = ledger_marking(user, rows)
    marking = [
        _("Marking"),
        classification_label(level, user),
        f"TLP:{tlp}",
        _("Releasable to {countries}").format(countries=", ".join(sorted(countries))),
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(marking)
    writer.writerow(
        [
            _("Disclosed on"),
            _("From country"),
            _("To country"),
            _("Originator"),
            _("Recipient"),
            _("Report"),
            _("Title"),
            _("Classification"),
            "TLP",
            _("Legal basis"),
            _("Purpose"),
            _("Requested by"),
            _("Approved by"),
        ]
    )
    for r in rows:
        writer.writerow(
            [
                r.disclosed_at.isoformat(timespec="seconds"),
                r.from_country,
                r.to_country,
                r.report.originator.code,
                r.agency.code,
                r.report.reference,
                r.report.title if r.title_visible else "",  # type: ignore[attr-defined]
                classification_label(r.report.classification, user),
                r.report.tlp,
                r.legal_basis,
                r.purpose,
                r.requested_by.get_username(),
                r.approved_by.get_username(),
            ]
        )
    writer.writerow(marking)
    f = filters or LedgerFilter()
    with transaction.atomic():
        audit.record(
            user,
            AuditAction.EXPORT,
            object_type="intelligence.disclosure",
            purpose=_("Disclosure ledger export"),
            changes={
                "lines": len(rows),
                "direction": f.direction,
                "since": f.since,
                "until": f.until,
                "agency": f.agency,
            },
        )
    return out.getvalue(), len(rows)
