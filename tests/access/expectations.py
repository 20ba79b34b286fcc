"""What every persona must get from every route: the authorization matrix, written down.

Each entry maps a route (a URL name, or "METHOD /api/v1/path" for an API operation) to a rule
giving the expected status for any persona. The rules are written from the personas' declared
roles (entente.demo.personas), not from the access module, so the matrix checks the policy
instead of repeating it. A new route without an entry here fails the suite.

The sample bulletin (see ``SAMPLE``) is Kent Police's, TLP:AMBER, OFFICIAL-SENSITIVE,
releasable to France and the UK and disseminated to the DCPAF: only gold.kent (originator)
and analyst.dcpaf (named agency) may see it, and only gold.kent may change it.
"""

from __future__ import annotations

import datetime as dt

from entente.core.choices import Classification, Module, Role
from entente.demo.personas import BY_USERNAME
from tests.access.areas import AREAS
from tests.access.expectations_base import (
    ANONYMOUS,
    OUTSIDER,
    Rule,
    api,
    cleared,
    holds_any_role,
    needs,
    page,
    reference,
    role,
)

SAMPLE = {
    "author": "gold.kent",
    "sees": {"gold.kent", "analyst.dcpaf"},
    "changes": {"gold.kent"},
}


def sample_view(ok: int = 200) -> Rule:
    return lambda p: ok if p in SAMPLE["sees"] else 404


def sample_change(ok: int = 200) -> Rule:
    return lambda p: ok if p in SAMPLE["changes"] else (403 if p in SAMPLE["sees"] else 404)


# The unified command's samples (tests/access/test_matrix.py, ``command_samples``): a watch
# handover at Coquelles by operator.eurotunnel, not yet accepted (OFFICIAL, TLP:GREEN, FR and
# UK: every control-room role sees it), and a decision recorded by gold.kent and signed by
# nobody (OFFICIAL-SENSITIVE, TLP:GREEN, FR and UK: joint-command roles cleared to
# OFFICIAL-SENSITIVE see it, outside the humanitarian agencies).
COMMAND_SAMPLES = {"handover_by": "operator.eurotunnel", "decision_by": "gold.kent"}
HUMANITARIAN = {"LVA", "FTDA", "IOM"}


def sees_decision(persona: str) -> bool:
    p = BY_USERNAME.get(persona)
    return bool(
        p
        and role(persona, Module.COMMAND)
        and cleared(persona, Classification.OFFICIAL_SENSITIVE)
        and p.agency not in HUMANITARIAN
    )


def records_decisions(ok: int = 200) -> Rule:
    """Editors of the joint command cleared to OFFICIAL-SENSITIVE (the decisions' marking)."""
    return lambda p: (
        ok
        if role(p, Module.COMMAND) >= Role.EDITOR and cleared(p, Classification.OFFICIAL_SENSITIVE)
        else 403
    )


def decision_view(ok: int = 200) -> Rule:
    return lambda p: ok if sees_decision(p) else 404


def decision_change(ok: int = 200) -> Rule:
    """Editors of the author's agency (Kent Police: gold.kent alone among the personas)."""
    return lambda p: (
        ok if p == COMMAND_SAMPLES["decision_by"] else (403 if sees_decision(p) else 404)
    )


def decision_sign(ok: int = 201) -> Rule:
    """Gold commanders (approvers of the joint command) of either country sign the draft."""
    return lambda p: (
        ok
        if sees_decision(p) and role(p, Module.COMMAND) >= Role.APPROVER
        else (403 if sees_decision(p) else 404)
    )


def handover_accept(ok: int = 200) -> Rule:
    """Control-room editors take the watch over, except the outgoing operator (422)."""

    def rule(p: str) -> int:
        held = role(p, Module.CONTROL_ROOM)
        if not held:
            return 404
        if held < Role.EDITOR:
            return 403
        return 422 if p == COMMAND_SAMPLES["handover_by"] else ok

    return rule


def acts_on_incident(ok: int = 200) -> Rule:
    """Editors of the control room act on the sample incident; viewers see it but may not act
    (403); people without the role do not see it (404)."""
    return lambda p: (
        ok
        if role(p, Module.CONTROL_ROOM) >= Role.EDITOR
        else (403 if role(p, Module.CONTROL_ROOM) else 404)
    )


# Outcomes' samples (tests/access/test_matrix.py, ``outcome_samples``): an incident closed by
# leader.borderforce with people found and a plate, not yet sent to intelligence; its handover
# to safeguarding (OFFICIAL, TLP:AMBER, originator Border Force, named to the French
# safeguarding agencies whose people take handovers up: LVA and PREF62); and a vehicle report
# sent by him from another incident (OFFICIAL-SENSITIVE, TLP:GREEN, FR and UK).
OUTCOME_SAMPLES = {"closed_by": "leader.borderforce", "handover_to": {"BF", "LVA", "PREF62"}}


def sees_handover(persona: str) -> bool:
    p = BY_USERNAME.get(persona)
    return bool(
        p and role(persona, Module.SAFEGUARDING) and p.agency in OUTCOME_SAMPLES["handover_to"]
    )


def handover_take_up(ok: int = 200) -> Rule:
    """Safeguarding editors of a named agency take it up; others do not see it (404)."""
    return lambda p: (
        ok
        if sees_handover(p) and role(p, Module.SAFEGUARDING) >= Role.EDITOR
        else (403 if sees_handover(p) else 404)
    )


def sees_report(persona: str) -> bool:
    p = BY_USERNAME.get(persona)
    return bool(
        p
        and role(persona, Module.INTELLIGENCE)
        and p.clearance >= Classification.OFFICIAL_SENSITIVE
        and p.agency not in {"LVA", "FTDA", "IOM"}
    )


def report_take_up(ok: int = 200) -> Rule:
    """Intelligence editors cleared to OFFICIAL-SENSITIVE take it up; readers get 403."""
    return lambda p: (
        ok
        if sees_report(p) and role(p, Module.INTELLIGENCE) >= Role.EDITOR
        else (403 if sees_report(p) else 404)
    )


PAGES: dict[str, Rule] = {
    "core:healthz": lambda p: 200,
    "core:login": lambda p: 200 if p == ANONYMOUS else 302,
    "core:logout": lambda p: 405,  # POST only
    "core:set_language": lambda p: 405,  # POST only
    "core:two_factor": page(lambda p: 302),  # already verified: on to the dashboard
    "core:two_factor_setup": page(lambda p: 302),  # a device exists: to verification
    "core:dashboard": page(lambda p: 200),
    "core:profile": page(lambda p: 200),
    "core:agency_list": page(reference()),
    "core:agency_detail": page(reference()),
    "core:site_list": page(reference()),
    "core:site_detail": page(reference()),
    "core:bulletin_list": page(needs(Module.COMMAND)),
    "core:bulletin_create": page(needs(Module.COMMAND, Role.EDITOR)),
    "core:bulletin_detail": page(sample_view()),
    "core:bulletin_edit": page(sample_change()),
    "core:audit_list": page(needs(Module.AUDIT)),
    "control_room:incident_list": page(needs(Module.CONTROL_ROOM)),
    "control_room:incident_detail": page(needs(Module.CONTROL_ROOM, ok=200, refused=404)),
    "control_room:incident_advance": lambda p: 405,  # POST only
    "control_room:incident_close": page(acts_on_incident()),  # the form, on the open sample
    "control_room:vehicle_report_send": lambda p: 405,  # POST only
    "control_room:handover_list": page(needs(Module.SAFEGUARDING)),
    "control_room:handover_take_up": lambda p: 405,  # POST only
    "control_room:vehicle_report_list": page(needs(Module.INTELLIGENCE)),
    "control_room:vehicle_report_take_up": lambda p: 405,  # POST only
    "control_room:incident_checklist": lambda p: 405,  # POST only
    "control_room:incident_merge": lambda p: 405,  # POST only
    "control_room:incident_split": lambda p: 405,  # POST only
    # The supervisor's list of skipped steps: approvers of the control room only.
    "control_room:skipped_steps": page(needs(Module.CONTROL_ROOM, Role.APPROVER)),
    "control_room:review_skipped": lambda p: 405,  # POST only
    "control_room:sensor_list": page(needs(Module.CONTROL_ROOM)),
    # Parked MQTT messages: control-room editors read them and mark them dealt with.
    "control_room:parked_list": page(needs(Module.CONTROL_ROOM, Role.EDITOR)),
    "control_room:parked_resolve": lambda p: 405,  # POST only
    "control_room:board": page(needs(Module.CONTROL_ROOM)),
    "control_room:map_geojson": page(needs(Module.CONTROL_ROOM)),
    # The live stream: through the test client (WSGI, as on the page server) it answers the
    # snapshot alone (200, not a stream); refusals are ordinary non-streaming answers.
    "control_room:live_stream": page(needs(Module.CONTROL_ROOM)),
    "control_room:statistics": page(needs(Module.CONTROL_ROOM)),
    "control_room:statistics_csv": page(needs(Module.CONTROL_ROOM)),
    "control_room:statistics_response_csv": page(needs(Module.CONTROL_ROOM)),
    "control_room:watch_list": page(needs(Module.CONTROL_ROOM)),
    "control_room:watch_accept": lambda p: 405,  # POST only
    "control_room:decision_list": page(needs(Module.COMMAND)),
    "control_room:decision_create": page(records_decisions()),
    "control_room:decision_detail": page(decision_view()),
    "control_room:decision_edit": page(decision_change()),
    "control_room:decision_sign": lambda p: 405,  # POST only
    # Teams and the roster are the joint command's reference data: every control-room role.
    "control_room:team_list": page(needs(Module.CONTROL_ROOM)),
    "control_room:roster": page(needs(Module.CONTROL_ROOM)),
    "control_room:roster_add": lambda p: 405,  # POST only
    "control_room:roster_copy": lambda p: 405,  # POST only
    "control_room:roster_remove": lambda p: 405,  # POST only
    "control_room:incident_dispatch": lambda p: 405,  # POST only
    "control_room:dispatch_on_scene": lambda p: 405,  # POST only
    "control_room:dispatch_clear": lambda p: 405,  # POST only
    "control_room:my_team": page(needs(Module.CONTROL_ROOM)),
    "api-1:openapi-json": lambda p: 200,
    "api-1:openapi-view": lambda p: 200,
}

API: dict[str, Rule] = {
    "POST /api/v1/incidents/{incident_id}/close": api(acts_on_incident()),
    "GET /api/v1/handovers": api(needs(Module.SAFEGUARDING)),
    "POST /api/v1/handovers/{handover_id}/take-up": api(handover_take_up()),
    # On the closed sample, whose plate has not been sent yet.
    "POST /api/v1/incidents/{incident_id}/vehicle-report": api(acts_on_incident(ok=201)),
    "GET /api/v1/vehicle-reports": api(needs(Module.INTELLIGENCE)),
    "POST /api/v1/vehicle-reports/{report_id}/take-up": api(report_take_up()),
    "GET /api/v1/me": api(lambda p: 200),
    "GET /api/v1/agencies": api(reference()),
    "GET /api/v1/agencies/{code}": api(reference()),
    "GET /api/v1/sites": api(reference()),
    "GET /api/v1/sites/{code}": api(reference()),
    "GET /api/v1/bulletins": api(needs(Module.COMMAND)),
    "POST /api/v1/bulletins": api(needs(Module.COMMAND, Role.EDITOR, ok=201)),
    "GET /api/v1/bulletins/{bulletin_id}": api(sample_view()),
    "PATCH /api/v1/bulletins/{bulletin_id}": api(sample_change()),
    "GET /api/v1/audit/entries": api(needs(Module.AUDIT)),
    "POST /api/v1/alerts": api(needs(Module.CONTROL_ROOM, Role.EDITOR)),
    "POST /api/v1/heartbeats": api(needs(Module.CONTROL_ROOM, Role.EDITOR)),
    "GET /api/v1/incidents": api(needs(Module.CONTROL_ROOM)),
    # The sample incident is the joint control room's (TLP:GREEN, FR and UK): every
    # control-room role sees it; others get the 404 of an absent record.
    "GET /api/v1/incidents/{incident_id}": api(needs(Module.CONTROL_ROOM, ok=200, refused=404)),
    # Viewers see the incident but may not act (403); people without the role do not see it.
    "POST /api/v1/incidents/{incident_id}/transitions": api(
        lambda p: (
            200
            if role(p, Module.CONTROL_ROOM) >= Role.EDITOR
            else (403 if role(p, Module.CONTROL_ROOM) else 404)
        )
    ),
    "GET /api/v1/incidents/{incident_id}/checklist": api(
        needs(Module.CONTROL_ROOM, ok=200, refused=404)
    ),
    "POST /api/v1/incidents/{incident_id}/checklist": api(acts_on_incident(ok=201)),
    # The bodies name an incident and an alert that do not exist: editors get the 422 of a
    # refused merge or split (merging and splitting themselves are tested in control_room).
    "POST /api/v1/incidents/{incident_id}/merge": api(acts_on_incident(ok=422)),
    "POST /api/v1/incidents/{incident_id}/split": api(acts_on_incident(ok=422)),
    "GET /api/v1/watch-handovers": api(needs(Module.CONTROL_ROOM)),
    "POST /api/v1/watch-handovers": api(needs(Module.CONTROL_ROOM, Role.EDITOR, ok=201)),
    "POST /api/v1/watch-handovers/{handover_id}/accept": api(handover_accept()),
    "GET /api/v1/decisions": api(needs(Module.COMMAND)),
    "POST /api/v1/decisions": api(records_decisions(ok=201)),
    "GET /api/v1/decisions/{decision_id}": api(decision_view()),
    "POST /api/v1/decisions/{decision_id}/signatures": api(decision_sign()),
    "GET /api/v1/statistics/response-times": api(needs(Module.CONTROL_ROOM)),
    # Teams (tests/access/test_matrix.py, ``team_samples``): a shift on the roster in 2030,
    # and the CRS mobile unit dispatched by operator.eurotunnel to an incident at the port.
    "GET /api/v1/teams": api(needs(Module.CONTROL_ROOM)),
    "GET /api/v1/roster": api(needs(Module.CONTROL_ROOM)),
    "POST /api/v1/roster": api(needs(Module.CONTROL_ROOM, Role.EDITOR, ok=201)),
    "DELETE /api/v1/roster/{shift_id}": api(needs(Module.CONTROL_ROOM, Role.EDITOR, ok=204)),
    "GET /api/v1/coverage-gaps": api(needs(Module.CONTROL_ROOM)),
    # The Coquelles gendarmerie squadron is on the demo roster round the clock: editors send
    # it to the sample incident; viewers see the incident but may not; others do not see it.
    "POST /api/v1/incidents/{incident_id}/dispatches": api(acts_on_incident(ok=201)),
    "POST /api/v1/dispatches/{dispatch_id}/on-scene": api(acts_on_incident()),
    "POST /api/v1/dispatches/{dispatch_id}/clear": api(acts_on_incident()),
}

# Values for the routes' parameters; "{sample}" is the sample bulletin's id.
PAGE_ARGS = {
    "core:agency_detail": {"code": "NCA"},
    "core:site_detail": {"code": "COQ-TERM"},
    "core:bulletin_detail": {"pk": "{sample}"},
    "core:bulletin_edit": {"pk": "{sample}"},
    "control_room:incident_detail": {"pk": "{incident}"},
    "control_room:incident_advance": {"pk": "{incident}"},
    "control_room:incident_close": {"pk": "{incident}"},
    "control_room:vehicle_report_send": {"pk": "{closed}"},
    "control_room:handover_take_up": {"pk": "{sg_handover}"},
    "control_room:vehicle_report_take_up": {"pk": "{report}"},
    "control_room:incident_checklist": {"pk": "{incident}"},
    "control_room:incident_merge": {"pk": "{incident}"},
    "control_room:incident_split": {"pk": "{incident}"},
    "control_room:review_skipped": {"pk": "1"},
    "control_room:parked_resolve": {"pk": "1"},
    "control_room:watch_accept": {"pk": "{handover}"},
    "control_room:decision_detail": {"pk": "{decision}"},
    "control_room:decision_edit": {"pk": "{decision}"},
    "control_room:decision_sign": {"pk": "{decision}"},
    "control_room:roster_remove": {"pk": "{shift}"},
    "control_room:incident_dispatch": {"pk": "{incident}"},
    "control_room:dispatch_on_scene": {"pk": "{dispatch}"},
    "control_room:dispatch_clear": {"pk": "{dispatch}"},
}
API_ARGS = {
    "code": {"agencies": "NCA", "sites": "COQ-TERM"},
    "bulletin_id": "{sample}",
    "incident_id": "{incident}",
    # The watch handovers' and the handovers to safeguarding, told apart by their path.
    "handover_id": {"watch-handovers": "{handover}", "handovers": "{sg_handover}"},
    "report_id": "{report}",
    "decision_id": "{decision}",
    "shift_id": "{shift}",
    "dispatch_id": "{dispatch}",
}
# Values for one operation's parameters, where the route's own sample differs.
API_OP_ARGS = {
    "POST /api/v1/incidents/{incident_id}/vehicle-report": {"incident_id": "{closed}"},
}
API_BODIES = {
    "POST /api/v1/incidents/{incident_id}/close": {"result": "false_alarm"},
    "POST /api/v1/incidents/{incident_id}/vehicle-report": {"note": "Sent by the matrix test."},
    "POST /api/v1/watch-handovers": {
        "site": "COQ-CCC",
        # A watch that began eight hours before the suite started.
        "watch_started_at": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=8)).isoformat(),
        "summary": "Handed over by the matrix test.",
        "language": "en",
    },
    "POST /api/v1/decisions": {
        "title": "Matrix check",
        "decision": "Recorded by the matrix test.",
        "rationale": "To check the access policy.",
        "language": "en",
    },
    "POST /api/v1/bulletins": {
        "title": "Matrix check",
        "body": "Posted by the matrix test.",
        "language": "en",
    },
    "PATCH /api/v1/bulletins/{bulletin_id}": {"body": "Edited by the matrix test."},
    "POST /api/v1/incidents/{incident_id}/transitions": {"state": "acknowledged"},
    "POST /api/v1/incidents/{incident_id}/checklist": {"step": "confirm-cctv", "status": "done"},
    "POST /api/v1/incidents/{incident_id}/merge": {"incidents": [9_000_000_000_000]},
    "POST /api/v1/incidents/{incident_id}/split": {"alerts": [9_000_000_000_000]},
    "POST /api/v1/heartbeats": {"sensors": ["COQ-PLAT-CCTV-01"]},
    "POST /api/v1/roster": {"team": "BF-COQ-2", "day": "2030-01-08", "slot": "late"},
    "POST /api/v1/incidents/{incident_id}/dispatches": {"team": "EGM-COQ"},
    "POST /api/v1/alerts": [
        {
            "sensor": "COQ-PLAT-CCTV-01",
            "event_id": "matrix-1",
            "occurred_at": "2015-08-20T10:00:00Z",
            "kind": "intrusion",
            "confidence": 0.7,
        }
    ],
}


# The newer areas keep their expectations in modules of their own (tests/access/areas).
for _area in AREAS:
    for _mine, _theirs in (
        (PAGES, _area.PAGES),
        (API, _area.API),
        (PAGE_ARGS, _area.PAGE_ARGS),
        (API_OP_ARGS, _area.API_OP_ARGS),
        (API_BODIES, _area.API_BODIES),
    ):
        assert not set(_mine) & set(_theirs), f"{_area.__name__} repeats a route"
        _mine.update(_theirs)
    for _name, _value in _area.API_ARGS.items():
        assert _name not in API_ARGS, f"{_area.__name__} repeats the parameter {_name}"
        API_ARGS[_name] = _value

__all__ = [
    "ANONYMOUS",
    "OUTSIDER",
    "Rule",
    "api",
    "cleared",
    "holds_any_role",
    "needs",
    "page",
    "reference",
    "role",
]
