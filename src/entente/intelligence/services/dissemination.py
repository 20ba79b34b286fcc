"""Intelligence services: dissemination. Every function takes the acting user, runs in one
transaction and audits what it writes (and every read of personal data).

Sharing a report with agencies of another country takes two people of the originating agency
(four-eyes): an editor asks for the release, with its legal basis and purpose, and a second
person holding the intelligence approver role approves it. Approval is what discloses: the
released report becomes releasable to the recipients' countries, the recipient agencies are
named on it (``core.services.name_recipients``, audited as a disclosure) and one line per
agency is written to the disclosure ledger, all in one transaction. A sanitised version
(source-revealing passages removed) is a report of its own, released instead of the original,
which stays as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core import access, audit
from entente.core.choices import (
    RESTRICTED_AGENCY_KINDS,
    TLP,
    AgencyKind,
    AuditAction,
    Module,
    Role,
)
from entente.core.models import Agency, User
from entente.core.services import name_recipients
from entente.intelligence.choices import ReleaseState, ReleaseVersion
from entente.intelligence.models import Disclosure, Release, Report
from entente.intelligence.services import entities, search

# Intelligence goes to law enforcement only: humanitarian organisations never receive it,
# and neither do infrastructure operators, prefectures or ministries.
RECIPIENT_KINDS = frozenset(
    {AgencyKind.POLICE, AgencyKind.GENDARMERIE, AgencyKind.BORDER, AgencyKind.CRIME_AGENCY}
)
MAX_TEXT = 2000  # legal basis, purpose, notes: a paragraph, not a document
MAX_TITLE = 300
MAX_REFERENCE = 40


# Who sees what ----------------------------------------------------------------------------


def _in_agency(agency_id: Any) -> Exists:
    return Exists(
        Release.agencies.through.objects.filter(release_id=OuterRef("pk"), agency_id=agency_id)
    )


def visible_releases(user: Any) -> QuerySet[Release]:
    """The releases a user may see: all those of reports of their own agency that they can
    see, and the approved releases naming their agency of a report they can see (the
    receiving side learns who released it, on what basis, and who approved it; it never
    learns of pending or refused releases, nor of an original it was given a sanitised
    version of)."""
    if not access.has_role(user, Module.INTELLIGENCE):
        return Release.objects.none()
    seen = Report.objects.visible_to(user)
    own = Q(report__originator_id=user.agency_id, report__in=seen)
    received = Q(state=ReleaseState.APPROVED, released_report__in=seen) & Q(
        _in_agency(user.agency_id)
    )
    return (
        Release.objects.filter(own | received)
        .select_related(
            "report__originator__country",
            "released_report",
            "requested_by__agency",
            "decided_by__agency",
        )
        .prefetch_related("agencies__country")
    )


def get_release_or_404(user: Any, pk: Any) -> Release:
    """One release the user may see, or Http404 (absent and unseen look the same)."""
    release = visible_releases(user).filter(pk=pk).first()
    if release is None:
        raise Http404(_("No such record."))
    return release


def releases_of(report: Report, user: Any) -> list[Release]:
    """The releases shown on a report's page: of the report itself or released as it."""
    return list(
        visible_releases(user).filter(Q(report=report) | Q(released_report=report)).distinct()
    )


def pending_for(user: Any) -> QuerySet[Release]:
    """Releases awaiting the second approval in the user's agency (the approvers' page)."""
    access.require_role(user, Module.INTELLIGENCE, Role.APPROVER)
    return visible_releases(user).filter(
        state=ReleaseState.PENDING, report__originator_id=user.agency_id
    )


def is_originator(user: Any, release: Release) -> bool:
    return bool(user.agency_id is not None and user.agency_id == release.report.originator_id)


def _second_pair_of_eyes(user: Any, release: Release) -> bool:
    return user.pk not in {
        release.requested_by_id,
        release.report.created_by_id,
        release.released_report.created_by_id,
    }


def can_decide(user: Any, release: Release) -> bool:
    """Whether the user may approve (or reject) this pending release: an approver of the
    originating agency other than its requester and the report's author."""
    return (
        release.state == ReleaseState.PENDING
        and access.has_role(user, Module.INTELLIGENCE, Role.APPROVER)
        and is_originator(user, release)
        and _second_pair_of_eyes(user, release)
    )


def can_withdraw(user: Any, release: Release) -> bool:
    return release.state == ReleaseState.PENDING and release.requested_by_id == user.pk


def may_release(user: Any, report: Report) -> bool:
    """Whether the user may ask to release this report (or write its sanitised version)."""
    return access.can_change(user, report)


def eligible_recipients(report: Report) -> QuerySet[Agency]:
    """Agencies a report may be released to: law enforcement of another country."""
    return (
        Agency.objects.select_related("country")
        .filter(kind__in=RECIPIENT_KINDS)
        .exclude(country_id=report.originator.country_id)
        .order_by("country__code", "code")
    )


def agencies_from_codes(codes: Iterable[str]) -> list[Agency]:
    """The agencies named by code (API input); an unknown code is a ValidationError."""
    wanted = list(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
    found = {a.code: a for a in Agency.objects.select_related("country").filter(code__in=wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise ValidationError(
            {"agencies": _("Unknown agency: {codes}.").format(codes=", ".join(unknown))}
        )
    return [found[c] for c in wanted]


# Checks -----------------------------------------------------------------------------------


def _require_releaser(user: Any, report: Report) -> None:
    if not access.can_change(user, report):
        raise PermissionDenied(
            _("Only editors of the originating agency may release this report or sanitise it.")
        )


def _text(value: str, field: str, missing: str, errors: dict[str, str]) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = missing
    elif len(value) > MAX_TEXT:
        errors[field] = _("At most {count} characters.").format(count=MAX_TEXT)
    return value


def _check_recipients(report: Report, agencies: list[Agency], errors: dict[str, str]) -> None:
    """Law-enforcement agencies of another country; never humanitarian organisations; and
    never agencies at all for TLP:RED (named people only)."""
    if report.tlp == TLP.RED:
        errors["agencies"] = _(
            "This report is TLP:RED: it is for the eyes of named people only and cannot be "
            "released to agencies. Lower its TLP first, or name the people who may read it."
        )
        return
    if not agencies:
        errors["agencies"] = _("Choose at least one agency of the other country.")
        return
    own = report.originator.country_id
    for agency in agencies:
        if agency.kind in RESTRICTED_AGENCY_KINDS:
            errors["agencies"] = _(
                "{agency} is a humanitarian organisation: humanitarian organisations never "
                "receive intelligence."
            ).format(agency=agency.code)
        elif agency.kind not in RECIPIENT_KINDS:
            errors["agencies"] = _(
                "{agency} is not a law-enforcement agency: intelligence is released to police, "
                "gendarmerie, border and crime agencies only."
            ).format(agency=agency.code)
        elif agency.country_id == own:
            errors["agencies"] = _(
                "{agency} is in the report's own country: a release is for agencies of "
                "another country."
            ).format(agency=agency.code)
        if "agencies" in errors:
            return


# Writes -----------------------------------------------------------------------------------


def _sanitised_reference(original: Report) -> str:
    """ "S1-NCA-2026-000123": the version's number before the original's reference. Not after
    it: the agency's numbering reads the last reference starting with its prefix."""
    base = original.reference[: MAX_REFERENCE - 5]
    number = original.sanitised_versions.count() + 1
    while Report.objects.filter(reference=f"S{number}-{base}").exists():
        number += 1
    return f"S{number}-{base}"


@transaction.atomic
def create_sanitised_version(
    report: Report, *, acting_user: Any, title: str, body: str, note: str = ""
) -> Report:
    """Write a sanitised version of a report: the same marking and grade, the text with its
    source-revealing passages removed, written by an editor of the originating agency. The
    original stays as it was; the version is a report of its own (``sanitised_from``),
    released instead of it. Subject entities are not copied: they may reveal the source, and
    the editor adds those that may go."""
    _require_releaser(acting_user, report)
    errors: dict[str, str] = {}
    if report.sanitised_from_id is not None:
        errors["title"] = _("This is already a sanitised version: sanitise the original.")
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        errors["title"] = _("Give the sanitised version a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("At most {count} characters.").format(count=MAX_TITLE)
    if not body:
        errors["body"] = _("Write the sanitised text.")
    elif body == report.body.strip():
        errors["body"] = _(
            "The text is the same as the original's: remove the passages that reveal the source."
        )
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        errors["note"] = _("At most {count} characters.").format(count=MAX_TEXT)
    if errors:
        raise ValidationError(errors)
    version = Report(
        reference=_sanitised_reference(report),
        title=title,
        body=body,
        language=report.language,
        grading_scheme=report.grading_scheme,
        source_grade=report.source_grade,
        information_grade=report.information_grade,
        handling_code=report.handling_code,
        handling_conditions=report.handling_conditions,
        sanitised_from=report,
        classification=report.classification,
        releasability=report.releasability,  # type: ignore[misc]  # a set of codes
        tlp=report.tlp,
        originator=report.originator,
        created_by=acting_user,
    )
    version.full_clean()
    version.save()
    audit.record(
        acting_user,
        AuditAction.CREATE,
        version,
        purpose=_("Sanitised version of {reference}").format(reference=report.reference),
        changes={"after": audit.snapshot(version), "note": note},
    )
    search.report_saved(version)
    return version


def _released(report: Report, version: str, user: Any) -> tuple[Report, Report]:
    """(the original, the report released) for a request on ``report`` in ``version``."""
    if report.sanitised_from_id is not None:
        # Asked on a sanitised version itself: that version is what goes.
        return report.sanitised_from, report  # type: ignore[return-value]
    if version == ReleaseVersion.ORIGINAL:
        return report, report
    sanitised = (
        Report.objects.visible_to(user)
        .filter(sanitised_from=report)
        .order_by("-created_at", "-pk")
        .first()
    )
    if sanitised is None:
        raise ValidationError(
            {"version": _("This report has no sanitised version yet: write one first.")}
        )
    return report, sanitised


@transaction.atomic
def request_release(
    report: Report,
    *,
    acting_user: Any,
    agencies: Iterable[Agency],
    legal_basis: str,
    purpose: str,
    version: str = ReleaseVersion.ORIGINAL,
) -> Release:
    """Ask to share a report (or its latest sanitised version) with agencies of another
    country: an editor of the originating agency, with the legal basis and the purpose. The
    release waits for a second person's approval (``approve_release``); nothing is disclosed
    until then. Refusals are ValidationErrors on their fields, and nothing is written."""
    _require_releaser(acting_user, report)
    if version not in ReleaseVersion.values:
        raise ValidationError({"version": _("Choose the original or the sanitised version.")})
    original, released = _released(report, version, acting_user)
    _require_releaser(acting_user, released)
    chosen = list(dict.fromkeys(agencies))
    errors: dict[str, str] = {}
    legal_basis = _text(
        legal_basis,
        "legal_basis",
        _("Give the legal basis of the release (the agreement or law that allows it)."),
        errors,
    )
    purpose = _text(purpose, "purpose", _("Say what the recipients need it for."), errors)
    _check_recipients(released, chosen, errors)
    if errors:
        raise ValidationError(errors)
    release = Release.objects.create(
        report=original,
        version=ReleaseVersion.SANITISED if released.pk != original.pk else ReleaseVersion.ORIGINAL,
        released_report=released,
        legal_basis=legal_basis,
        purpose=purpose,
        requested_by=acting_user,
    )
    release.agencies.set(chosen)
    audit.record(
        acting_user,
        AuditAction.CREATE,
        release,
        purpose=purpose,
        changes={"after": audit.snapshot(release), "agencies": [a.code for a in chosen]},
    )
    return release


def _locked(release: Release) -> Release:
    locked = (
        Release.objects.select_for_update()
        .select_related("report__originator__country", "released_report")
        .get(pk=release.pk)
    )
    if locked.state != ReleaseState.PENDING:
        raise ValidationError(
            _("This release is no longer awaiting approval ({state}).").format(
                state=locked.get_state_display()
            )
        )
    return locked


def _require_decider(user: Any, release: Release) -> None:
    """An approver of the originating agency (the four-eyes rule is checked before)."""
    if not (
        access.has_role(user, Module.INTELLIGENCE, Role.APPROVER) and is_originator(user, release)
    ):
        raise PermissionDenied(
            _(
                "Only a person holding the intelligence approver role in {agency}, the "
                "originating agency, may approve or reject this release."
            ).format(agency=release.report.originator.code)
        )


def _decide(release: Release, user: User, state: str, note: str) -> None:
    before = audit.snapshot(release)
    release.state = state
    release.decided_by = user
    release.decided_at = timezone.now()
    release.decision_note = note
    release.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    audit.record_update(user, release, before, purpose=release.purpose)


@transaction.atomic
def approve_release(release: Release, *, acting_user: Any, note: str = "") -> Release:
    """The second approval: an approver of the originating agency who neither asked for the
    release nor wrote the report. In one transaction: the released report made releasable
    to the recipients' countries if it was not (the originator's own act, by two of its
    people), the recipient agencies named on it (audited as a disclosure), one ledger line
    per agency, the release approved, and the search index told that more people see it."""
    release = _locked(release)
    if not _second_pair_of_eyes(acting_user, release):
        raise ValidationError(
            _(
                "An approval by the author of the report or by the person who asked for the "
                "release is not a second pair of eyes: another approver of {agency} must "
                "approve it."
            ).format(agency=release.report.originator.code)
        )
    _require_decider(acting_user, release)
    released = Report.objects.select_for_update().get(pk=release.released_report_id)
    agencies = list(release.agencies.select_related("country"))
    errors: dict[str, str] = {}
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        errors["note"] = _("At most {count} characters.").format(count=MAX_TEXT)
    # The marking may have changed since the request (made TLP:RED, say): checked again.
    _check_recipients(released, agencies, errors)
    if errors:
        raise ValidationError(errors)
    if not access.can_view(acting_user, released):
        raise PermissionDenied(_("You may not read this report, so you may not approve it."))
    countries = {a.country.code for a in agencies}
    if not countries <= released.releasability:
        before = audit.snapshot(released)
        released.releasability = released.releasability | countries
        released.full_clean()
        released.save(update_fields=["releasability", "updated_at"])
        audit.record_update(acting_user, released, before, purpose=release.purpose)
    name_recipients(released, acting_user=acting_user, agencies=agencies, purpose=release.purpose)
    # The report's subject entities go with it: the same marking, the same recipients.
    entities.sync_entity_markings(released, acting_user=acting_user)
    from_country = release.report.originator.country.code
    disclosures = Disclosure.objects.bulk_create(
        Disclosure(
            release=release,
            report=released,
            agency=agency,
            from_country=from_country,
            to_country=agency.country.code,
            legal_basis=release.legal_basis,
            purpose=release.purpose,
            requested_by_id=release.requested_by_id,
            approved_by=acting_user,
        )
        for agency in agencies
    )
    for line in disclosures:
        audit.record_create(acting_user, line, purpose=release.purpose)
    _decide(release, acting_user, ReleaseState.APPROVED, note)
    search.report_saved(released)
    return release


@transaction.atomic
def reject_release(release: Release, *, acting_user: Any, note: str) -> Release:
    """Refuse a pending release (an approver of the originating agency), saying why."""
    release = _locked(release)
    _require_decider(acting_user, release)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why the release is rejected.")})
    if len(note) > MAX_TEXT:
        raise ValidationError({"note": _("At most {count} characters.").format(count=MAX_TEXT)})
    _decide(release, acting_user, ReleaseState.REJECTED, note)
    return release


@transaction.atomic
def withdraw_release(release: Release, *, acting_user: Any, note: str = "") -> Release:
    """The requester takes back a release nobody has decided on yet."""
    release = _locked(release)
    if release.requested_by_id != acting_user.pk:
        raise PermissionDenied(_("Only the person who asked for a release may withdraw it."))
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        raise ValidationError({"note": _("At most {count} characters.").format(count=MAX_TEXT)})
    before = audit.snapshot(release)
    release.state = ReleaseState.WITHDRAWN
    release.decision_note = note
    release.save(update_fields=["state", "decision_note"])
    audit.record_update(acting_user, release, before)
    return release
