"""Indicators and their targets: computed from operations (through the other apps' services)
or entered with their source."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.programme.choices import IndicatorSource, TargetDirection


class Indicator(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    definition_en = models.TextField(_("definition (English)"))
    definition_fr = models.TextField(_("definition (French)"))
    unit_en = models.CharField(_("unit (English)"), max_length=60)
    unit_fr = models.CharField(_("unit (French)"), max_length=60)
    source = models.CharField(_("source"), max_length=10, choices=IndicatorSource.choices)
    # For computed indicators: the key of the computation (entente.programme.computations).
    computation = models.CharField(_("computation"), max_length=40, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=Q(source=IndicatorSource.ENTERED) | ~Q(computation=""),
                name="prog_indicator_computed_has_computation",
            )
        ]

    def __str__(self) -> str:
        return self.code


class Target(models.Model):
    """A target over a period: at least (or at most) a value."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    direction = models.CharField(
        _("direction"),
        max_length=10,
        choices=TargetDirection.choices,
        default=TargetDirection.AT_LEAST,
    )
    basis = models.CharField(_("where the target comes from"), max_length=300, blank=True)

    class Meta:
        ordering = ["indicator", "starts_on"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="prog_target_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.starts_on}..{self.ends_on}"


class IndicatorValue(models.Model):
    """A value entered by hand for a period, with where it comes from."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    source_note = models.CharField(_("source"), max_length=300)
    entered_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    entered_at = models.DateTimeField(_("entered"), default=timezone.now)

    class Meta:
        ordering = ["indicator", "starts_on"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="prog_value_period"
            ),
            models.UniqueConstraint(
                fields=["indicator", "starts_on", "ends_on"], name="prog_value_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.starts_on}..{self.ends_on}"
