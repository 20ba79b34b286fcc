"""Joint investigations: two lead agencies of the right countries, members named as
recipients (so the access policy lets them see the file), writes gated by membership, linked
reports and entities the writer can see, tasks with deadlines, and actions with their court
outcome. Every refusal leaves nothing written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from entente.core.choices import TLP, Classification
from entente.core.models import Agency, AuditEntry, User
from entente.intelligence.models import Entity, Report
from entente.investigations.choices import MemberAccess
from entente.investigations.models import Action, Investigation, Member, Task
from entente.investigations.services import actions, cases

pytestmark = pytest.mark.django_db

Persona = Callable[[str], User]
ON = dt.date(2015, 3, 2)


def agency(code: str) -> Agency:
    return Agency.objects.select_related("country").get(code=code)


def open_file(persona: Persona, **kw: Any) -> Investigation:
    fields: dict[str, Any] = {
        "acting_user": persona("investigator.ocriest"),
        "title": "Coquelles lorry network",
        "lead_fr": agency("OCRIEST"),
        "lead_uk": agency("NCA"),
        "opened_on": ON,
    }
    fields.update(kw)
    return cases.open_investigation(**fields)


def entity(
    name: str, *, releasable: tuple[str, ...] = ("FR", "UK"), tlp: str = TLP.GREEN
) -> Entity:
    return Entity.objects.create(
        kind="person",
        name=name,
        classification=Classification.OFFICIAL,
        releasability=set(releasable),
        tlp=tlp,
        originator=agency("DCPAF"),
    )


def report(reference: str, *, releasable: tuple[str, ...], tlp: str = TLP.GREEN) -> Report:
    return Report.objects.create(
        reference=reference,
        title=reference,
        body="Lorries.",
        language="fr",
        grading_scheme="admiralty",
        source_grade="B",
        information_grade="2",
        classification=Classification.OFFICIAL,
        releasability=set(releasable),
        tlp=tlp,
        originator=agency("DCPAF"),
    )


def visible(user: User) -> list[str]:
    return list(Investigation.objects.visible_to(user).values_list("reference", flat=True))


def test_opening_names_the_leads_and_the_author_as_lead_member(persona: Persona):
    inv = open_file(persona)
    assert inv.reference == "JIT-2015-001"
    assert inv.releasability == frozenset({"FR", "UK"})
    assert cases.access_of(persona("investigator.ocriest"), inv) == MemberAccess.LEAD
    # TLP:AMBER: both lead agencies see it; other agencies do not until their people are members.
    assert visible(persona("analyst.nca")) == [inv.reference]
    assert visible(persona("gold.kent")) == []
    assert visible(persona("caseworker.lva")) == []


def test_a_member_is_named_so_the_policy_lets_them_see_a_red_file(persona: Persona):
    inv = open_file(persona, tlp=TLP.RED)
    gold = persona("gold.kent")
    assert visible(persona("analyst.nca")) == []  # RED: the lead agency alone is not enough
    cases.set_member(
        inv, acting_user=persona("investigator.ocriest"), user=gold, access_level=MemberAccess.LEAD
    )
    assert visible(gold) == [inv.reference]
    cases.remove_member(inv, acting_user=gold, user=persona("investigator.ocriest"))
    assert visible(persona("investigator.ocriest")) == [inv.reference]  # still its author
    cases.set_member(
        inv, acting_user=gold, user=persona("analyst.nca"), access_level=MemberAccess.READ
    )
    assert visible(persona("analyst.nca")) == [inv.reference]
    cases.remove_member(inv, acting_user=gold, user=persona("analyst.nca"))
    assert visible(persona("analyst.nca")) == []


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("lead_fr", {"lead_fr": "KENTPOL"}),  # a British agency on the French side
        ("lead_uk", {"lead_uk": "PN"}),
        ("lead_fr", {"lead_fr": "EUROTUNNEL"}),  # an operator leads no investigation
        ("lead_fr", {"lead_fr": "PN"}),  # the author's agency is neither lead
        ("tlp", {"tlp": TLP.GREEN}),
        ("title", {"title": "  "}),
    ],
)
def test_it_refuses_a_wrong_file_and_writes_nothing(persona: Persona, field: str, change: dict):
    kw = {k: agency(v) if k.startswith("lead") else v for k, v in change.items()}
    before = AuditEntry.objects.count()
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        open_file(persona, **kw)
    assert field in refused.value.message_dict
    assert not Investigation.objects.exists() and not Member.objects.exists()
    assert AuditEntry.objects.count() == before


def test_a_member_needs_an_investigations_role_and_editors_to_contribute(persona: Persona):
    inv = open_file(persona)
    lead = persona("investigator.ocriest")
    for who, level in (
        ("officer.dcpaf", MemberAccess.READ),  # intelligence only
        ("caseworker.lva", MemberAccess.READ),  # never sees investigations
        ("analyst.nca", MemberAccess.CONTRIBUTE),  # investigations viewer
    ):
        with pytest.raises(ValidationError) as refused:
            cases.set_member(inv, acting_user=lead, user=persona(who), access_level=level)
        assert "user" in refused.value.message_dict
    assert list(inv.members.values_list("user__username", flat=True)) == ["investigator.ocriest"]


def test_the_last_lead_cannot_leave_or_be_demoted(persona: Persona):
    inv = open_file(persona)
    lead = persona("investigator.ocriest")
    with pytest.raises(ValidationError):
        cases.set_member(inv, acting_user=lead, user=lead, access_level=MemberAccess.READ)
    with pytest.raises(ValidationError):
        cases.remove_member(inv, acting_user=lead, user=lead)
    assert cases.access_of(lead, inv) == MemberAccess.LEAD


def test_writes_need_membership_with_contribute_access(persona: Persona):
    inv = open_file(persona)
    lead = persona("investigator.ocriest")
    gold = persona("gold.pn")
    arrest = actions.ActionInput("arrest", "FR", dt.date(2015, 4, 1), people=2)
    with pytest.raises(PermissionDenied):  # an approver, but not a member
        actions.record_action(inv, acting_user=gold, data=arrest)
    cases.set_member(inv, acting_user=lead, user=gold, access_level=MemberAccess.READ)
    with pytest.raises(PermissionDenied):  # a member who may only read
        actions.record_action(inv, acting_user=gold, data=arrest)
    with pytest.raises(PermissionDenied):  # contributors do not change the membership
        cases.set_member(inv, acting_user=gold, user=gold, access_level=MemberAccess.LEAD)
    assert not Action.objects.exists()
    cases.set_member(inv, acting_user=lead, user=gold, access_level=MemberAccess.CONTRIBUTE)
    actions.record_action(inv, acting_user=gold, data=arrest)
    assert Action.objects.get().people == 2


def test_a_closed_file_takes_no_writes_until_a_lead_reopens_it(persona: Persona):
    inv = open_file(persona)
    lead = persona("investigator.ocriest")
    cases.close_investigation(inv, acting_user=lead, on=dt.date(2015, 9, 1))
    with pytest.raises(ValidationError):
        cases.add_task(inv, acting_user=lead, title="Too late")
    cases.reopen_investigation(inv, acting_user=lead)
    cases.add_task(inv, acting_user=lead, title="Now")
    assert Task.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (actions.ActionInput("arrest", "FR", ON, people=0), "people"),
        (actions.ActionInput("arrest", "DE", ON, people=1), "jurisdiction"),
        (actions.ActionInput("fine", "FR", ON, people=1), "kind"),
        (
            actions.ActionInput(
                "charge",
                "EW",
                ON,
                people=1,
                court_outcome="convicted",
                outcome_on=ON - dt.timedelta(1),
            ),
            "outcome_on",
        ),
        (
            actions.ActionInput("charge", "EW", ON, people=1, court_outcome="convicted"),
            "outcome_on",
        ),
        (actions.ActionInput("search", "FR", ON, court_outcome="pending"), "court_outcome"),
        (
            actions.ActionInput(
                "prosecution",
                "FR",
                ON,
                people=1,
                court_outcome="acquitted",
                outcome_on=ON,
                sentence="2 years",
            ),
            "sentence",
        ),
        (
            actions.ActionInput("seizure", "FR", dt.date.today() + dt.timedelta(days=3)),
            "occurred_on",
        ),
        (actions.ActionInput("seizure", "FR", ON, entity=9_000_000), "entity"),
    ],
)
def test_bad_actions_are_refused_and_nothing_written(
    persona: Persona, data: actions.ActionInput, field: str
):
    inv = open_file(persona)
    before = AuditEntry.objects.count()
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        actions.record_action(inv, acting_user=persona("investigator.ocriest"), data=data)
    assert field in refused.value.message_dict
    assert not Action.objects.exists()
    assert AuditEntry.objects.count() == before


def test_a_prosecution_gets_its_outcome_and_sentence(persona: Persona):
    inv = open_file(persona)
    lead = persona("investigator.ocriest")
    done = actions.record_action(
        inv,
        acting_user=lead,
        data=actions.ActionInput("prosecution", "EW", dt.date(2015, 7, 1), "Canterbury", people=3),
    )
    actions.set_outcome(
        done,
        acting_user=lead,
        court_outcome="convicted",
        outcome_on=dt.date(2016, 2, 3),
        sentence="Four years' imprisonment",
    )
    done.refresh_from_db()
    assert (done.court_outcome, done.outcome_on) == ("convicted", dt.date(2016, 2, 3))
    with pytest.raises(ValidationError):
        actions.set_outcome(done, acting_user=lead, court_outcome="acquitted", sentence="x")


def test_only_reports_and_entities_the_writer_sees_are_linked(persona: Persona):
    inv = open_file(persona)
    lead = persona("investigator.ocriest")
    seen = report("DCPAF-2015-000001", releasable=("FR", "UK"))
    unseen = report("DCPAF-2015-000002", releasable=("FR",), tlp=TLP.AMBER)  # not OCRIEST's
    cases.link_report(inv, acting_user=lead, report=seen)
    with pytest.raises(ValidationError):
        cases.link_report(inv, acting_user=lead, report=unseen)
    assert list(inv.reports.values_list("reference", flat=True)) == ["DCPAF-2015-000001"]
    person = entity("Arben K.")
    hidden = entity("Hidden", releasable=("FR",), tlp=TLP.AMBER)
    cases.add_entity(inv, acting_user=lead, entity=person, role="target")
    with pytest.raises(ValidationError):
        cases.add_entity(inv, acting_user=lead, entity=hidden)
    assert list(inv.entity_links.values_list("entity__name", "role")) == [("Arben K.", "target")]


def test_tasks_go_to_contributors_and_overdue_ones_are_flagged(persona: Persona):
    inv = open_file(persona)
    lead = persona("investigator.ocriest")
    with pytest.raises(ValidationError) as refused:
        cases.add_task(inv, acting_user=lead, title="Check", assignee=persona("gold.kent"))
    assert "assignee" in refused.value.message_dict
    late = cases.add_task(inv, acting_user=lead, title="Phones", due_on=dt.date(2015, 4, 1))
    assert cases.is_overdue(late)
    cases.complete_task(late, acting_user=lead)
    assert not cases.is_overdue(late)


def test_arrests_by_month_add_both_jurisdictions(persona: Persona):
    inv = open_file(persona)
    lead = persona("investigator.ocriest")
    for on, where, n in ((dt.date(2015, 4, 1), "FR", 2), (dt.date(2015, 4, 9), "EW", 3)):
        actions.record_action(
            inv, acting_user=lead, data=actions.ActionInput("arrest", where, on, people=n)
        )
    assert actions.arrests_by_month(inv) == [
        {"month": dt.date(2015, 4, 1), "FR": 2, "EW": 3, "total": 5}
    ]


def test_an_entity_is_found_by_identifier_or_name_among_those_the_user_sees(persona: Persona):
    lead = persona("investigator.ocriest")
    person = entity("Arben K.")
    hidden = entity("Hidden", releasable=("FR",), tlp=TLP.AMBER)
    assert cases.find_entity(lead, "arben k.") == person
    assert cases.find_entity(lead, str(person.pk)) == person
    for text in ("Hidden", str(hidden.pk), "nobody"):
        with pytest.raises(ValidationError):
            cases.find_entity(lead, text)
    entity("Arben K.")
    with pytest.raises(ValidationError):  # two records of that name: say which
        cases.find_entity(lead, "Arben K.")
