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

from collections.abc import Callable

from entente.core.choices import Module, Role
from entente.demo.personas import BY_USERNAME

ANONYMOUS = "anonymous"
OUTSIDER = "outsider"

Rule = Callable[[str], int]

SAMPLE = {
    "author": "gold.kent",
    "sees": {"gold.kent", "analyst.dcpaf"},
    "changes": {"gold.kent"},
}


def role(persona: str, module: str) -> int:
    p = BY_USERNAME.get(persona)
    return int(p.roles.get(module, 0)) if p else 0


def holds_any_role(persona: str) -> bool:
    p = BY_USERNAME.get(persona)
    return bool(p and p.roles)


def page(rule: Rule) -> Rule:
    """Pages send the anonymous visitor to the log-in page."""
    return lambda p: 302 if p == ANONYMOUS else rule(p)


def api(rule: Rule) -> Rule:
    """The API answers the anonymous caller 401."""
    return lambda p: 401 if p == ANONYMOUS else rule(p)


def needs(module: str, minimum: int = Role.VIEWER, ok: int = 200, refused: int = 403) -> Rule:
    return lambda p: ok if role(p, module) >= minimum else refused


def reference(ok: int = 200) -> Rule:
    return lambda p: ok if holds_any_role(p) else 403


def sample_view(ok: int = 200) -> Rule:
    return lambda p: ok if p in SAMPLE["sees"] else 404


def sample_change(ok: int = 200) -> Rule:
    return lambda p: ok if p in SAMPLE["changes"] else (403 if p in SAMPLE["sees"] else 404)


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
    "control_room:sensor_list": page(needs(Module.CONTROL_ROOM)),
    "control_room:statistics": page(needs(Module.CONTROL_ROOM)),
    "control_room:statistics_csv": page(needs(Module.CONTROL_ROOM)),
    "api-1:openapi-json": lambda p: 200,
    "api-1:openapi-view": lambda p: 200,
}

API: dict[str, Rule] = {
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
}

# Values for the routes' parameters; "{sample}" is the sample bulletin's id.
PAGE_ARGS = {
    "core:agency_detail": {"code": "NCA"},
    "core:site_detail": {"code": "COQ-TERM"},
    "core:bulletin_detail": {"pk": "{sample}"},
    "core:bulletin_edit": {"pk": "{sample}"},
    "control_room:incident_detail": {"pk": "{incident}"},
    "control_room:incident_advance": {"pk": "{incident}"},
}
API_ARGS = {
    "code": {"agencies": "NCA", "sites": "COQ-TERM"},
    "bulletin_id": "{sample}",
    "incident_id": "{incident}",
}
API_BODIES = {
    "POST /api/v1/bulletins": {
        "title": "Matrix check",
        "body": "Posted by the matrix test.",
        "language": "en",
    },
    "PATCH /api/v1/bulletins/{bulletin_id}": {"body": "Edited by the matrix test."},
    "POST /api/v1/incidents/{incident_id}/transitions": {"state": "acknowledged"},
    "POST /api/v1/heartbeats": {"sensors": ["COQ-PLAT-CCTV-01"]},
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
