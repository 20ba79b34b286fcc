"""Retention: policies per record type, ``entente purge_expired`` erases or anonymises what is
past them, reports it per record type, audits it, and the audit chain still verifies."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from entente.core.audit import verify_chain
from entente.core.models import AuditEntry
from entente.safeguarding.models import Person, Referral, RetentionPolicy, Screening
from entente.safeguarding.services import people, referrals, retention
from tests.safeguarding.people_factories import adult, child, user

pytestmark = pytest.mark.django_db


def _age(model: type, pk: int, field: str, days: int) -> None:
    model.objects.filter(pk=pk).update(**{field: timezone.now() - dt.timedelta(days=days)})


def _old_world() -> dict[str, int]:
    retention.load_defaults()
    old = adult(
        name="Old Name", name_purpose="asylum", details="old details", indicators=["health"]
    )
    recent = adult(details="recent details")
    screening = people.record_screening(
        user("caseworker.lva"), old, place="Jules Ferry", language="ti", notes="old notes"
    )
    minor = child()
    referral = referrals.refer(
        user("caseworker.lva"),
        minor,
        purpose="child_protection",
        to_agency=user("officer.iom").agency,
        reason="old reason",
    )
    Referral.objects.filter(pk=referral.pk).update(
        state="done", closed_at=timezone.now() - dt.timedelta(days=800)
    )
    _age(Person, old.pk, "updated_at", 4 * 365)
    _age(Screening, screening.pk, "screened_at", 400)
    return {"old": old.pk, "recent": recent.pk, "screening": screening.pk, "referral": referral.pk}


def test_the_defaults_cover_each_record_type_once() -> None:
    retention.load_defaults()
    retention.load_defaults()
    assert sorted(RetentionPolicy.objects.values_list("record_type", flat=True)) == sorted(
        retention.RECORD_TYPES
    )


def test_purge_anonymises_and_erases_what_is_past_retention_and_keeps_the_rest() -> None:
    ids = _old_world()
    out = StringIO()
    call_command("purge_expired", stdout=out)
    report = out.getvalue()
    assert "safeguarding.person (kept 1095 days, then anonymise): 0 were erased, 1 were" in report
    assert "safeguarding.screening (kept 365 days, then erase): 1 were erased" in report
    old = Person.objects.get(pk=ids["old"])
    assert old.anonymised_at is not None
    assert (old.name, old.details, old.indicators, old.birth_date, old.name_purpose) == (
        None,
        None,
        None,
        None,
        "",
    )
    assert old.age_band and old.case_code  # the counts remain
    assert Person.objects.get(pk=ids["recent"]).details == "recent details"
    assert not Screening.objects.filter(pk=ids["screening"]).exists()
    referral = Referral.objects.get(pk=ids["referral"])
    assert referral.reason is None and referral.purpose == "child_protection"
    assert AuditEntry.objects.filter(actor_username="purge_expired").count() >= 4
    assert verify_chain().ok
    call_command("audit_verify", stdout=StringIO())


def test_a_dry_run_reports_and_changes_nothing() -> None:
    ids = _old_world()
    entries = AuditEntry.objects.count()
    out = StringIO()
    call_command("purge_expired", "--dry-run", stdout=out)
    assert "1 would be anonymised" in out.getvalue() and "dry run" in out.getvalue()
    assert Person.objects.get(pk=ids["old"]).details == "old details"
    assert Screening.objects.filter(pk=ids["screening"]).exists()
    assert AuditEntry.objects.count() == entries


def test_a_second_purge_finds_nothing_more() -> None:
    _old_world()
    retention.purge()
    again = retention.purge()
    assert all(o.erased == o.anonymised == 0 for o in again)
    assert verify_chain().ok


def test_an_erased_person_still_referred_is_anonymised_instead() -> None:
    retention.load_defaults()
    RetentionPolicy.objects.filter(record_type="safeguarding.person").update(action="erase")
    minor = child(details="to go")
    referrals.refer(
        user("caseworker.lva"), minor, purpose="medical", to_agency=user("officer.iom").agency
    )
    _age(Person, minor.pk, "updated_at", 4 * 365)
    outcome = {o.record_type: o for o in retention.purge()}["safeguarding.person"]
    assert (outcome.erased, outcome.anonymised) == (0, 1)
    assert Person.objects.get(pk=minor.pk).details is None
    assert verify_chain().ok
