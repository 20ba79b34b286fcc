"""Safeguarding services: joint information campaigns.

A campaign carries one message per language (Arabic, Tigrinya, Pashto, Dari, Kurdish, Amharic,
French, English), its channels, dates and, once run, its reach. It goes out only when both
countries have approved it: one approver of a French agency and one of a British agency, each
holding the approver role in safeguarding or in the programme (the campaigns are a programme
measure run by safeguarding teams, so either module's approvers may sign). The same person
cannot approve twice, nor approve what they wrote. Changing the text, channels or dates of an
approved campaign withdraws both approvals: what was approved is what goes out.

Campaigns hold no personal data: anyone with a safeguarding or programme role reads them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core import access, audit
from entente.core.choices import Module, Role
from entente.safeguarding.choices import CampaignLanguage, Channel
from entente.safeguarding.models import Campaign, CampaignMessage

# Written right to left: Arabic, Pashto, Dari and (in Sorani, the script used in Calais) Kurdish.
RTL_LANGUAGES = frozenset({"ar", "ps", "prs", "ku"})
# The BCP 47 tag each message is marked with (Dari is "prs"; Kurdish in Arabic script: Sorani).
LANG_TAGS = {"ku": "ckb"}
MODULES = (Module.SAFEGUARDING, Module.PROGRAMME)
MAX_TEXT = 2000
MAX_TITLE = 200


def direction(language: str) -> str:
    return "rtl" if language in RTL_LANGUAGES else "ltr"


def lang_tag(language: str) -> str:
    return LANG_TAGS.get(language, language)


def _role(user: Any, role: int) -> bool:
    return any(access.has_role(user, m, role) for m in MODULES)


def may_read(user: Any) -> bool:
    return _role(user, Role.VIEWER)


def may_edit(user: Any) -> bool:
    return _role(user, Role.EDITOR)


def may_approve(user: Any) -> bool:
    return _role(user, Role.APPROVER)


def campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.select_related(
        "owner", "approved_fr_by__agency", "approved_uk_by__agency", "created_by"
    ).prefetch_related("messages")


def is_approved(campaign: Campaign) -> bool:
    return campaign.approved_fr_by_id is not None and campaign.approved_uk_by_id is not None


def _check_fields(
    *, title: str, channels: Iterable[str], starts_on: dt.date, ends_on: dt.date | None
) -> list[str]:
    errors: dict[str, str] = {}
    chans = sorted(set(channels))
    if not title.strip():
        errors["title"] = _("Give the campaign a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("The title is too long.")
    unknown = [c for c in chans if c not in Channel.values]
    if unknown:
        errors["channels"] = _("Unknown channel: {channels}.").format(channels=", ".join(unknown))
    elif not chans:
        errors["channels"] = _("Choose at least one channel.")
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("A campaign cannot end before it starts.")
    if errors:
        raise ValidationError(errors)
    return chans


def _clear_approvals(campaign: Campaign) -> None:
    campaign.approved_fr_by = campaign.approved_uk_by = None
    campaign.approved_fr_at = campaign.approved_uk_at = None


@transaction.atomic
def create_campaign(
    acting_user: Any,
    *,
    title: str,
    summary: str = "",
    channels: Iterable[str],
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    messages: dict[str, str] | None = None,
) -> Campaign:
    """A safeguarding or programme editor drafts a campaign for their agency."""
    if not may_edit(acting_user):
        raise PermissionDenied(_("You do not hold the role this needs."))
    chans = _check_fields(title=title, channels=channels, starts_on=starts_on, ends_on=ends_on)
    texts = _check_messages(messages or {})
    campaign = Campaign.objects.create(
        title=title.strip(),
        summary=summary.strip(),
        channels=chans,
        starts_on=starts_on,
        ends_on=ends_on,
        owner=acting_user.agency,
        created_by=acting_user,
    )
    audit.record_create(acting_user, campaign)
    for language, text in texts.items():
        CampaignMessage.objects.create(campaign=campaign, language=language, text=text)
    if texts:
        audit.record(acting_user, "update", campaign, changes={"messages": [[], sorted(texts)]})
    return campaign


def _check_messages(messages: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    texts: dict[str, str] = {}
    for language, text in messages.items():
        if language not in CampaignLanguage.values:
            errors["messages"] = _("Unknown language {language}.").format(language=language)
            continue
        text = (text or "").strip()
        if len(text) > MAX_TEXT:
            errors[f"message_{language}"] = _("The message is too long.")
        elif text:
            texts[language] = text
    if errors:
        raise ValidationError(errors)
    return texts


def _lock(campaign: Campaign) -> Campaign:
    locked: Campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    return locked


def _require_owner_editor(user: Any, campaign: Campaign) -> None:
    if not may_edit(user) or user.agency_id != campaign.owner_id:
        raise PermissionDenied(_("Only editors of the campaign's agency change it."))


@transaction.atomic
def update_campaign(
    acting_user: Any,
    campaign: Campaign,
    *,
    title: str,
    summary: str,
    channels: Iterable[str],
    starts_on: dt.date,
    ends_on: dt.date | None,
    messages: dict[str, str],
) -> Campaign:
    """The owner's editors change a campaign; its messages are replaced by those given (an
    empty text removes a language). Any change withdraws the approvals already given."""
    locked = _lock(campaign)
    _require_owner_editor(acting_user, locked)
    chans = _check_fields(title=title, channels=channels, starts_on=starts_on, ends_on=ends_on)
    texts = _check_messages(messages)
    old_texts = dict(locked.messages.values_list("language", "text"))
    before = audit.snapshot(locked)
    locked.title, locked.summary = title.strip(), summary.strip()
    locked.channels, locked.starts_on, locked.ends_on = chans, starts_on, ends_on
    changed_fields = audit.diff(before, audit.snapshot(locked))
    if not changed_fields and texts == old_texts:
        return locked
    _clear_approvals(locked)
    locked.save()
    locked.messages.exclude(language__in=list(texts)).delete()
    for language, text in texts.items():
        CampaignMessage.objects.update_or_create(
            campaign=locked, language=language, defaults={"text": text}
        )
    changes = audit.diff(before, audit.snapshot(locked))
    changed_langs = sorted(
        {lang for lang in set(texts) | set(old_texts) if texts.get(lang) != old_texts.get(lang)}
    )
    if changed_langs:
        changes["messages"] = changed_langs
    audit.record(acting_user, "update", locked, changes=changes)
    return locked


@transaction.atomic
def approve(acting_user: Any, campaign: Campaign) -> Campaign:
    """An approver of a French agency approves for France, one of a British agency for the
    United Kingdom. Refused: no approver role, a country that already approved, the person who
    already approved for the other side or who wrote the campaign, a campaign with no
    message."""
    if not may_approve(acting_user):
        raise PermissionDenied(_("Only safeguarding or programme approvers approve a campaign."))
    locked = _lock(campaign)
    country = acting_user.agency.country.code
    if country not in ("FR", "UK"):
        raise PermissionDenied(_("Only an approver of a French or British agency approves."))
    if not locked.messages.exists():
        raise ValidationError(_("A campaign needs at least one message before approval."))
    if acting_user.pk in (locked.approved_fr_by_id, locked.approved_uk_by_id):
        raise ValidationError(_("You have already approved this campaign."))
    if acting_user.pk == locked.created_by_id:
        raise ValidationError(_("Its author cannot approve a campaign."))
    slot = "fr" if country == "FR" else "uk"
    if getattr(locked, f"approved_{slot}_by_id") is not None:
        raise ValidationError(
            _("This campaign has already been approved for France.")
            if slot == "fr"
            else _("This campaign has already been approved for the United Kingdom.")
        )
    before = audit.snapshot(locked)
    setattr(locked, f"approved_{slot}_by", acting_user)
    setattr(locked, f"approved_{slot}_at", timezone.now())
    locked.save()
    audit.record_update(acting_user, locked, before)
    return locked


@transaction.atomic
def record_reach(acting_user: Any, campaign: Campaign, reach: int) -> Campaign:
    """The owner's editors record how many people a campaign reached, once both countries
    approved it."""
    locked = _lock(campaign)
    _require_owner_editor(acting_user, locked)
    if not is_approved(locked):
        raise ValidationError(_("A campaign reaches people only once both countries approved it."))
    if reach < 0:
        raise ValidationError({"reach": _("Reach cannot be negative.")})
    before = audit.snapshot(locked)
    locked.reach = reach
    locked.save()
    audit.record_update(acting_user, locked, before)
    return locked
