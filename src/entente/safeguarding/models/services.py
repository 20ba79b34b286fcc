"""Day-centre services: daily counts of meals, showers, charging points and consultations."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DayCentre(models.Model):
    """A day centre (the Centre Jules Ferry), run by an organisation. Holds no personal data."""

    name = models.CharField(_("name"), max_length=200)
    town = models.CharField(_("town"), max_length=100)
    operator = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("run by")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("day centre")
        verbose_name_plural = _("day centres")

    def __str__(self) -> str:
        return self.name


class ServiceDay(models.Model):
    """The counts of one day at one centre, entered by its operator's staff."""

    centre = models.ForeignKey(DayCentre, on_delete=models.PROTECT, related_name="days")
    day = models.DateField(_("day"))
    meals = models.PositiveIntegerField(_("meals"), default=0)
    showers = models.PositiveIntegerField(_("showers"), default=0)
    charging = models.PositiveIntegerField(_("phone charges"), default=0)
    consultations = models.PositiveIntegerField(_("medical consultations"), default=0)
    entered_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    entered_at = models.DateTimeField(_("entered"), default=timezone.now)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("day of services")
        verbose_name_plural = _("days of services")
        constraints = [
            models.UniqueConstraint(fields=["centre", "day"], name="sg_service_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.day}"
