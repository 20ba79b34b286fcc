"""Safeguarding services: consent, per purpose and per recipient country.

A person consents (or declines) to one purpose (a kind of referral) with organisations of one
country; the record says who explained it and in which language. A withdrawn consent no longer
counts, for referrals made after it (a referral made under it stays, and the receiving
organisation is told by revoking it). ``consent_for`` is what the referral service asks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core import access, audit
from entente.core.choices import Module, Role
from entente.core.models import Country, User
from entente.safeguarding.choices import Purpose
from entente.safeguarding.models import Consent, Person
from entente.safeguarding.services.people import LANGUAGE_CODE


def consents_of(person: Person) -> QuerySet[Consent]:
    return person.consents.select_related("country", "explained_by").order_by("-recorded_at")


def consent_for(person: Person, purpose: str, country_code: str) -> Consent | None:
    """The standing consent of a person to a purpose with a country's organisations: the
    latest one recorded, when it was given and has not been withdrawn."""
    latest = (
        person.consents.filter(purpose=purpose, country__code=country_code)
        .order_by("-recorded_at", "-pk")
        .first()
    )
    if latest is None or not latest.given or latest.withdrawn_at is not None:
        return None
    return latest


@transaction.atomic
def record_consent(
    acting_user: Any,
    person: Person,
    *,
    purpose: str,
    country: str,
    given: bool,
    language: str,
    explained_by: User | None = None,
) -> Consent:
    """Record that the person consents (``given``) or declines, to one purpose with one
    country's organisations, explained by a user of the acting organisation in a language."""
    access.require_role(acting_user, Module.SAFEGUARDING, Role.EDITOR)
    if not access.can_view(acting_user, person):
        raise PermissionDenied(_("You may not see this person."))
    errors: dict[str, str] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = _("Unknown purpose {purpose}.").format(purpose=purpose)
    found = Country.objects.filter(code=(country or "").strip().upper()).first()
    if found is None:
        errors["country"] = _("Unknown country {code}.").format(code=country)
    language = (language or "").strip().lower()
    if not LANGUAGE_CODE.match(language):
        errors["language"] = _("The language it was explained in, as a two- or three-letter code.")
    explainer = explained_by or acting_user
    if explainer.agency_id != acting_user.agency_id:
        errors["explained_by"] = _("Someone of your organisation explained it.")
    if errors or found is None:
        raise ValidationError(errors)
    consent = Consent.objects.create(
        person=person,
        purpose=purpose,
        country=found,
        given=bool(given),
        explained_by=explainer,
        language=language,
    )
    audit.record_create(acting_user, consent)
    return consent


@transaction.atomic
def withdraw_consent(
    acting_user: Any, consent: Consent, *, at: dt.datetime | None = None
) -> Consent:
    """The person withdraws a consent: it no longer allows referrals."""
    access.require_role(acting_user, Module.SAFEGUARDING, Role.EDITOR)
    locked = Consent.objects.select_for_update().select_related("person").get(pk=consent.pk)
    if not access.can_view(acting_user, locked.person):
        raise PermissionDenied(_("You may not see this person."))
    if locked.withdrawn_at is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    if not locked.given:
        raise ValidationError(_("The person declined: there is nothing to withdraw."))
    before = audit.snapshot(locked)
    locked.withdrawn_at = at or timezone.now()
    locked.save(update_fields=["withdrawn_at"])
    audit.record_update(acting_user, locked, before)
    return locked
