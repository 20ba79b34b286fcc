"""Intelligence reports, their subject entities, attachments and grades.

A report keeps the grade its originator gave it, in its own scheme (the UK's 3x5x2 or the
Admiralty code); a receiving side's re-grade is a separate record (``Regrade``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.core.choices import Language, Module
from entente.core.models import MarkedModel
from entente.intelligence.choices import (
    EntityKind,
    EntityRole,
    GradingScheme,
    TranslationState,
)


class Entity(MarkedModel):
    """A person, vehicle, phone, company or place that reports are about.

    Marked like any record: an entity first named in a report released to France only is
    itself releasable to France only. The investigations app links the same entities.
    """

    access_module = Module.INTELLIGENCE

    kind = models.CharField(_("kind"), max_length=10, choices=EntityKind.choices)
    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_("A person's name, a plate, a phone number, a company's or a place's name."),
    )
    identifier = models.CharField(
        _("identifier"),
        max_length=100,
        blank=True,
        help_text=_("Normalised key: plate without spaces, phone in E.164, company number."),
    )
    country = models.CharField(_("country"), max_length=2, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        indexes = [models.Index(fields=["kind", "identifier"], name="intel_entity_key")]

    def __str__(self) -> str:
        return self.name


class Report(MarkedModel):
    """An intelligence report: text in its original language, a translation beside it, and
    the grade its originator gave it."""

    access_module = Module.INTELLIGENCE

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    translated_title = models.CharField(_("translated title"), max_length=300, blank=True)
    translation = models.TextField(_("translation"), blank=True)
    translation_state = models.CharField(
        _("translation"),
        max_length=10,
        choices=TranslationState.choices,
        default=TranslationState.NONE,
    )
    # The originator's grade, in the originator's scheme (entente.intelligence.grading).
    grading_scheme = models.CharField(
        _("grading scheme"), max_length=10, choices=GradingScheme.choices
    )
    source_grade = models.CharField(_("source"), max_length=1)
    information_grade = models.CharField(_("intelligence"), max_length=1)
    handling_code = models.CharField(
        _("handling code"),
        max_length=1,
        blank=True,
        help_text=_("3x5x2 only: P (may be shared) or C (conditions apply)."),
    )
    handling_conditions = models.TextField(_("handling conditions"), blank=True)
    # Derived products cite other reports and take the highest marking of their inputs.
    cites = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="cited_by",
        verbose_name=_("cites"),
    )
    # A sanitised version (source-revealing passages removed) is a report of its own.
    sanitised_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sanitised_versions",
        verbose_name=_("sanitised from"),
    )
    entities: models.ManyToManyField[Entity, ReportEntity] = models.ManyToManyField(
        Entity, through="ReportEntity", related_name="reports", verbose_name=_("entities")
    )
    # The id of the report in the file it was imported from (a STIX report's ``id``): an
    # agency imports the same report once.
    source_id = models.CharField(_("imported from"), max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("intelligence report")
        verbose_name_plural = _("intelligence reports")
        constraints = [
            models.UniqueConstraint(
                fields=["originator", "source_id"],
                condition=~models.Q(source_id=""),
                name="intel_report_imported_once",
                violation_error_message=_(
                    "Your agency imported this report before; it is not imported twice."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class ReportEntity(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="entity_links")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="report_links")
    role = models.CharField(
        _("role"), max_length=10, choices=EntityRole.choices, default=EntityRole.SUBJECT
    )

    class Meta:
        verbose_name = _("report entity")
        verbose_name_plural = _("report entities")
        constraints = [
            models.UniqueConstraint(fields=["report", "entity"], name="intel_report_entity_once")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} / {self.entity_id}"


class Attachment(models.Model):
    """A file attached to a report, kept in the database so that it is written (or not) in
    the report's own transaction. Seen by whoever sees the report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    data = models.BinaryField(_("content"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class Regrade(models.Model):
    """A receiving side's own grade of a report: the original grade is never overwritten."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="regrades")
    agency = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    grading_scheme = models.CharField(
        _("grading scheme"), max_length=10, choices=GradingScheme.choices
    )
    source_grade = models.CharField(_("source"), max_length=1)
    information_grade = models.CharField(_("intelligence"), max_length=1)
    handling_code = models.CharField(_("handling code"), max_length=1, blank=True)
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("re-graded by")
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("re-grade")
        verbose_name_plural = _("re-grades")

    def __str__(self) -> str:
        return f"{self.source_grade}{self.information_grade}{self.handling_code}"
