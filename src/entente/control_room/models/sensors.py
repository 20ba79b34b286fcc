"""Zones and sensors of the integrated control room, the alerts they send, the daily counts."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.control_room.choices import AlertKind, SensorKind, ZoneKind
from entente.core.models.reference import BilingualNameMixin


class Zone(BilingualNameMixin):
    """An area within a site (a freight platform, the ring-road access): a GeoJSON polygon."""

    site = models.ForeignKey(
        "core.Site", on_delete=models.PROTECT, related_name="zones", verbose_name=_("site")
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ZoneKind.choices)
    polygon = models.JSONField(_("polygon (GeoJSON)"), default=dict, blank=True)

    class Meta:
        ordering = ["site__code", "code"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")


class Sensor(models.Model):
    """A detector or camera of an agency, placed in a zone; it reports alerts and heartbeats."""

    code = models.CharField(_("reference"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SensorKind.choices)
    zone = models.ForeignKey(
        Zone, on_delete=models.PROTECT, related_name="sensors", verbose_name=_("zone")
    )
    owner = models.ForeignKey(
        "core.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    heartbeat_seconds = models.PositiveIntegerField(_("expected heartbeat (seconds)"), default=300)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("sensor")
        verbose_name_plural = _("sensors")

    def __str__(self) -> str:
        return self.code


class Alert(models.Model):
    """One event reported by a sensor. (sensor, event id) is unique: a retried batch adds nothing.

    Alerts carry no marking of their own: they are seen through their incident.
    """

    # No index of its own: the unique (sensor, event id) index serves lookups by sensor, and
    # a second one cost every alert written another index entry (benchmarks/ingest.py).
    # No foreign key constraint on either reference: on PostgreSQL, triggers check them once
    # per statement instead of once per row, with the same guarantees (migration 0008).
    sensor = models.ForeignKey(
        Sensor,
        on_delete=models.PROTECT,
        related_name="alerts",
        verbose_name=_("sensor"),
        db_index=False,
        db_constraint=False,
    )
    event_id = models.CharField(_("event id"), max_length=100)
    occurred_at = models.DateTimeField(_("occurred"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    confidence = models.FloatField(_("confidence"))
    details = models.JSONField(_("details"), default=dict, blank=True)
    incident = models.ForeignKey(
        "control_room.Incident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("incident"),
        db_constraint=False,
    )

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["sensor", "event_id"],
                name="cr_alert_once_per_event",
                violation_error_message=_("This sensor already sent this event."),
            ),
            models.CheckConstraint(
                condition=models.Q(confidence__gte=0, confidence__lte=1),
                name="cr_alert_confidence_range",
                violation_error_message=_("Confidence lies between 0 and 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sensor_id}:{self.event_id}"


class DailyCount(models.Model):
    """Intrusion attempts of one day at one site, imported from the records kept before Entente
    (the summer-2015 figures); days Entente saw are computed from its incidents instead."""

    site = models.ForeignKey(
        "core.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    day = models.DateField(_("day"))
    attempts = models.PositiveIntegerField(_("intrusion attempts"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        ordering = ["site", "day"]
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "day"],
                name="cr_dailycount_one_per_day",
                violation_error_message=_("This site already has a count for this day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.day}: {self.attempts}"
