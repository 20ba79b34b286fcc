"""Dissemination across the border: a release needs a second person of the originating
agency to approve it (four-eyes), and every release leaves a disclosure in the ledger."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.intelligence.choices import ReleaseState, ReleaseVersion
from entente.intelligence.models.reports import Report


class Release(models.Model):
    """A request to share a report (or its sanitised version) with agencies of the other
    country, with its legal basis and purpose, awaiting or carrying the second approval."""

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="releases", verbose_name=_("report")
    )
    version = models.CharField(
        _("version released"),
        max_length=10,
        choices=ReleaseVersion.choices,
        default=ReleaseVersion.ORIGINAL,
    )
    # The report actually released: the report itself, or its sanitised version.
    released_report = models.ForeignKey(
        Report,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("released report"),
    )
    agencies = models.ManyToManyField(
        "core.Agency", related_name="+", verbose_name=_("recipient agencies")
    )
    legal_basis = models.TextField(_("legal basis"))
    purpose = models.TextField(_("purpose"))
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=ReleaseState.choices,
        default=ReleaseState.PENDING,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or rejected by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")

    def __str__(self) -> str:
        return f"{self.report_id} ({self.state})"


class Disclosure(models.Model):
    """One report disclosed to one agency of another country: a line of the ledger."""

    release = models.ForeignKey(
        Release, on_delete=models.PROTECT, related_name="disclosures", verbose_name=_("release")
    )
    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="disclosures", verbose_name=_("report")
    )
    agency = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("recipient")
    )
    from_country = models.CharField(_("from"), max_length=2, db_index=True)
    to_country = models.CharField(_("to"), max_length=2, db_index=True)
    legal_basis = models.TextField(_("legal basis"))
    purpose = models.TextField(_("purpose"))
    requested_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    approved_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    disclosed_at = models.DateTimeField(_("disclosed"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-disclosed_at", "-pk"]
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")

    def __str__(self) -> str:
        return f"{self.report_id} -> {self.agency_id}"
