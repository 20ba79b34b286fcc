"""Matrix expectations: intelligence reports (see tests/access/areas/__init__.py).

The sample (``samples``) is a report by analyst.nca (NCA), OFFICIAL-SENSITIVE, TLP:AMBER,
releasable to France and the UK and disseminated to the DCPAF, graded 2B P in the 3x5x2, with
a person and a phone as entities and a text file attached. Who sees it: the intelligence
people of the NCA and of the DCPAF cleared to OFFICIAL-SENSITIVE (analyst.nca,
supervisor.nca, analyst.dcpaf, officer.dcpaf); nobody else (not Kent Police nor the Police
nationale: TLP:AMBER, neither originator nor named). Who changes it (edit, attach): the NCA's
intelligence editors (analyst.nca, supervisor.nca). Who re-grades it: the DCPAF's editors
(analyst.dcpaf, officer.dcpaf); the NCA's own people get the 422 of an originator re-grading
its own report.
"""

from __future__ import annotations

from typing import Any

from entente.core import services as core_services
from entente.core.choices import TLP, Classification, Module, Role
from entente.core.models import Agency, User
from entente.demo.personas import BY_USERNAME
from entente.intelligence.models import Attachment, Regrade, Report
from entente.intelligence.services import reports as services
from tests.access.expectations_base import Rule, api, needs, page, role

ORIGINATOR, NAMED = "NCA", "DCPAF"


def _agency(persona: str) -> str | None:
    p = BY_USERNAME.get(persona)
    return p.agency if p else None


def sees_report(persona: str) -> bool:
    p = BY_USERNAME.get(persona)
    return bool(
        p
        and role(persona, Module.INTELLIGENCE)
        and p.clearance >= Classification.OFFICIAL_SENSITIVE
        and p.agency in {ORIGINATOR, NAMED}
    )


def sees(ok: int = 200) -> Rule:
    return lambda p: ok if sees_report(p) else 404


def changes(ok: int = 200) -> Rule:
    """The originator's intelligence editors; others who see it get 403, the rest 404."""

    def rule(p: str) -> int:
        if not sees_report(p):
            return 404
        if _agency(p) == ORIGINATOR and role(p, Module.INTELLIGENCE) >= Role.EDITOR:
            return ok
        return 403

    return rule


def regrades(ok: int) -> Rule:
    """Editors of another agency who see it re-grade it; the originator's people get 422."""

    def rule(p: str) -> int:
        if not sees_report(p):
            return 404
        if role(p, Module.INTELLIGENCE) < Role.EDITOR:
            return 403
        return 422 if _agency(p) == ORIGINATOR else ok

    return rule


def regrades_page() -> Rule:
    def rule(p: str) -> int:
        if not sees_report(p):
            return 404
        if role(p, Module.INTELLIGENCE) < Role.EDITOR or _agency(p) == ORIGINATOR:
            return 403
        return 200

    return rule


PAGES: dict[str, Rule] = {
    "intelligence:report_list": page(needs(Module.INTELLIGENCE)),
    "intelligence:report_create": page(needs(Module.INTELLIGENCE, Role.EDITOR)),
    "intelligence:report_detail": page(sees()),
    "intelligence:report_edit": page(changes()),
    "intelligence:report_regrade": page(regrades_page()),
    "intelligence:attachment_upload": page(changes()),
    "intelligence:attachment_download": page(sees()),
    "intelligence:entity_list": page(needs(Module.INTELLIGENCE)),
    "intelligence:grading_crosswalk": page(needs(Module.INTELLIGENCE)),
}
_REPORT = "/api/v1/intelligence/reports/{report_id}"
API: dict[str, Rule] = {
    "GET /api/v1/intelligence/reports": api(needs(Module.INTELLIGENCE)),
    "POST /api/v1/intelligence/reports": api(needs(Module.INTELLIGENCE, Role.EDITOR, ok=201)),
    f"GET {_REPORT}": api(sees()),
    f"PATCH {_REPORT}": api(changes()),
    # The matrix sends no file: those who may attach get the 422 of the missing file.
    f"POST {_REPORT}/attachments": api(changes(422)),
    f"GET {_REPORT}/attachments/{{attachment_id}}": api(sees()),
    f"POST {_REPORT}/regrades": api(regrades(201)),
    "GET /api/v1/intelligence/entities": api(needs(Module.INTELLIGENCE)),
}
PAGE_ARGS: dict[str, dict[str, str]] = {
    name: {"pk": "{intel_report}"}
    for name in (
        "intelligence:report_detail",
        "intelligence:report_edit",
        "intelligence:report_regrade",
        "intelligence:attachment_upload",
    )
}
PAGE_ARGS["intelligence:attachment_download"] = {
    "pk": "{intel_report}",
    "attachment_pk": "{intel_attachment}",
}
API_ARGS: dict[str, Any] = {"attachment_id": "{intel_attachment}"}
API_OP_ARGS: dict[str, dict[str, str]] = {
    op: {"report_id": "{intel_report}"} for op in API if "{report_id}" in op
}
API_BODIES: dict[str, Any] = {
    "POST /api/v1/intelligence/reports": {
        "title": "Matrix check",
        "body": "Written by the matrix test.",
        "language": "en",
        "grading_scheme": "3x5x2",
        "source_grade": "2",
        "information_grade": "C",
        "handling_code": "P",
    },
    f"PATCH {_REPORT}": {"title": "Edited by the matrix test"},
    f"POST {_REPORT}/regrades": {
        "grading_scheme": "admiralty",
        "source_grade": "C",
        "information_grade": "3",
        "reason": "Recorded by the matrix test.",
    },
}

_sample: dict[str, int] = {}


def samples() -> dict[str, str]:
    author = User.objects.get(username="analyst.nca")
    report = services.create_report(
        acting_user=author,
        title="Matrix sample report",
        body="A haulier's lorries at Coquelles.",
        language="en",
        grading_scheme="3x5x2",
        source_grade="2",
        information_grade="B",
        handling_code="P",
        classification=Classification.OFFICIAL_SENSITIVE,
        releasability=["FR", "UK"],
        tlp=TLP.AMBER,
        entities=[
            services.EntityInput("person", "Matrix Person"),
            services.EntityInput("phone", "+44 7700 900999"),
        ],
    )
    core_services.disseminate(report, acting_user=author, agencies=[Agency.objects.get(code=NAMED)])
    services.sync_entity_markings(report, acting_user=author)
    attachment = services.add_attachment(
        report, acting_user=author, name="matrix.txt", data=b"Matrix sample file."
    )
    _sample["report"] = report.pk
    return {"{intel_report}": str(report.pk), "{intel_attachment}": str(attachment.pk)}


def state() -> tuple[Any, ...]:
    pk = _sample.get("report")
    title = Report.objects.filter(pk=pk).values_list("title", flat=True).first()
    return (Report.objects.count(), title, Attachment.objects.count(), Regrade.objects.count())
