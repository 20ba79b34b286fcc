"""Matrix expectations: investigations, cases (see tests/access/areas/__init__.py).

The samples (``samples``): a network recorded by investigator.ocriest (TLP:GREEN, both
countries: every investigations person sees it), and a joint investigation opened by
investigator.ocriest, led by the OCRIEST and the NCA (TLP:AMBER, OFFICIAL-SENSITIVE), with
gold.pn as a contributing member, one task and one charge. Investigations people of the two
lead agencies and the members see it, others get 404; its members with contribute access
(and the editor role) write in it, its lead member alone changes the membership and closes
it, everyone else who sees it gets 403. Only approvers declare a network dismantled.
"""

from __future__ import annotations

from typing import Any

from entente.core.choices import Classification, Module, Role
from entente.demo.personas import BY_USERNAME
from tests.access.expectations_base import Rule, api, needs, page, role

V = Module.INVESTIGATIONS
LEADS = {"OCRIEST", "NCA"}
LEAD_MEMBER = "investigator.ocriest"
CONTRIBUTOR = "gold.pn"
MEMBERS = {LEAD_MEMBER, CONTRIBUTOR}
BASE = "/api/v1/investigations/investigations/{investigation_id}"
NETWORK = "/api/v1/investigations/networks/{network_id}"


def sees(persona: str) -> bool:
    p = BY_USERNAME.get(persona)
    return bool(
        p
        and role(persona, V)
        and (p.agency in LEADS or persona in MEMBERS)
        and p.clearance >= Classification.OFFICIAL_SENSITIVE
    )


def seen(ok: int = 200) -> Rule:
    return lambda p: ok if sees(p) else 404


def members(level: set[str], ok: int = 200) -> Rule:
    """Those in ``level`` (editors) act; others who see the investigation get 403; 404 else."""
    return lambda p: 404 if not sees(p) else (ok if p in level else 403)


CONTRIBUTE = MEMBERS
LEAD = {LEAD_MEMBER}


def opens(p: str) -> int:
    """Editors open an investigation; the body names the OCRIEST and the NCA as leads, so
    editors of another agency get the 422 of a file their agency does not lead."""
    if role(p, V) < Role.EDITOR:
        return 403
    return 201 if BY_USERNAME[p].agency in LEADS else 422


def dismantles(p: str) -> int:
    if not role(p, V):
        return 404
    return 200 if role(p, V) >= Role.APPROVER else 403


def post_only(p: str) -> int:
    return 405


PAGES: dict[str, Rule] = {
    "investigations:investigation_list": page(needs(V)),
    "investigations:investigation_create": page(needs(V, Role.EDITOR)),
    "investigations:investigation_detail": page(seen()),
    "investigations:investigation_edit": page(members(CONTRIBUTE)),
    "investigations:action_add": page(members(CONTRIBUTE)),
    "investigations:action_outcome": page(members(CONTRIBUTE)),
    "investigations:investigation_close": post_only,
    "investigations:investigation_reopen": post_only,
    "investigations:member_set": post_only,
    "investigations:member_remove": post_only,
    "investigations:task_add": post_only,
    "investigations:task_done": post_only,
    "investigations:report_link": post_only,
    "investigations:report_unlink": post_only,
    "investigations:entity_add": post_only,
    "investigations:entity_remove": post_only,
    "investigations:network_list": page(needs(V)),
    "investigations:network_create": page(needs(V, Role.EDITOR)),
    "investigations:network_detail": page(lambda p: 200 if role(p, V) else 404),
    "investigations:network_move": post_only,
    # Editors of the agency that recorded it (the OCRIEST) describe it.
    "investigations:network_edit": page(
        lambda p: (
            404
            if not role(p, V)
            else 200
            if role(p, V) >= Role.EDITOR and BY_USERNAME[p].agency == "OCRIEST"
            else 403
        )
    ),
}
API: dict[str, Rule] = {
    "GET /api/v1/investigations/networks": api(needs(V)),
    "POST /api/v1/investigations/networks": api(needs(V, Role.EDITOR, ok=201)),
    f"GET {NETWORK}": api(lambda p: 200 if role(p, V) else 404),
    f"POST {NETWORK}/status": api(dismantles),
    "GET /api/v1/investigations/investigations": api(needs(V)),
    "POST /api/v1/investigations/investigations": api(opens),
    f"GET {BASE}": api(seen()),
    f"POST {BASE}/close": api(members(LEAD)),
    f"POST {BASE}/members": api(members(LEAD)),
    f"DELETE {BASE}/members/{{username}}": api(members(LEAD)),
    f"POST {BASE}/tasks": api(members(CONTRIBUTE, 201)),
    f"POST {BASE}/tasks/{{task_id}}/done": api(members(CONTRIBUTE)),
    f"POST {BASE}/actions": api(members(CONTRIBUTE, 201)),
    f"POST {BASE}/actions/{{action_id}}/outcome": api(members(CONTRIBUTE)),
    # The bodies name a report and an entity that do not exist: those who may link get 422.
    f"POST {BASE}/reports": api(members(CONTRIBUTE, 422)),
    f"POST {BASE}/entities": api(members(CONTRIBUTE, 422)),
}
_ONE = {"pk": "{jit}"}
PAGE_ARGS: dict[str, dict[str, str]] = {
    "investigations:investigation_detail": _ONE,
    "investigations:investigation_edit": _ONE,
    "investigations:action_add": _ONE,
    "investigations:action_outcome": {"pk": "{jit}", "action_pk": "{jit_action}"},
    "investigations:investigation_close": _ONE,
    "investigations:investigation_reopen": _ONE,
    "investigations:member_set": _ONE,
    "investigations:member_remove": {"pk": "{jit}", "user_pk": "1"},
    "investigations:task_add": _ONE,
    "investigations:task_done": {"pk": "{jit}", "task_pk": "{jit_task}"},
    "investigations:report_link": _ONE,
    "investigations:report_unlink": {"pk": "{jit}", "report_pk": "1"},
    "investigations:entity_add": _ONE,
    "investigations:entity_remove": {"pk": "{jit}", "entity_pk": "1"},
    "investigations:network_detail": {"pk": "{jit_network}"},
    "investigations:network_move": {"pk": "{jit_network}"},
    "investigations:network_edit": {"pk": "{jit_network}"},
}
API_ARGS: dict[str, Any] = {
    "investigation_id": "{jit}",
    "network_id": "{jit_network}",
    "task_id": "{jit_task}",
    "action_id": "{jit_action}",
    "username": CONTRIBUTOR,
}
API_OP_ARGS: dict[str, dict[str, str]] = {}
API_BODIES: dict[str, Any] = {
    "POST /api/v1/investigations/networks": {"name": "Matrix network"},
    f"POST {NETWORK}/status": {"status": "dismantled", "on": "2015-06-01"},
    "POST /api/v1/investigations/investigations": {
        "title": "Matrix investigation",
        "lead_fr": "OCRIEST",
        "lead_uk": "NCA",
        "opened_on": "2015-03-01",
    },
    f"POST {BASE}/close": {},
    f"POST {BASE}/members": {"username": "gold.kent", "access": "read"},
    f"POST {BASE}/tasks": {"title": "Matrix task", "due_on": "2015-04-01"},
    f"POST {BASE}/actions": {
        "kind": "arrest",
        "jurisdiction": "FR",
        "occurred_on": "2015-04-01",
        "people": 2,
    },
    f"POST {BASE}/actions/{{action_id}}/outcome": {"court_outcome": "pending"},
    f"POST {BASE}/reports": {"report": 9_000_000_000_000},
    f"POST {BASE}/entities": {"entity": 9_000_000_000_000},
}


def samples() -> dict[str, str]:
    import datetime as dt

    from entente.core.models import Agency, User
    from entente.investigations.choices import MemberAccess
    from entente.investigations.services import actions, cases, networks

    lead = User.objects.get(username=LEAD_MEMBER)
    network = networks.create_network(acting_user=lead, name="Matrix sample network")
    inv = cases.open_investigation(
        acting_user=lead,
        title="Matrix sample investigation",
        lead_fr=Agency.objects.get(code="OCRIEST"),
        lead_uk=Agency.objects.get(code="NCA"),
        network=network,
        opened_on=dt.date(2015, 2, 1),
    )
    cases.set_member(
        inv,
        acting_user=lead,
        user=User.objects.get(username=CONTRIBUTOR),
        access_level=MemberAccess.CONTRIBUTE,
    )
    task = cases.add_task(inv, acting_user=lead, title="Matrix sample task")
    charge = actions.record_action(
        inv,
        acting_user=lead,
        data=actions.ActionInput("charge", "FR", dt.date(2015, 3, 1), people=1),
    )
    return {
        "{jit}": str(inv.pk),
        "{jit_network}": str(network.pk),
        "{jit_task}": str(task.pk),
        "{jit_action}": str(charge.pk),
    }


def state() -> tuple[Any, ...]:
    from entente.investigations.models import (
        Action,
        Investigation,
        InvestigationEntity,
        Member,
        Network,
        Task,
    )

    return (
        tuple(Network.objects.order_by("pk").values_list("status", "dismantled_on")),
        tuple(Investigation.objects.order_by("pk").values_list("state", "network_id")),
        tuple(Member.objects.order_by("pk").values_list("user_id", "access")),
        tuple(Task.objects.order_by("pk").values_list("done_at")),
        tuple(Action.objects.order_by("pk").values_list("court_outcome", "people")),
        InvestigationEntity.objects.count(),
        Investigation.reports.through.objects.count(),
    )
