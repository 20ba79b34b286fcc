"""Information campaigns: messages in eight languages (right-to-left ones marked), approval by
one French and one British approver (never the same person, never the author), changes that
withdraw approvals, reach once approved; the pages and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from entente.core.models import Agency, User
from entente.safeguarding.models import Campaign
from entente.safeguarding.services import campaigns
from tests.safeguarding import care_factories as make

pytestmark = pytest.mark.django_db

Persona = Callable[[str], User]
MESSAGES = {
    "ar": "يمكنك طلب اللجوء في فرنسا.",
    "ti": "ኣብ ፈረንሳ ዑቕባ ክትሓትት ትኽእል ኢኻ።",
    "ps": "تاسو کولی شئ په فرانسه کې د پناه غوښتنه وکړئ.",
    "prs": "شما می‌توانید در فرانسه درخواست پناهندگی کنید.",
    "ku": "دەتوانیت لە فەرەنسا داوای پەنابەری بکەیت.",
    "am": "በፈረንሳይ ጥገኝነት መጠየቅ ይችላሉ።",
    "fr": "Vous pouvez demander l’asile en France.",
    "en": "You can apply for asylum in France.",
}


def _uk_approver() -> User:
    return make.user("approver.homeoffice", Agency.objects.get(code="HO"), {"programme": 30})


def _draft(author: User) -> Campaign:
    return campaigns.create_campaign(
        author,
        title="Asylum in France",
        channels=["leaflet", "outreach"],
        starts_on=dt.date(2015, 10, 1),
        ends_on=dt.date(2015, 12, 31),
        messages=MESSAGES,
    )


def test_both_countries_approve_then_reach_is_recorded(persona: Persona) -> None:
    lva = persona("caseworker.lva")
    campaign = _draft(lva)
    assert campaign.messages.count() == 8
    with pytest.raises(ValidationError, match="both countries"):
        campaigns.record_reach(lva, campaign, 1000)
    campaigns.approve(persona("safeguarding.pref"), campaign)
    assert not campaigns.is_approved(Campaign.objects.get(pk=campaign.pk))
    campaigns.approve(_uk_approver(), campaign)
    campaign.refresh_from_db()
    assert campaigns.is_approved(campaign)
    campaigns.record_reach(lva, campaign, 4500)
    campaign.refresh_from_db()
    assert campaign.reach == 4500


def test_the_same_person_or_country_cannot_approve_twice(persona: Persona) -> None:
    campaign = _draft(persona("caseworker.lva"))
    pref = persona("safeguarding.pref")
    campaigns.approve(pref, campaign)
    with pytest.raises(ValidationError, match="already approved"):
        campaigns.approve(pref, campaign)
    with pytest.raises(ValidationError, match="already been approved for France"):
        campaigns.approve(persona("programme.interieur"), campaign)
    campaign.refresh_from_db()
    assert campaign.approved_fr_by_id == pref.pk and campaign.approved_uk_by_id is None


def test_who_may_not_approve(persona: Persona) -> None:
    author = persona("safeguarding.pref")
    campaign = _draft(author)
    with pytest.raises(ValidationError, match="author"):
        campaigns.approve(author, campaign)
    for username in ("caseworker.lva", "programme.homeoffice", "gold.kent", "officer.iom"):
        with pytest.raises(PermissionDenied):
            campaigns.approve(persona(username), campaign)
    campaign.refresh_from_db()
    assert campaign.approved_fr_by_id is None and campaign.approved_uk_by_id is None


def test_a_change_withdraws_the_approvals(persona: Persona) -> None:
    lva = persona("caseworker.lva")
    campaign = _draft(lva)
    campaigns.approve(persona("safeguarding.pref"), campaign)
    campaigns.approve(_uk_approver(), campaign)
    campaigns.update_campaign(
        lva,
        campaign,
        title=campaign.title,
        summary="",
        channels=campaign.channels,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        messages={**MESSAGES, "en": "You can ask for asylum in France."},
    )
    campaign.refresh_from_db()
    assert campaign.approved_fr_by_id is None and campaign.approved_uk_by_id is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"channels": []}, "at least one channel"),
        ({"channels": ["pigeon"]}, "Unknown channel"),
        ({"ends_on": dt.date(2015, 9, 1)}, "end before it starts"),
        ({"title": " "}, "title"),
    ],
)
def test_bad_campaigns_are_refused(persona: Persona, fields: dict[str, Any], message: str) -> None:
    data: dict[str, Any] = {
        "title": "T",
        "channels": ["leaflet"],
        "starts_on": dt.date(2015, 10, 1),
        **fields,
    }
    with pytest.raises(ValidationError, match=message):
        campaigns.create_campaign(persona("caseworker.lva"), **data)
    assert not Campaign.objects.exists()


def test_right_to_left_messages_are_marked(persona: Persona, login: Callable[[str], Any]) -> None:
    campaign = _draft(persona("caseworker.lva"))
    body = (
        login("programme.homeoffice")
        .get(reverse("safeguarding:campaign_detail", args=[campaign.pk]))
        .content.decode()
    )
    assert f'lang="ar" dir="rtl">{MESSAGES["ar"]}' in body
    assert f'lang="ps" dir="rtl">{MESSAGES["ps"]}' in body
    assert f'lang="prs" dir="rtl">{MESSAGES["prs"]}' in body
    assert f'lang="ckb" dir="rtl">{MESSAGES["ku"]}' in body
    assert f'lang="ti" dir="ltr">{MESSAGES["ti"]}' in body
    assert f'lang="am" dir="ltr">{MESSAGES["am"]}' in body
    form = login("caseworker.lva").get(reverse("safeguarding:campaign_edit", args=[campaign.pk]))
    assert 'lang="ar" dir="rtl"' in form.content.decode()


def test_the_api_drafts_approves_and_refuses(persona: Persona, login: Callable[[str], Any]) -> None:
    client = login("caseworker.lva")
    made = client.post(
        "/api/v1/safeguarding/campaigns",
        {
            "title": "Winter",
            "channels": ["radio"],
            "starts_on": "2015-10-15",
            "messages": {"ar": MESSAGES["ar"], "en": MESSAGES["en"]},
        },
        content_type="application/json",
    )
    assert made.status_code == 201
    out = made.json()
    assert {m["language"]: m["dir"] for m in out["messages"]} == {"ar": "rtl", "en": "ltr"}
    approved = login("safeguarding.pref").post(
        f"/api/v1/safeguarding/campaigns/{out['id']}/approve"
    )
    assert approved.status_code == 200 and approved.json()["approved_fr_by"] == "safeguarding.pref"
    again = login("programme.interieur").post(f"/api/v1/safeguarding/campaigns/{out['id']}/approve")
    assert again.status_code == 422
    assert again["Content-Type"].startswith("application/problem+json")
