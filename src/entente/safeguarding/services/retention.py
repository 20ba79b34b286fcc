"""Safeguarding services: retention.

One ``RetentionPolicy`` row per record type says how long a record is kept after the date it
is measured from, and what happens after: erased (the row goes) or anonymised (the encrypted
fields and the name are cleared, the row and its clear minimised fields stay, so counts and
statistics still add up). ``purge`` applies them (``entente purge_expired``), audits each
record it touches as the system, and leaves the audit chain whole: entries are appended,
never edited.

A record still needed by another is not erased: a consent under which a referral was made
stays until that referral goes; a person whose referrals remain is anonymised instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import ProtectedError, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.core import audit
from entente.core.choices import AuditAction
from entente.core.models import Recipient
from entente.safeguarding.choices import RetentionAction
from entente.safeguarding.models import Consent, Person, Referral, RetentionPolicy, Screening

ACTOR = "purge_expired"


@dataclass(frozen=True)
class Default:
    record_type: str
    keep_days: int
    action: str
    basis: Any


# The defaults, documented in docs/safeguarding/data-protection.*.md and loaded by the demo.
DEFAULTS = (
    Default(
        "safeguarding.person",
        3 * 365,
        RetentionAction.ANONYMISE,
        _(
            "Three years after the last change to the case (the time a protection or asylum "
            "pathway takes); then anonymised, so that the counts of people helped remain."
        ),
    ),
    Default(
        "safeguarding.screening",
        365,
        RetentionAction.ERASE,
        _(
            "One year: what a screening found is carried on the person's record; its notes "
            "are not needed after the referral."
        ),
    ),
    Default(
        "safeguarding.consent",
        3 * 365,
        RetentionAction.ERASE,
        _("Three years after it was recorded, unless a referral made under it is kept."),
    ),
    Default(
        "safeguarding.referral",
        2 * 365,
        RetentionAction.ANONYMISE,
        _(
            "Two years after the referral closed; then its reasons are cleared and the "
            "referral kept as a count (purpose, organisation, dates)."
        ),
    ),
)

# What each record type's age is measured from, which rows are due, and how each action
# applies to it.
_DATE_FIELD = {
    "safeguarding.person": "updated_at",
    "safeguarding.screening": "screened_at",
    "safeguarding.consent": "recorded_at",
    "safeguarding.referral": "closed_at",
}
_ENCRYPTED = {
    "safeguarding.person": ("name", "birth_date", "indicators", "details"),
    "safeguarding.screening": ("indicators", "notes"),
    "safeguarding.consent": (),
    "safeguarding.referral": ("reason", "override_reason"),
}
_MODELS: dict[str, type[models.Model]] = {
    "safeguarding.person": Person,
    "safeguarding.screening": Screening,
    "safeguarding.consent": Consent,
    "safeguarding.referral": Referral,
}
RECORD_TYPES = tuple(_MODELS)


@transaction.atomic
def load_defaults() -> list[RetentionPolicy]:
    """Create the default policies that are missing (an edited policy is left as it is)."""
    rows = []
    for d in DEFAULTS:
        policy, created = RetentionPolicy.objects.get_or_create(
            record_type=d.record_type,
            defaults={"keep_days": d.keep_days, "action": d.action, "basis": str(d.basis)},
        )
        if created:
            audit.record_create(None, policy, purpose="default retention policy")
        rows.append(policy)
    return rows


@dataclass
class Outcome:
    """What ``purge`` did (or, dry, would do) for one record type."""

    record_type: str
    action: str
    keep_days: int
    erased: int = 0
    anonymised: int = 0
    kept: int = 0  # past retention but still needed by another record
    ids: list[int] = field(default_factory=list)


def _due(record_type: str, policy: RetentionPolicy, now: dt.datetime) -> QuerySet[Any]:
    model = _MODELS[record_type]
    cutoff = now - dt.timedelta(days=policy.keep_days)
    date_field = _DATE_FIELD[record_type]
    qs = model._default_manager.filter(**{f"{date_field}__lt": cutoff})
    if record_type == "safeguarding.person":
        qs = qs.filter(anonymised_at__isnull=True)
    elif policy.action == RetentionAction.ANONYMISE:
        # Anonymised once: those with something left to clear.
        qs = qs.filter(_any_set(_ENCRYPTED[record_type]))
    return qs.order_by("pk")


def _any_set(names: tuple[str, ...]) -> models.Q:
    q = models.Q(pk__in=[])
    for name in names:
        q |= models.Q(**{f"{name}__isnull": False})
    return q


def _anonymise(obj: models.Model, record_type: str, now: dt.datetime) -> None:
    before = audit.snapshot(obj)
    names = list(_ENCRYPTED[record_type])
    for name in names:
        setattr(obj, name, None)
    if isinstance(obj, Person):
        obj.name_purpose = ""
        obj.anonymised_at = now
        names += ["name_purpose", "anonymised_at"]
    obj.save(update_fields=names)
    audit.record(
        None,
        AuditAction.UPDATE,
        obj,
        purpose="retention: anonymised",
        changes={**audit.diff(before, audit.snapshot(obj)), "cleared": sorted(names)},
        actor_label=ACTOR,
    )


def _erase(obj: models.Model) -> bool:
    """Delete the row (and the named recipients of a marked one); False when another record
    still needs it."""
    pk = obj.pk
    try:
        with transaction.atomic():
            audit.record(
                None,
                AuditAction.DELETE,
                obj,
                purpose="retention: erased",
                changes={"before": audit.snapshot(obj)},
                actor_label=ACTOR,
            )
            obj.delete()
            ct = ContentType.objects.get_for_model(type(obj))
            Recipient.objects.filter(content_type=ct, object_id=pk).delete()
    except ProtectedError:
        return False
    return True


def purge(*, dry_run: bool = False, now: dt.datetime | None = None) -> list[Outcome]:
    """Apply every policy; one transaction per record type. ``dry_run`` counts only."""
    now = now or timezone.now()
    outcomes = []
    policies = {p.record_type: p for p in RetentionPolicy.objects.all()}
    # Referrals before consents and people (they hold on to them).
    order = ("safeguarding.referral", "safeguarding.screening", "safeguarding.consent")
    for record_type in (*order, "safeguarding.person"):
        policy = policies.get(record_type)
        if policy is None:
            continue
        outcome = Outcome(record_type, policy.action, policy.keep_days)
        with transaction.atomic():
            for obj in _due(record_type, policy, now).select_for_update():
                outcome.ids.append(obj.pk)
                if policy.action == RetentionAction.ERASE:
                    if dry_run or _erase(obj):
                        outcome.erased += 1
                    elif isinstance(obj, Person) and obj.anonymised_at is None:
                        # Its referrals remain: what identifies the person goes all the same.
                        _anonymise(obj, record_type, now)
                        outcome.anonymised += 1
                    else:
                        outcome.kept += 1
                else:
                    if not dry_run:
                        _anonymise(obj, record_type, now)
                    outcome.anonymised += 1
            if not dry_run and (outcome.erased or outcome.anonymised):
                audit.record(
                    None,
                    AuditAction.DELETE,
                    object_type="safeguarding.retentionpolicy",
                    object_id=str(policy.pk),
                    purpose="retention: purge_expired",
                    changes={
                        "record_type": record_type,
                        "erased": outcome.erased,
                        "anonymised": outcome.anonymised,
                        "kept": outcome.kept,
                    },
                    actor_label=ACTOR,
                )
        outcomes.append(outcome)
    return outcomes
