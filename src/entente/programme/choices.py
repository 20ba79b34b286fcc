"""Choices of the programme app, each with its English and French label (through gettext)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Currency(models.TextChoices):
    EUR = "EUR", _("Euro")
    GBP = "GBP", _("Pound sterling")


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("measure", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("measure", "In progress")
    DONE = "done", pgettext_lazy("measure", "Done")
    DROPPED = "dropped", pgettext_lazy("measure", "Dropped")


class IndicatorSource(models.TextChoices):
    COMPUTED = "computed", _("Computed from operations")
    ENTERED = "entered", _("Entered with its source")


class TargetDirection(models.TextChoices):
    AT_LEAST = "at_least", _("At least")
    AT_MOST = "at_most", _("At most")


class InspectionState(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("inspection", "Planned")
    OPEN = "open", pgettext_lazy("inspection", "In progress")
    CLOSED = "closed", pgettext_lazy("inspection", "Closed")


class Severity(models.IntegerChoices):
    LOW = 1, pgettext_lazy("finding", "Low")
    MEDIUM = 2, pgettext_lazy("finding", "Medium")
    HIGH = 3, pgettext_lazy("finding", "High")


class ActionState(models.TextChoices):
    OPEN = "open", pgettext_lazy("inspection action", "Open")
    DONE = "done", pgettext_lazy("inspection action", "Done")
    CARRIED = "carried", pgettext_lazy("inspection action", "Carried to the next inspection")
