"""People, minimised: a case code rather than a name, an age band rather than a birth date,
special-category details encrypted at rest (entente.core.models.encrypted)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.core.choices import Module
from entente.core.models import MarkedModel
from entente.core.models.encrypted import EncryptedJSONField, EncryptedTextField
from entente.safeguarding.choices import AgeBand, Gender, Purpose


class Person(MarkedModel):
    """A person met by the safeguarding teams. The originator is the organisation holding the
    case; organisations it is referred to are named on it (so NGO users see only their cases).

    Clear fields are the minimised ones everybody with a safeguarding role may see (and police
    may learn that a person is vulnerable); the encrypted ones are for safeguarding roles outside
    law enforcement only (``entente.core.access.may_read_special_category``).
    """

    access_module = Module.SAFEGUARDING

    case_code = models.CharField(_("case code"), max_length=20, unique=True)
    name = EncryptedTextField(_("name"), help_text=_("Only when needed, with its purpose."))
    name_purpose = models.CharField(_("why the name is kept"), max_length=200, blank=True)
    birth_date = EncryptedTextField(_("date of birth"))
    age_band = models.CharField(_("age band"), max_length=5, choices=AgeBand.choices)
    estimated_age = models.PositiveSmallIntegerField(_("estimated age"), null=True, blank=True)
    age_disputed = models.BooleanField(_("age disputed"), default=False)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    nationality = models.CharField(_("nationality (declared)"), max_length=2, blank=True)
    vulnerable = models.BooleanField(_("vulnerable"), default=False)
    # Special category: which vulnerabilities (entente.safeguarding.choices.Vulnerability) and
    # the health and trafficking details behind them.
    indicators = EncryptedJSONField(_("vulnerability indicators"))
    details = EncryptedTextField(_("vulnerability details"))
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.case_code


class Screening(models.Model):
    """One vulnerability screening of a person: where, by whom, in which language."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="screenings")
    screened_at = models.DateTimeField(_("screened"), default=timezone.now)
    screened_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("screened by")
    )
    place = models.CharField(_("where"), max_length=200, blank=True)
    language = models.CharField(_("language used"), max_length=5, blank=True)
    vulnerable = models.BooleanField(_("vulnerable"), default=False)
    indicators = EncryptedJSONField(_("vulnerability indicators"))
    notes = EncryptedTextField(_("notes"))

    class Meta:
        ordering = ["-screened_at"]
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")

    def __str__(self) -> str:
        return f"{self.person_id} {self.screened_at:%Y-%m-%d}"


class Consent(models.Model):
    """Consent (or its refusal) for one purpose and one recipient country, as explained."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    country = models.ForeignKey(
        "core.Country",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recipient country"),
    )
    given = models.BooleanField(_("consents"), default=True)
    explained_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("explained by")
    )
    language = models.CharField(_("explained in"), max_length=5)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.person_id} {self.purpose} {self.country_id}"
