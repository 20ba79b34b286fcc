"""Matrix expectations: intelligence exchange (see tests/access/areas/__init__.py).

The samples (``samples``):

- a report of the NCA by analyst.nca, OFFICIAL, TLP:GREEN, releasable to the UK only: every
  persona holding an intelligence role in a UK agency sees it and may export it as STIX;
  everyone else gets the 404 of an absent record (the French analysts included);
- two CSV imports of analyst.nca, one finished (with a row error) and one waiting for its
  column mapping. Imports are their uploader's alone: other intelligence editors get 404,
  people who may not import (no editor role in intelligence) 403.

Uploading (page and API) is for intelligence editors; the API body is a small CSV file whose
header names its columns, so an editor's upload makes a job (201).
"""

from __future__ import annotations

import base64
from typing import Any

from entente.core.choices import TLP, Classification, Module, Role
from entente.core.models import User
from entente.demo.personas import BY_USERNAME
from entente.demo.reference import AGENCIES
from entente.intelligence.choices import ImportKind, ImportState
from entente.intelligence.models import ImportJob, Report
from tests.access.expectations_base import Rule, api, page, role

OWNER = "analyst.nca"
COUNTRY_OF = {a[0]: a[1] for a in AGENCIES}
CSV = b"title,body,language\nMatrix import,Posted by the matrix test.,en\n"


def sees_report(persona: str) -> bool:
    p = BY_USERNAME.get(persona)
    return bool(
        p and p.agency and role(persona, Module.INTELLIGENCE) and COUNTRY_OF[p.agency] == "UK"
    )


def exports(ok: int = 200) -> Rule:
    return lambda p: ok if sees_report(p) else 404


def editors(ok: int = 200) -> Rule:
    return lambda p: ok if role(p, Module.INTELLIGENCE) >= Role.EDITOR else 403


def owner(ok: int = 200) -> Rule:
    return lambda p: (
        ok if p == OWNER else (404 if role(p, Module.INTELLIGENCE) >= Role.EDITOR else 403)
    )


PAGES: dict[str, Rule] = {
    "intelligence:report_stix": page(exports()),
    "intelligence:import_list": page(editors()),
    "intelligence:import_detail": page(owner()),
    "intelligence:import_mapping": page(owner()),
    "intelligence:import_progress": page(owner()),
    "intelligence:import_errors": page(owner()),
}
API: dict[str, Rule] = {
    "GET /api/v1/intelligence/reports/{report_id}/stix": api(exports()),
    "POST /api/v1/intelligence/imports": api(editors(201)),
    "GET /api/v1/intelligence/imports/{job_id}": api(owner()),
    "GET /api/v1/intelligence/imports/{job_id}/errors": api(owner()),
}
PAGE_ARGS: dict[str, dict[str, str]] = {
    "intelligence:report_stix": {"pk": "{exchange_report}"},
    "intelligence:import_detail": {"pk": "{exchange_job}"},
    "intelligence:import_mapping": {"pk": "{exchange_pending}"},
    "intelligence:import_progress": {"pk": "{exchange_job}"},
    "intelligence:import_errors": {"pk": "{exchange_job}"},
}
API_ARGS: dict[str, Any] = {"job_id": "{exchange_job}"}
# ``report_id`` is the vehicle reports' parameter in the shared table: ours, per operation.
API_OP_ARGS: dict[str, dict[str, str]] = {
    "GET /api/v1/intelligence/reports/{report_id}/stix": {"report_id": "{exchange_report}"},
}
API_BODIES: dict[str, Any] = {
    "POST /api/v1/intelligence/imports": {
        "file_name": "matrix.csv",
        "content_base64": base64.b64encode(CSV).decode(),
    },
}


def samples() -> dict[str, str]:
    author = User.objects.select_related("agency").get(username=OWNER)
    assert author.agency is not None
    report = Report.objects.create(
        reference="MATRIX-EXCH-1",
        title="Matrix exchange sample",
        body="Exported by the matrix test.",
        language="en",
        grading_scheme="3x5x2",
        source_grade="2",
        information_grade="B",
        handling_code="P",
        classification=Classification.OFFICIAL,
        releasability=frozenset({"UK"}),  # type: ignore[misc]  # a set of codes
        tlp=TLP.GREEN,
        originator=author.agency,
        created_by=author,
    )
    common: dict[str, Any] = {
        "kind": ImportKind.CSV,
        "file_name": "matrix.csv",
        "data": CSV,
        "options": {"header": ["title", "body", "language"], "language": "en"},
        "total": 1,
        "created_by": author,
    }
    done = ImportJob.objects.create(
        **common,
        mapping={"title": "title", "body": "body", "language": "language"},
        state=ImportState.DONE,
        done=1,
        errors=[{"row": 2, "field": "language", "message": "Matrix row error."}],
    )
    pending = ImportJob.objects.create(**common, state=ImportState.PENDING)
    return {
        "{exchange_report}": str(report.pk),
        "{exchange_job}": str(done.pk),
        "{exchange_pending}": str(pending.pk),
    }


def state() -> tuple[Any, ...]:
    return (
        ImportJob.objects.count(),
        ImportJob.objects.filter(state=ImportState.DONE).count(),
        Report.objects.count(),
    )
