"""Reference data: the countries of the programme, their agencies and the sites."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from entente.core.choices import AgencyKind, SiteKind


class BilingualNameMixin(models.Model):
    """A name held in English and in French; ``name`` is the one in the active language."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_fr if (get_language() or "en").startswith("fr") else self.name_en


class Country(BilingualNameMixin):
    """A country of the bilateral programme. A second programme adds rows, not code."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64)

    class Meta:
        ordering = ["code"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")


class Agency(BilingualNameMixin):
    """An agency or organisation taking part; every user belongs to exactly one."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("country")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)

    class Meta:
        ordering = ["country__code", "code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Site(BilingualNameMixin):
    """A place the joint command works at: terminals, the port, day centre, command centres."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="sites", verbose_name=_("country")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    operator = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sites",
        verbose_name=_("operator"),
    )

    class Meta:
        ordering = ["country__code", "code"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90)
                & models.Q(longitude__gte=-180, longitude__lte=180),
                name="core_site_coordinates_valid",
                violation_error_message=_(
                    "Latitude must lie in [-90, 90] and longitude in [-180, 180]."
                ),
            )
        ]

    @property
    def timezone(self) -> str:
        return self.country.timezone
