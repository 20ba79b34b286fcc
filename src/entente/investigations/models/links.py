"""Typed links between entities (the entities themselves are intelligence's ``Entity``)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from entente.core.choices import Module
from entente.core.models import MarkedModel
from entente.investigations.choices import LinkKind


class Link(MarkedModel):
    """A link reads "source <kind> target", over a time span, with a confidence and its provenance.

    Marked like any record: the chart shows a link only to those who may see it and both its
    ends. Provenance is the report, the incident or the investigation it comes from (any of
    them may be empty for an imported link, whose file name is kept in ``source_note``).
    """

    access_module = Module.INVESTIGATIONS

    source = models.ForeignKey(
        "intelligence.Entity",
        on_delete=models.PROTECT,
        related_name="links_out",
        verbose_name=_("from"),
    )
    target = models.ForeignKey(
        "intelligence.Entity",
        on_delete=models.PROTECT,
        related_name="links_in",
        verbose_name=_("to"),
    )
    kind = models.CharField(_("link"), max_length=12, choices=LinkKind.choices)
    starts_on = models.DateField(_("from date"), null=True, blank=True)
    ends_on = models.DateField(_("to date"), null=True, blank=True)
    confidence = models.FloatField(
        _("confidence"), default=1.0, help_text=_("Between 0 (a guess) and 1 (established).")
    )
    report = models.ForeignKey(
        "intelligence.Report",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from report"),
    )
    incident = models.ForeignKey(
        "control_room.Incident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from incident"),
    )
    investigation = models.ForeignKey(
        "investigations.Investigation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="links",
        verbose_name=_("from investigation"),
    )
    source_note = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["source_id", "target_id", "kind"]
        verbose_name = _("link")
        verbose_name_plural = _("links")
        indexes = [
            models.Index(fields=["source", "kind"], name="inv_link_source"),
            models.Index(fields=["target", "kind"], name="inv_link_target"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(source=F("target")), name="inv_link_not_to_itself"),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1), name="inv_link_confidence"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="inv_link_span",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"
