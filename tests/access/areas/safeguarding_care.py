"""Matrix expectations: safeguarding, care (see tests/access/areas/__init__.py).

The samples (``samples``), all of La Vie Active (caseworker.lva, an NGO, safeguarding editor):
a protected place (TLP:GREEN, releasable to both countries: every safeguarding role sees it
except IOM's, a restricted agency neither owning it nor named on it); two people known by case
code only (TLP:AMBER: LVA's own); an allocation of the first person in the place, not yet
taken up; the day centre it runs; a voluntary-return pathway of the first person with IOM named
as partner (so IOM's officer sees it, and the Préfecture does not); a campaign with one message,
not yet approved.
"""

from __future__ import annotations

from typing import Any

from entente.core.choices import Module, Role
from entente.demo.personas import BY_USERNAME
from tests.access.expectations_base import Rule, api, page, role

S, P = Module.SAFEGUARDING, Module.PROGRAMME
OWNER = "LVA"  # the samples' agency
PARTNER = "IOM"  # named on the pathway


def _agency(persona: str) -> str | None:
    p = BY_USERNAME.get(persona)
    return p.agency if p else None


def _s(p: str, minimum: int = Role.VIEWER) -> bool:
    return role(p, S) >= minimum


def sees_place(p: str) -> bool:
    return _s(p) and _agency(p) != PARTNER


def sees_pathway(p: str) -> bool:
    return _s(p) and _agency(p) in {OWNER, PARTNER}


def sees_person(p: str) -> bool:
    return _s(p) and _agency(p) == OWNER


def reads_campaigns(p: str) -> bool:
    return role(p, S) >= Role.VIEWER or role(p, P) >= Role.VIEWER


def edits_campaigns(p: str) -> bool:
    return role(p, S) >= Role.EDITOR or role(p, P) >= Role.EDITOR


def approves_campaigns(p: str) -> bool:
    return role(p, S) >= Role.APPROVER or role(p, P) >= Role.APPROVER


def needs_s(minimum: int = Role.VIEWER, ok: int = 200) -> Rule:
    return lambda p: ok if _s(p, minimum) else 403


def place_rule(ok: int = 200) -> Rule:
    return lambda p: ok if sees_place(p) else 404


def place_owner_editor(p: str) -> int:
    if not sees_place(p):
        return 404
    return 200 if _agency(p) == OWNER and _s(p, Role.EDITOR) else 403


def allocation_write(ok: int) -> Rule:
    """Safeguarding editors who see the place act on its allocations."""

    def rule(p: str) -> int:
        if not sees_place(p):
            return 404
        return ok if _s(p, Role.EDITOR) else 403

    return rule


def allocate(p: str) -> int:
    """The body names the second sample person: only LVA sees them (others who may allocate
    get the 422 of an unknown case code)."""
    if not sees_place(p):
        return 404
    if not _s(p, Role.EDITOR):
        return 403
    return 201 if sees_person(p) else 422


def centre_staff(p: str) -> int:
    return 200 if _agency(p) == OWNER and _s(p, Role.EDITOR) else 403


def open_pathway(p: str) -> int:
    if not _s(p, Role.EDITOR):
        return 403
    return 201 if sees_person(p) else 422


def milestone(p: str) -> int:
    if not sees_pathway(p):
        return 404
    return 201 if _s(p, Role.EDITOR) else 403


def campaign_reader(ok: int = 200) -> Rule:
    return lambda p: ok if reads_campaigns(p) else 403


def campaign_owner_editor(ok: int) -> Rule:
    def rule(p: str) -> int:
        if _agency(p) == OWNER and edits_campaigns(p):
            return ok
        return 403

    return rule


def approve(p: str) -> int:
    """Either country's first approver approves for their country (the sample has none)."""
    return 200 if approves_campaigns(p) else 403


PAGES: dict[str, Rule] = {
    "safeguarding:place_list": page(needs_s()),
    "safeguarding:place_create": page(needs_s(Role.EDITOR)),
    "safeguarding:place_detail": page(place_rule()),
    "safeguarding:place_edit": page(place_owner_editor),
    "safeguarding:allocation_create": lambda p: 405,  # POST only
    "safeguarding:allocation_action": lambda p: 405,  # POST only
    "safeguarding:daycentre_list": page(needs_s()),
    "safeguarding:daycentre_detail": page(needs_s()),
    "safeguarding:service_day_entry": page(centre_staff),
    "safeguarding:pathway_list": page(needs_s()),
    "safeguarding:pathway_create": page(needs_s(Role.EDITOR)),
    "safeguarding:pathway_detail": page(lambda p: 200 if sees_pathway(p) else 404),
    "safeguarding:pathway_milestone": lambda p: 405,  # POST only
    "safeguarding:campaign_list": page(campaign_reader()),
    "safeguarding:campaign_create": page(lambda p: 200 if edits_campaigns(p) else 403),
    "safeguarding:campaign_detail": page(campaign_reader()),
    "safeguarding:campaign_edit": page(campaign_owner_editor(200)),
    "safeguarding:campaign_approve": lambda p: 405,  # POST only
    "safeguarding:campaign_reach": lambda p: 405,  # POST only
}
SG = "/api/v1/safeguarding"
API: dict[str, Rule] = {
    f"GET {SG}/places": api(needs_s()),
    f"GET {SG}/places/{{place_id}}": api(place_rule()),
    f"GET {SG}/places/{{place_id}}/occupancy": api(place_rule()),
    f"GET {SG}/places/{{place_id}}/allocations": api(place_rule()),
    f"POST {SG}/places/{{place_id}}/allocations": api(allocate),
    f"POST {SG}/allocations/{{allocation_id}}/check-in": api(allocation_write(200)),
    # The sample allocation is not checked in: those who may act get the 422 of a check-out
    # before a check-in.
    f"POST {SG}/allocations/{{allocation_id}}/check-out": api(allocation_write(422)),
    f"POST {SG}/allocations/{{allocation_id}}/cancel": api(allocation_write(200)),
    f"GET {SG}/day-centres": api(needs_s()),
    f"GET {SG}/day-centres/{{centre_id}}/days": api(needs_s()),
    f"PUT {SG}/day-centres/{{centre_id}}/days/{{day}}": api(centre_staff),
    f"GET {SG}/pathways": api(needs_s()),
    f"GET {SG}/pathways/statistics": api(needs_s()),
    f"POST {SG}/pathways": api(open_pathway),
    f"GET {SG}/pathways/{{pathway_id}}": api(lambda p: 200 if sees_pathway(p) else 404),
    f"POST {SG}/pathways/{{pathway_id}}/milestones": api(milestone),
    f"GET {SG}/campaigns": api(campaign_reader()),
    f"POST {SG}/campaigns": api(lambda p: 201 if edits_campaigns(p) else 403),
    f"GET {SG}/campaigns/{{campaign_id}}": api(campaign_reader()),
    f"POST {SG}/campaigns/{{campaign_id}}/approve": api(approve),
    # Not yet approved: the owner's editors get the 422 of a reach before approval.
    f"POST {SG}/campaigns/{{campaign_id}}/reach": api(campaign_owner_editor(422)),
}
PAGE_ARGS: dict[str, dict[str, str]] = {
    "safeguarding:place_detail": {"pk": "{sg_place}"},
    "safeguarding:place_edit": {"pk": "{sg_place}"},
    "safeguarding:allocation_create": {"pk": "{sg_place}"},
    "safeguarding:allocation_action": {"pk": "{sg_allocation}", "action": "check-in"},
    "safeguarding:daycentre_detail": {"pk": "{sg_centre}"},
    "safeguarding:service_day_entry": {"pk": "{sg_centre}"},
    "safeguarding:pathway_detail": {"pk": "{sg_pathway}"},
    "safeguarding:pathway_milestone": {"pk": "{sg_pathway}"},
    "safeguarding:campaign_detail": {"pk": "{sg_campaign}"},
    "safeguarding:campaign_edit": {"pk": "{sg_campaign}"},
    "safeguarding:campaign_approve": {"pk": "{sg_campaign}"},
    "safeguarding:campaign_reach": {"pk": "{sg_campaign}"},
}
API_ARGS: dict[str, Any] = {
    "place_id": "{sg_place}",
    "allocation_id": "{sg_allocation}",
    "centre_id": "{sg_centre}",
    "day": "2015-09-01",
    "pathway_id": "{sg_pathway}",
    "campaign_id": "{sg_campaign}",
}
API_OP_ARGS: dict[str, dict[str, str]] = {}
API_BODIES: dict[str, Any] = {
    f"POST {SG}/places/{{place_id}}/allocations": {
        "case_code": "MX-CARE-2",
        "category": "women_children",
    },
    f"PUT {SG}/day-centres/{{centre_id}}/days/{{day}}": {
        "meals": 2000,
        "showers": 300,
        "charging": 500,
        "consultations": 40,
    },
    f"POST {SG}/pathways": {
        "case_code": "MX-CARE-1",
        "kind": "asylum",
        "started_on": "2015-09-01",
    },
    f"POST {SG}/pathways/{{pathway_id}}/milestones": {
        "milestone": "return_applied",
        "reached_on": "2015-09-02",
    },
    f"POST {SG}/campaigns": {
        "title": "Matrix campaign",
        "channels": ["leaflet"],
        "starts_on": "2015-10-01",
        "messages": {"en": "Help is available.", "ar": "المساعدة متاحة."},
    },
    f"POST {SG}/campaigns/{{campaign_id}}/reach": {"reach": 100},
}


def samples() -> dict[str, str]:
    import datetime as dt

    from entente.core.models import Agency, User
    from entente.safeguarding.choices import PathwayKind, PlaceCategory
    from entente.safeguarding.models import DayCentre
    from entente.safeguarding.services import accommodation, campaigns, pathways
    from tests.safeguarding import care_factories as make

    lva = User.objects.select_related("agency__country").get(username="caseworker.lva")
    place = make.place(lva, name="Matrix place", women_children=5)
    first = make.person(lva, code="MX-CARE-1")
    make.person(lva, code="MX-CARE-2")
    allocation = accommodation.allocate(
        lva, place=place, person=first, category=PlaceCategory.WOMEN_CHILDREN
    )
    centre = DayCentre.objects.create(name="Matrix centre", town="Calais", operator=lva.agency)
    pathway = pathways.open_pathway(
        lva,
        person=first,
        kind=PathwayKind.VOLUNTARY_RETURN,
        started_on=dt.date(2015, 9, 1),
        partner=Agency.objects.select_related("country").get(code=PARTNER),
    )
    campaign = campaigns.create_campaign(
        lva,
        title="Matrix sample campaign",
        channels=["leaflet"],
        starts_on=dt.date(2015, 10, 1),
        messages={"fr": "Vous pouvez demander l’asile."},
    )
    return {
        "{sg_place}": str(place.pk),
        "{sg_allocation}": str(allocation.pk),
        "{sg_centre}": str(centre.pk),
        "{sg_pathway}": str(pathway.pk),
        "{sg_campaign}": str(campaign.pk),
    }


def state() -> tuple[Any, ...]:
    from entente.safeguarding.models import (
        Allocation,
        Campaign,
        Pathway,
        PathwayStep,
        Place,
        ServiceDay,
    )

    return (
        Place.objects.count(),
        tuple(Allocation.objects.order_by("pk").values_list("state", "checked_in_at")),
        tuple(ServiceDay.objects.order_by("pk").values_list("day", "meals")),
        Pathway.objects.count(),
        PathwayStep.objects.count(),
        tuple(
            Campaign.objects.order_by("pk").values_list(
                "approved_fr_by_id", "approved_uk_by_id", "reach"
            )
        ),
    )
