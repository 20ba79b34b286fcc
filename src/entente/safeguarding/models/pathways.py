"""Pathways: asylum and assisted voluntary return, each with dated milestones. Only aggregate
counts and durations leave the module."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.core.choices import Module
from entente.core.models import MarkedModel
from entente.safeguarding.choices import Milestone, PathwayKind


class Pathway(MarkedModel):
    access_module = Module.SAFEGUARDING

    person = models.ForeignKey(
        "safeguarding.Person", on_delete=models.PROTECT, related_name="pathways"
    )
    kind = models.CharField(_("pathway"), max_length=20, choices=PathwayKind.choices)
    partner = models.ForeignKey(
        "core.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner organisation"),
    )
    started_on = models.DateField(_("started"))
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=40, blank=True)

    class Meta:
        ordering = ["-started_on", "-pk"]
        verbose_name = _("pathway")
        verbose_name_plural = _("pathways")

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind}"


class PathwayStep(models.Model):
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="steps")
    milestone = models.CharField(_("milestone"), max_length=20, choices=Milestone.choices)
    reached_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        ordering = ["reached_on", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(fields=["pathway", "milestone"], name="sg_milestone_once")
        ]

    def __str__(self) -> str:
        return f"{self.pathway_id} {self.milestone}"
