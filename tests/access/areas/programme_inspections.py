"""Matrix expectations: programme, inspections and the joint report (see
tests/access/areas/__init__.py).

Programme data carries no marking: programme viewers read the inspections and the joint
report, programme editors record checklists, findings, actions and evidence, programme
approvers close an inspection; everyone else gets 403. The samples (``samples``) are a closed
inspection (2030-H1, which the report page shows by default) and an open one (2030-H2) with
a checklist item, a finding and an action with a document as evidence. The report's PDF is
asked without a period (page) or for a period with no data (API): a viewer gets the
translated refusal (422) rather than a PDF built once per persona (test_report.py builds
them).
"""

from __future__ import annotations

from typing import Any

from entente.core.choices import Module, Role
from tests.access.expectations_base import Rule, api, needs, page

P = Module.PROGRAMME


def post_only(p: str) -> int:
    return 405


PAGES: dict[str, Rule] = {
    "programme:inspections": page(needs(P)),
    "programme:inspection_create": page(needs(P, Role.EDITOR)),
    "programme:inspection": page(needs(P)),
    "programme:inspection_edit": page(needs(P, Role.EDITOR)),
    "programme:inspection_item_add": post_only,
    "programme:inspection_item_check": post_only,
    "programme:inspection_finding_add": post_only,
    "programme:inspection_action_add": post_only,
    "programme:inspection_action_done": post_only,
    "programme:inspection_evidence_add": post_only,
    "programme:inspection_evidence_download": page(needs(P)),
    "programme:inspection_close": post_only,
    "programme:report": page(needs(P)),
    "programme:report_pdf": page(needs(P, ok=422)),
}
API: dict[str, Rule] = {
    "GET /api/v1/programme/inspections": api(needs(P)),
    "GET /api/v1/programme/inspections/{period}": api(needs(P)),
    "POST /api/v1/programme/inspections/{period}/findings": api(needs(P, Role.EDITOR, ok=201)),
    "POST /api/v1/programme/inspections/{period}/actions": api(needs(P, Role.EDITOR, ok=201)),
    "POST /api/v1/programme/inspections/{period}/close": api(needs(P, Role.APPROVER)),
    "GET /api/v1/programme/reports/{period}/pdf": api(needs(P, ok=422)),
}
_OPEN = {"period": "{prog_inspection}"}
PAGE_ARGS: dict[str, dict[str, str]] = {
    "programme:inspection": _OPEN,
    "programme:inspection_edit": _OPEN,
    "programme:inspection_item_add": _OPEN,
    "programme:inspection_item_check": {"period": "{prog_inspection}", "pk": "{prog_item}"},
    "programme:inspection_finding_add": _OPEN,
    "programme:inspection_action_add": _OPEN,
    "programme:inspection_action_done": {"period": "{prog_inspection}", "pk": "{prog_action}"},
    "programme:inspection_evidence_add": {"period": "{prog_inspection}", "pk": "{prog_action}"},
    "programme:inspection_evidence_download": {
        "period": "{prog_inspection}",
        "pk": "{prog_action_evidence}",
    },
    "programme:inspection_close": _OPEN,
}
API_ARGS: dict[str, Any] = {"period": "{prog_inspection}"}
API_OP_ARGS: dict[str, dict[str, str]] = {
    "GET /api/v1/programme/reports/{period}/pdf": {"period": "2031-H1"},
}
API_BODIES: dict[str, Any] = {
    "POST /api/v1/programme/inspections/{period}/findings": {
        "text": "Matrix finding",
        "severity": 2,
    },
    "POST /api/v1/programme/inspections/{period}/actions": {
        "title": "Matrix action",
        "owner": "HO",
        "due_on": "2030-12-31",
    },
}


def samples() -> dict[str, str]:
    import datetime as dt

    from entente.core.models import Agency, User
    from entente.programme.services import inspections

    editor = User.objects.get(username="programme.homeoffice")
    approver = User.objects.get(username="programme.interieur")
    closed = inspections.create_inspection(
        acting_user=editor, period="2030-H1", held_on=dt.date(2030, 6, 10)
    )
    inspections.close_inspection(closed, acting_user=approver)
    inspection = inspections.create_inspection(
        acting_user=editor,
        period="2030-H2",
        held_on=dt.date(2030, 12, 10),
        checklist=[("Matrix item", "Point (matrice)")],
    )
    inspections.check_item(inspection.checklist.get(), acting_user=editor, checked=True)
    finding = inspections.add_finding(inspection, acting_user=editor, text="Matrix")
    action = inspections.add_action(
        inspection,
        acting_user=editor,
        title="Matrix action",
        owner=Agency.objects.get(code="HO"),
        due_on=dt.date(2030, 12, 31),
        finding=finding,
    )
    evidence = inspections.add_action_evidence(
        action, acting_user=editor, title="Minutes", file_name="minutes.txt", data=b"Minutes."
    )
    return {
        "{prog_inspection}": inspection.period,
        "{prog_item}": str(inspection.checklist.get().pk),
        "{prog_action}": str(action.pk),
        "{prog_action_evidence}": str(evidence.pk),
    }


def state() -> tuple[Any, ...]:
    from entente.programme.models import ChecklistItem, Finding, Inspection, InspectionAction

    return (
        Inspection.objects.count(),
        Inspection.objects.filter(state="closed").count(),
        ChecklistItem.objects.filter(checked=True).count(),
        Finding.objects.count(),
        InspectionAction.objects.count(),
    )
