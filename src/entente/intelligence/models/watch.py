"""Saved searches and the watchlists they become."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.intelligence.models.reports import Report


class SavedSearch(models.Model):
    """A person's saved search; as a watchlist it notifies its owner of new matching reports
    the owner may see."""

    owner = models.ForeignKey(
        "core.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=200)
    query = models.CharField(_("search"), max_length=500, blank=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    watch = models.BooleanField(_("watchlist"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")

    def __str__(self) -> str:
        return self.name


class WatchHit(models.Model):
    """A new visible report matching a watchlist: the owner's notification."""

    search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="hits")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("notified"), default=timezone.now)
    seen_at = models.DateTimeField(_("seen"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("watchlist match")
        verbose_name_plural = _("watchlist matches")
        constraints = [
            models.UniqueConstraint(fields=["search", "report"], name="intel_watch_hit_once")
        ]

    def __str__(self) -> str:
        return f"{self.search} / {self.report_id}"
