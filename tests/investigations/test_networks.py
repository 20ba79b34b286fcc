"""Networks: recorded by investigations editors, moved forward only with their dates,
declared dismantled by approvers (gold commanders) only; every step audited; a refusal
leaves the network as it was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from entente.core.models import AuditEntry, User
from entente.investigations.choices import NetworkStatus
from entente.investigations.models import Network
from entente.investigations.services import networks

pytestmark = pytest.mark.django_db

Persona = Callable[[str], User]


def make(persona: Persona, name: str = "Coquelles lorry network") -> Network:
    return networks.create_network(
        acting_user=persona("investigator.ocriest"),
        name=name,
        description="Lorries.",
        language="en",
    )


def test_it_moves_a_network_forward_with_its_dates_and_audits_each_step(persona: Persona):
    network = make(persona)
    assert network.status == NetworkStatus.ACTIVE
    networks.move_network(
        network,
        acting_user=persona("investigator.ocriest"),
        status=NetworkStatus.DISRUPTED,
        on=dt.date(2015, 5, 4),
    )
    networks.move_network(
        network, acting_user=persona("gold.pn"), status="dismantled", on=dt.date(2015, 6, 18)
    )
    network.refresh_from_db()
    assert (network.status, network.disrupted_on, network.dismantled_on) == (
        "dismantled",
        dt.date(2015, 5, 4),
        dt.date(2015, 6, 18),
    )
    entries = AuditEntry.objects.filter(object_type="investigations.network", object_id=network.pk)
    assert list(entries.order_by("seq").values_list("action", flat=True)) == [
        "create",
        "update",
        "update",
    ]


def test_it_refuses_a_step_back_in_the_readers_language(persona: Persona):
    network = make(persona)
    gold = persona("gold.kent")
    networks.move_network(network, acting_user=gold, status="dismantled", on=dt.date(2015, 6, 1))
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        networks.move_network(network, acting_user=gold, status="disrupted")
    assert "status" in refused.value.message_dict
    network.refresh_from_db()
    assert network.status == "dismantled" and network.disrupted_on is None


def test_only_approvers_declare_a_network_dismantled(persona: Persona):
    network = make(persona)
    with pytest.raises(PermissionDenied):
        networks.move_network(
            network, acting_user=persona("investigator.ocriest"), status="dismantled"
        )
    network.refresh_from_db()
    assert network.status == "active" and network.dismantled_on is None


def test_viewers_and_outsiders_record_no_network(persona: Persona):
    for who in ("analyst.nca", "caseworker.lva", "officer.dcpaf"):
        with pytest.raises(PermissionDenied):
            networks.create_network(acting_user=persona(who), name="X")
    assert not Network.objects.exists()


def test_it_refuses_a_date_before_the_disruption_or_in_the_future(persona: Persona):
    network = make(persona)
    gold = persona("gold.pn")
    networks.move_network(network, acting_user=gold, status="disrupted", on=dt.date(2015, 5, 4))
    for on in (dt.date(2015, 5, 3), dt.date.today() + dt.timedelta(days=2)):
        with pytest.raises(ValidationError):
            networks.move_network(network, acting_user=gold, status="dismantled", on=on)
    network.refresh_from_db()
    assert network.status == "disrupted"


def test_a_nameless_network_is_refused_and_nothing_written(persona: Persona):
    with pytest.raises(ValidationError) as refused:
        networks.create_network(
            acting_user=persona("investigator.ocriest"), name=" ", releasability=["UK"]
        )
    assert {"name", "releasability"} <= set(refused.value.message_dict)
    assert not Network.objects.exists()


def test_only_editors_of_the_recording_agency_describe_a_network(persona: Persona):
    network = make(persona)
    with pytest.raises(PermissionDenied):
        networks.update_network(
            network, acting_user=persona("gold.kent"), name="X", description="", language="en"
        )
    networks.update_network(
        network,
        acting_user=persona("investigator.ocriest"),
        name="Filière de Coquelles",
        description="Poids lourds.",
        language="fr",
    )
    network.refresh_from_db()
    assert (network.name, network.language) == ("Filière de Coquelles", "fr")
