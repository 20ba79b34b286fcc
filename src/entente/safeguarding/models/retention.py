"""Retention: how long each kind of record is kept, and what happens after."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.safeguarding.choices import RetentionAction


class RetentionPolicy(models.Model):
    """One row per record type (``app_label.model``); ``entente purge_expired`` applies them."""

    record_type = models.CharField(_("record type"), max_length=60, unique=True)
    keep_days = models.PositiveIntegerField(_("kept for (days)"))
    action = models.CharField(
        _("then"), max_length=10, choices=RetentionAction.choices, default=RetentionAction.ERASE
    )
    basis = models.CharField(_("legal basis and reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["record_type"]
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return f"{self.record_type}: {self.keep_days}"
