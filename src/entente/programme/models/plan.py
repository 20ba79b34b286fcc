"""The action plan: the measures of both agreements, their owners, deadlines and evidence."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.programme.choices import MeasureStatus


class Measure(models.Model):
    """A measure promised by an agreement ("information campaigns will begin in October")."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_fr = models.CharField(_("title (French)"), max_length=300)
    agreement = models.ForeignKey(
        "programme.Agreement", on_delete=models.PROTECT, related_name="measures"
    )
    clause = models.CharField(_("clause"), max_length=100)
    owner = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    indicators = models.ManyToManyField(
        "programme.Indicator", blank=True, related_name="measures", verbose_name=_("indicators")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    def __str__(self) -> str:
        return self.code


class Evidence(models.Model):
    """A document, a link or a record showing a measure's progress, or an inspection action's."""

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    action = models.ForeignKey(
        "programme.InspectionAction",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
    )
    title = models.CharField(_("title"), max_length=300)
    link = models.CharField(
        _("link"), max_length=500, blank=True, help_text=_("An address, or a record's page.")
    )
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    data = models.BinaryField(_("content"), null=True, blank=True)
    added_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["-added_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=Q(measure__isnull=False) | Q(action__isnull=False),
                name="prog_evidence_of_something",
            )
        ]

    def __str__(self) -> str:
        return self.title
