"""The authorization matrix: every URL pattern and every API operation, for every persona.

Routes are enumerated from the URL configuration and from the OpenAPI schema; each must have
an expectation in ``expectations.py`` (and each expectation a live route), and every persona,
the anonymous visitor and the outsider included, must get exactly the expected status.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from entente.api import api
from entente.control_room.models import (
    Alert,
    Dispatch,
    Handover,
    Incident,
    IncidentOutcome,
    Shift,
    VehicleReport,
)
from entente.control_room.services import AlertItem, ingest_alerts
from entente.core import services
from entente.core.choices import TLP, Classification
from entente.core.models import Agency, Bulletin, Site, User
from tests.access.areas import AREAS
from tests.access.expectations import (
    ANONYMOUS,
    API,
    API_ARGS,
    API_BODIES,
    API_OP_ARGS,
    OUTCOME_SAMPLES,
    PAGE_ARGS,
    PAGES,
    SAMPLE,
)
from tests.conftest import PERSONA_NAMES, verified_login

EVERYONE = [ANONYMOUS, *PERSONA_NAMES]
API_NAMESPACE = "api-1"
API_DOC_ROUTES = {"openapi-json", "openapi-view"}


def _walk(patterns: list[Any], namespace: str | None = None) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            found += _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            found.append((namespace, p.name or ""))
    return found


def page_routes() -> set[str]:
    """Every named URL of the site except the API operations (those come from OpenAPI)."""
    routes = set()
    for namespace, name in _walk(get_resolver().url_patterns):
        assert name, f"an unnamed URL pattern in namespace {namespace}: name it"
        if namespace == API_NAMESPACE and name not in API_DOC_ROUTES:
            continue
        routes.add(f"{namespace}:{name}" if namespace else name)
    return routes


def api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, item in schema["paths"].items() for method in item}


def test_every_route_has_an_expectation_and_every_expectation_a_route():
    pages, ops = page_routes(), api_operations()
    assert sorted(pages - set(PAGES)) == [], "pages without an expectation in expectations.PAGES"
    assert sorted(set(PAGES) - pages) == [], "expectations for pages that no longer exist"
    assert sorted(ops - set(API)) == [], "API operations without an expectation in expectations.API"
    assert sorted(set(API) - ops) == [], "expectations for API operations that no longer exist"
    for rule in [*PAGES.values(), *API.values()]:
        for persona in EVERYONE:
            assert isinstance(rule(persona), int)
    print(
        f"matrix: {len(pages)} pages + {len(ops)} API operations x {len(EVERYONE)} personas "
        f"= {(len(pages) + len(ops)) * len(EVERYONE)} checks, 100% of routes"
    )


@pytest.fixture
def incident(db: Any) -> Incident:
    """An incident of the joint control room, opened by an alert from a Coquelles camera."""
    outcome = ingest_alerts(
        [
            AlertItem(
                "COQ-PLAT-CCTV-01",
                "matrix-sample",
                dt.datetime(2015, 8, 20, 9, 0, tzinfo=dt.UTC),
                "intrusion",
                0.8,
            )
        ],
        acting_user=User.objects.get(username="operator.eurotunnel"),
    )[0]
    return Incident.objects.get(pk=outcome.incident)


@pytest.fixture
def command_samples(db: Any) -> dict[str, str]:
    """A watch handover handed over at Coquelles by operator.eurotunnel, not yet accepted, and
    a decision recorded by gold.kent, signed by nobody yet (see expectations.COMMAND_SAMPLES)."""
    from entente.control_room.services import command

    handover = command.hand_over_watch(
        Site.objects.get(code="COQ-CCC"),
        watch_started_at=timezone.now() - dt.timedelta(hours=8),
        summary="Matrix sample watch.",
        language="en",
        acting_user=User.objects.get(username="operator.eurotunnel"),
    )
    decision = command.record_decision(
        title="Matrix sample decision",
        decision="Sample.",
        rationale="Sample.",
        language="en",
        acting_user=User.objects.get(username="gold.kent"),
    )
    return {"{handover}": str(handover.pk), "{decision}": str(decision.pk)}


@pytest.fixture
def outcome_samples(db: Any) -> dict[str, str]:
    """Outcomes (see expectations.OUTCOME_SAMPLES): an incident closed by leader.borderforce
    with people found and a plate, not yet sent to intelligence, and its handover to
    safeguarding (named to LVA and PREF62); and a vehicle report sent from another incident."""
    from entente.control_room.services.outcomes import (
        OutcomeInput,
        close_incident,
        send_vehicle_report,
    )

    leader = User.objects.get(username=OUTCOME_SAMPLES["closed_by"])
    incidents = [
        Incident.objects.get(
            pk=ingest_alerts(
                [AlertItem(sensor, f"matrix-{sensor}", at, "intrusion", 0.8)],
                acting_user=User.objects.get(username="operator.eurotunnel"),
            )[0].incident
        )
        for sensor, at in (
            ("COQ-FENCE-DET-01", dt.datetime(2015, 8, 20, 10, 0, tzinfo=dt.UTC)),
            ("COQ-PORTAL-CCTV-01", dt.datetime(2015, 8, 20, 11, 0, tzinfo=dt.UTC)),
        )
    ]
    vehicle = {"vehicle_plate": "AB 123 CD", "vehicle_country": "PL", "vehicle_type": "lorry"}
    found = close_incident(
        incidents[0],
        outcome=OutcomeInput("people_found", adults=2, minors=1, needs=("medical",), **vehicle),
        acting_user=leader,
    )
    close_incident(
        incidents[1], outcome=OutcomeInput("nothing_found", **vehicle), acting_user=leader
    )
    report = send_vehicle_report(incidents[1], acting_user=leader)
    return {
        "{closed}": str(found.incident_id),
        "{sg_handover}": str(found.incident.handover.pk),
        "{report}": str(report.pk),
    }


@pytest.fixture
def team_samples(db: Any) -> dict[str, str]:
    """Teams: a shift of BF-COQ-1 on the roster in 2030, and the CRS mobile unit (on the demo
    roster round the clock) dispatched by operator.eurotunnel to an incident at the port."""
    from entente.control_room.models import Team
    from entente.control_room.services import teams

    shift = teams.add_shift(
        Team.objects.get(code="BF-COQ-1"), dt.date(2030, 1, 7), "early", acting_user=None
    )
    operator = User.objects.get(username="operator.eurotunnel")
    at_the_port = ingest_alerts(
        [AlertItem("CAL-RING-CCTV-01", "matrix-team", timezone.now(), "intrusion", 0.8)],
        acting_user=operator,
    )[0].incident
    dispatch = teams.dispatch_team(
        Incident.objects.get(pk=at_the_port),
        Team.objects.get(code="CRS-CAL"),
        acting_user=operator,
    )
    return {"{shift}": str(shift.pk), "{dispatch}": str(dispatch.pk)}


@pytest.fixture
def sample(db: Any) -> Bulletin:
    author = User.objects.get(username=SAMPLE["author"])
    bulletin = services.create_bulletin(
        acting_user=author,
        title="Matrix sample",
        body="Sample.",
        language="en",
        classification=Classification.OFFICIAL_SENSITIVE,
        releasability=["FR", "UK"],
        tlp=TLP.AMBER,
    )
    services.disseminate(bulletin, acting_user=author, agencies=[Agency.objects.get(code="DCPAF")])
    return bulletin


# Which fixture makes each placeholder of the older routes (expectations.py).
LEGACY = {
    "{sample}": "sample",
    "{incident}": "incident",
    "{handover}": "command_samples",
    "{decision}": "command_samples",
    "{closed}": "outcome_samples",
    "{sg_handover}": "outcome_samples",
    "{report}": "outcome_samples",
    "{shift}": "team_samples",
    "{dispatch}": "team_samples",
}


def _placeholders_made(area: Any) -> set[str]:
    return set(re.findall(r"\"(\{\w+\})\"", inspect.getsource(area.samples)))


# Which area's samples make each placeholder of the newer routes (tests/access/areas).
PROVIDERS = {p: area for area in AREAS for p in _placeholders_made(area)}
assert not set(PROVIDERS) & set(LEGACY), "an area reuses a placeholder of expectations.py"


def _owner(route: str) -> Any:
    return next((a for a in AREAS if route in a.PAGES or route in a.API), None)


def _values(value: Any) -> list[str]:
    return [str(v) for v in value.values()] if isinstance(value, dict) else [str(value)]


def samples_for(request: pytest.FixtureRequest, route: str, wanted: list[str]) -> dict[str, str]:
    """The sample records a route needs, by placeholder: those its URL names, and its own
    area's (a refused request must leave them unchanged). Building every area's samples for
    each of the matrix's thousands of requests would cost most of its time."""
    ids: dict[str, str] = {}
    for name in sorted({LEGACY[p] for p in wanted if p in LEGACY}):
        made = request.getfixturevalue(name)
        if name == "sample":
            made = {"{sample}": str(made.pk)}
        elif name == "incident":
            made = {"{incident}": str(made.pk)}
        ids.update(made)
    areas = {PROVIDERS[p] for p in wanted if p in PROVIDERS}
    if (owner := _owner(route)) is not None:
        areas.add(owner)
    for area in AREAS:  # in their order: a later area may build on an earlier one's records
        if area in areas:
            ids.update(area.samples())
    return ids


def _page_client(persona: str) -> Client:
    if persona == ANONYMOUS:
        return Client()
    return verified_login(Client(), User.objects.get(username=persona))


@pytest.mark.parametrize("persona", EVERYONE)
@pytest.mark.parametrize("route", sorted(PAGES))
def test_page(route: str, persona: str, db: Any, request: pytest.FixtureRequest) -> None:
    ids = samples_for(request, route, list(PAGE_ARGS.get(route, {}).values()))
    kwargs = {k: ids.get(v, v) for k, v in PAGE_ARGS.get(route, {}).items()}
    url = reverse(route, kwargs=kwargs)
    response = _page_client(persona).get(url)
    expected = PAGES[route](persona)
    assert response.status_code == expected, (
        f"{persona} GET {url}: {response.status_code}, expected {expected}"
    )


def _api_url(op: str, ids: dict[str, str]) -> str:
    path = op.split(" ", 1)[1]

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = API_OP_ARGS.get(op, {}).get(name, API_ARGS[name])
        if isinstance(value, dict):
            value = next(v for segment, v in value.items() if f"/{segment}/" in path)
        return ids.get(str(value), str(value))

    return re.sub(r"\{(\w+)\}", fill, path)


@pytest.mark.parametrize("persona", EVERYONE)
@pytest.mark.parametrize("op", sorted(API))
def test_api_operation(op: str, persona: str, db: Any, request: pytest.FixtureRequest) -> None:
    method = op.split(" ", 1)[0].lower()
    wanted = [
        v
        for name in re.findall(r"\{(\w+)\}", op.split(" ", 1)[1])
        for v in _values(API_OP_ARGS.get(op, {}).get(name, API_ARGS[name]))
    ]
    ids = samples_for(request, op, wanted)
    url = _api_url(op, ids)
    headers = {}
    if persona != ANONYMOUS:
        _, token = services.create_api_token(
            User.objects.get(username=persona), name="matrix", acting_user=None
        )
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    body = API_BODIES.get(op)

    def state() -> tuple[Any, ...]:
        return (
            Bulletin.objects.count(),
            tuple(Bulletin.objects.order_by("pk").values_list("body", flat=True)),
            Alert.objects.count(),
            IncidentOutcome.objects.count(),
            Handover.objects.filter(state="pending").count(),
            VehicleReport.objects.filter(state="sent").count(),
            VehicleReport.objects.count(),
            Shift.objects.count(),
            Dispatch.objects.exclude(state="cleared").count(),
            Dispatch.objects.filter(state="on_scene").count(),
            *(area.state() for area in AREAS),
        )

    before = state()
    response = getattr(Client(), method)(
        url, data=json.dumps(body) if body else None, content_type="application/json", **headers
    )
    expected = API[op](persona)
    assert response.status_code == expected, (
        f"{persona} {op}: {response.status_code} {response.content[:200]!r}, expected {expected}"
    )
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/problem+json")
        assert before == state(), "a refused request changed data"
