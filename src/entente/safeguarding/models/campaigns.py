"""Joint information campaigns: messages in several languages, channels, dates, reach, and the
approval of both countries."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.safeguarding.choices import CampaignLanguage


class Campaign(models.Model):
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    reach = models.PositiveIntegerField(_("people reached"), default=0)
    owner = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    approved_fr_by = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved for France by"),
    )
    approved_fr_at = models.DateTimeField(_("approved for France"), null=True, blank=True)
    approved_uk_by = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved for the United Kingdom by"),
    )
    approved_uk_at = models.DateTimeField(
        _("approved for the United Kingdom"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("information campaign")
        verbose_name_plural = _("information campaigns")

    def __str__(self) -> str:
        return self.title


class CampaignMessage(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="messages")
    language = models.CharField(_("language"), max_length=3, choices=CampaignLanguage.choices)
    text = models.TextField(_("message"))

    class Meta:
        ordering = ["language"]
        verbose_name = _("campaign message")
        verbose_name_plural = _("campaign messages")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "language"], name="sg_message_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.language}"
