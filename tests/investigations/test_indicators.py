"""The programme's figures: networks dismantled and people arrested in a period, counted
over every record (no user, no marking), dates inclusive; the demo gives the agreements'
19 networks dismantled in January-July 2015 and 514 people arrested since January 2015."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from entente.core.models import User
from entente.demo import intelligence_reports, investigations_cases
from entente.investigations.models import Action, Investigation, Network
from entente.investigations.services import actions, cases, indicators, networks

pytestmark = pytest.mark.django_db

Persona = Callable[[str], User]
JAN, JUL = dt.date(2015, 1, 1), dt.date(2015, 7, 31)


@pytest.fixture
def demo(db: object) -> None:
    intelligence_reports.load()
    investigations_cases.load()


def test_the_demo_gives_the_agreements_figures(demo: None):
    assert indicators.networks_dismantled(JAN, JUL) == 19
    assert indicators.people_arrested(JAN, JUL) == 514
    months = indicators.monthly_counts(JAN, JUL)
    assert [m["month"].month for m in months] == [1, 2, 3, 4, 5, 6, 7]
    assert sum(m["networks_dismantled"] for m in months) == 19
    assert sum(m["people_arrested"] for m in months) == 514
    assert all(m["networks_dismantled"] >= 2 and m["people_arrested"] > 0 for m in months)
    # Both jurisdictions have arrests.
    assert set(Action.objects.filter(kind="arrest").values_list("jurisdiction", flat=True)) == {
        "FR",
        "EW",
    }


def test_loading_the_demo_twice_changes_nothing(demo: None):
    counts = (Network.objects.count(), Investigation.objects.count(), Action.objects.count())
    investigations_cases.load()
    assert (
        Network.objects.count(),
        Investigation.objects.count(),
        Action.objects.count(),
    ) == counts


def test_the_demo_investigation_is_built_from_linked_reports(demo: None, persona: Persona):
    inv = Investigation.objects.get(network__name=investigations_cases.MAIN_NETWORK)
    assert (inv.lead_fr.code, inv.lead_uk.code) == ("OCRIEST", "NCA")
    assert inv.network.status == "dismantled"
    assert inv.reports.count() == 7
    assert inv.entity_links.filter(role="target").exists()
    kinds = set(inv.actions.values_list("kind", flat=True))
    assert kinds == {"search", "seizure", "arrest", "charge", "prosecution"}
    assert inv.actions.filter(court_outcome="convicted").exclude(sentence="").exists()
    assert any(cases.is_overdue(t) for t in inv.tasks.all())
    # Members named as recipients see it; the NGO caseworker does not.
    visible = Investigation.objects.visible_to
    assert visible(persona("gold.kent")).filter(pk=inv.pk).exists()
    assert not visible(persona("caseworker.lva")).filter(pk=inv.pk).exists()


def test_dates_are_inclusive_and_only_dismantled_networks_count(persona: Persona):
    gold = persona("gold.pn")
    a = networks.create_network(acting_user=gold, name="A")
    networks.move_network(a, acting_user=gold, status="dismantled", on=dt.date(2015, 7, 31))
    b = networks.create_network(acting_user=gold, name="B")
    networks.move_network(b, acting_user=gold, status="disrupted", on=dt.date(2015, 7, 1))
    assert indicators.networks_dismantled(dt.date(2015, 7, 31), dt.date(2015, 7, 31)) == 1
    assert indicators.networks_dismantled(dt.date(2015, 8, 1), dt.date(2015, 12, 31)) == 0


def test_only_arrests_count_as_people_arrested(persona: Persona):
    from entente.core.models import Agency

    lead = persona("investigator.ocriest")
    inv = cases.open_investigation(
        acting_user=lead,
        title="T",
        lead_fr=Agency.objects.get(code="OCRIEST"),
        lead_uk=Agency.objects.get(code="NCA"),
        opened_on=dt.date(2015, 1, 1),
    )
    for kind, n in (("arrest", 4), ("charge", 3), ("prosecution", 2)):
        actions.record_action(
            inv,
            acting_user=lead,
            data=actions.ActionInput(kind, "FR", dt.date(2015, 3, 1), people=n),
        )
    assert indicators.people_arrested(dt.date(2015, 3, 1), dt.date(2015, 3, 1)) == 4
    assert indicators.people_arrested(dt.date(2015, 3, 2), dt.date(2015, 3, 31)) == 0
