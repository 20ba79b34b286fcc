"""Six-monthly joint inspections: checklist, findings, recommendations, actions carried over."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.programme.choices import ActionState, InspectionState, Severity


class Inspection(models.Model):
    period = models.CharField(_("period"), max_length=10, unique=True, help_text="2015-H2")
    held_on = models.DateField(_("held on"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=InspectionState.choices, default=InspectionState.PLANNED
    )
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_fr = models.TextField(_("summary (French)"), blank=True)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous inspection"),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-period"]
        verbose_name = _("joint inspection")
        verbose_name_plural = _("joint inspections")

    def __str__(self) -> str:
        return self.period


class ChecklistItem(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="checklist")
    position = models.PositiveSmallIntegerField(_("position"))
    text_en = models.CharField(_("item (English)"), max_length=300)
    text_fr = models.CharField(_("item (French)"), max_length=300)
    checked = models.BooleanField(_("checked"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["inspection", "position"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.text_en


class Finding(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    text = models.TextField(_("finding"))
    language = models.CharField(_("language"), max_length=2, default="en")
    severity = models.IntegerField(_("severity"), choices=Severity.choices, default=Severity.MEDIUM)
    recommendation = models.TextField(_("recommendation"), blank=True)

    class Meta:
        ordering = ["inspection", "-severity", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return self.text[:60]


class InspectionAction(models.Model):
    """An action an inspection asks for: an owner, a deadline; open actions are carried to the
    next inspection (``carried_from`` keeps the thread)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="actions")
    finding = models.ForeignKey(
        Finding, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due"))
    state = models.CharField(
        _("state"), max_length=10, choices=ActionState.choices, default=ActionState.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried_to",
        verbose_name=_("carried from"),
    )

    class Meta:
        ordering = ["inspection", "due_on", "pk"]
        verbose_name = _("inspection action")
        verbose_name_plural = _("inspection actions")

    def __str__(self) -> str:
        return self.title
