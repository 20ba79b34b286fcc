"""Requests for information between the two countries."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.core.choices import Language, Module
from entente.core.models import MarkedModel
from entente.intelligence.choices import RequestPriority, RequestState
from entente.intelligence.models.reports import Report


class InformationRequest(MarkedModel):
    """A question from one agency to an agency of the other country, answered by a report.

    The originator is the asking agency; the asked agency is named as a recipient.
    """

    access_module = Module.INTELLIGENCE

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    question = models.TextField(_("question"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    priority = models.IntegerField(
        _("priority"), choices=RequestPriority.choices, default=RequestPriority.ROUTINE
    )
    deadline = models.DateTimeField(_("deadline"), db_index=True)
    to_agency = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("asked of")
    )
    assignee = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=RequestState.choices,
        default=RequestState.OPEN,
        db_index=True,
    )
    answer = models.ForeignKey(
        Report,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answers_to",
        verbose_name=_("answer"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )

    class Meta:
        ordering = ["deadline", "-priority"]
        verbose_name = _("request for information")
        verbose_name_plural = _("requests for information")

    def __str__(self) -> str:
        return self.reference
