"""The unified command's own records: watch handovers at the control rooms, and the decisions
of the two gold commanders, each signed by both."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.control_room.choices import DecisionState
from entente.core.choices import Module
from entente.core.models import MarkedModel


class WatchHandover(MarkedModel):
    """The end of a watch at a control room (Coquelles, Folkestone): the outgoing operator's
    summary and the open incidents at that moment; the incoming operator accepts it."""

    access_module = Module.CONTROL_ROOM

    site = models.ForeignKey(
        "core.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("control room")
    )
    watch_started_at = models.DateTimeField(_("watch started"))
    watch_ended_at = models.DateTimeField(_("watch ended"), default=timezone.now)
    summary = models.TextField(_("summary"))
    language = models.CharField(_("language"), max_length=5, default="en")
    open_incidents = models.JSONField(_("open incidents"), default=list, blank=True)
    incoming = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("incoming operator"),
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        ordering = ["-watch_ended_at"]
        verbose_name = _("watch handover")
        verbose_name_plural = _("watch handovers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(watch_ended_at__gt=models.F("watch_started_at")),
                name="cr_watch_ends_after_start",
                violation_error_message=_("A watch ends after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.watch_ended_at:%Y-%m-%d %H:%M}"


class Decision(MarkedModel):
    """A decision of the unified command: what, why, the options weighed and the risks.

    It binds both sides once the gold commander of each country has signed it.
    """

    access_module = Module.COMMAND

    title = models.CharField(_("title"), max_length=200)
    situation = models.TextField(_("situation"), blank=True)
    decision = models.TextField(_("decision"))
    rationale = models.TextField(_("rationale"))
    options = models.TextField(_("options considered"), blank=True)
    risks = models.TextField(_("risks"), blank=True)
    language = models.CharField(_("language"), max_length=5, default="en")
    state = models.CharField(
        _("state"), max_length=10, choices=DecisionState.choices, default=DecisionState.DRAFT
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("command decision")
        verbose_name_plural = _("command decisions")

    def __str__(self) -> str:
        return self.title


class DecisionSignature(models.Model):
    """One gold commander's signature on a decision; one per country."""

    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("decision")
    )
    signer = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("signed by")
    )
    country = models.ForeignKey(
        "core.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("for")
    )
    signed_at = models.DateTimeField(_("signed"), default=timezone.now)

    class Meta:
        ordering = ["signed_at"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "country"],
                name="cr_decision_one_signature_per_country",
                violation_error_message=_("This country's gold commander has already signed."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id} {self.country_id}"
