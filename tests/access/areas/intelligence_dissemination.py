"""Matrix expectations: intelligence dissemination (see tests/access/areas/__init__.py).

The sample (``samples``): a report of the NCA written by analyst.nca (OFFICIAL-SENSITIVE,
TLP:AMBER, releasable to the UK only) and its release to the DCPAF, asked by analyst.nca and
awaiting the second approval. Only the NCA's intelligence people see them: analyst.nca
(editor, the author and the requester) and supervisor.nca (approver). Everyone else gets the
404 of an absent record.

- Sanitising and asking for a release: editors of the originating agency (both NCA personas;
  an approver is also an editor).
- Approving: supervisor.nca; analyst.nca gets the 422 of the four-eyes rule (the author and
  the requester cannot approve). Rejecting: approvers of the NCA (analyst.nca, an editor: 403).
  Withdrawing: the requester alone (supervisor.nca: 403).
- The approvers' page of pending releases: intelligence approvers.
- The disclosure ledger (page, CSV, API): intelligence approvers and auditors (any role in
  the audit module), of any agency; everyone else 403.
"""

from __future__ import annotations

from typing import Any

from entente.core.choices import TLP, Classification, Module, Role
from entente.core.models import Agency, Recipient, User
from entente.intelligence.models import Disclosure, Release, Report
from entente.intelligence.services import dissemination
from tests.access.expectations_base import Rule, api, needs, page, role

AUTHOR = "analyst.nca"  # the author and the requester
APPROVER = "supervisor.nca"
SEES = {AUTHOR, APPROVER}


def nca(ok: int = 200) -> Rule:
    """The NCA's intelligence people act on the sample; nobody else sees it."""
    return lambda p: ok if p in SEES else 404


def only(persona: str, ok: int = 200, others: int = 403) -> Rule:
    """One NCA persona may; the other, who sees the sample, gets ``others``."""
    return lambda p: ok if p == persona else (others if p in SEES else 404)


def reads_ledger(ok: int = 200) -> Rule:
    return lambda p: (
        ok if role(p, Module.INTELLIGENCE) >= Role.APPROVER or role(p, Module.AUDIT) else 403
    )


PAGES: dict[str, Rule] = {
    "intelligence:report_sanitise": page(nca()),
    "intelligence:release_request": page(nca()),
    "intelligence:release_pending": page(needs(Module.INTELLIGENCE, Role.APPROVER)),
    "intelligence:release_approve": lambda p: 405,  # POST only
    "intelligence:release_reject": lambda p: 405,  # POST only
    "intelligence:release_withdraw": lambda p: 405,  # POST only
    "intelligence:disclosure_ledger": page(reads_ledger()),
    "intelligence:disclosure_ledger_csv": page(reads_ledger()),
}
API: dict[str, Rule] = {
    "GET /api/v1/intelligence/reports/{report_id}/releases": api(nca()),
    "POST /api/v1/intelligence/reports/{report_id}/sanitised-versions": api(nca(201)),
    "POST /api/v1/intelligence/reports/{report_id}/releases": api(nca(201)),
    "GET /api/v1/intelligence/releases": api(needs(Module.INTELLIGENCE)),
    "GET /api/v1/intelligence/releases/{release_id}": api(nca()),
    "POST /api/v1/intelligence/releases/{release_id}/approve": api(only(APPROVER, others=422)),
    "POST /api/v1/intelligence/releases/{release_id}/reject": api(only(APPROVER)),
    "POST /api/v1/intelligence/releases/{release_id}/withdraw": api(only(AUTHOR)),
    "GET /api/v1/intelligence/disclosures": api(reads_ledger()),
}
PAGE_ARGS: dict[str, dict[str, str]] = {
    "intelligence:report_sanitise": {"pk": "{diss_report}"},
    "intelligence:release_request": {"pk": "{diss_report}"},
    "intelligence:release_approve": {"pk": "{diss_release}"},
    "intelligence:release_reject": {"pk": "{diss_release}"},
    "intelligence:release_withdraw": {"pk": "{diss_release}"},
}
API_ARGS: dict[str, Any] = {"release_id": "{diss_release}"}
# ``report_id`` is the vehicle reports' parameter in the shared table: ours, per operation.
API_OP_ARGS: dict[str, dict[str, str]] = {
    op: {"report_id": "{diss_report}"} for op in API if "{report_id}" in op
}
API_BODIES: dict[str, Any] = {
    "POST /api/v1/intelligence/reports/{report_id}/sanitised-versions": {
        "title": "Matrix sanitised",
        "body": "Sanitised by the matrix test.",
    },
    "POST /api/v1/intelligence/reports/{report_id}/releases": {
        "agencies": ["DCPAF"],
        "legal_basis": "Sandhurst Treaty 2018",
        "purpose": "Checked by the matrix test.",
    },
    "POST /api/v1/intelligence/releases/{release_id}/approve": {"note": "Matrix approval."},
    "POST /api/v1/intelligence/releases/{release_id}/reject": {"note": "Matrix rejection."},
    "POST /api/v1/intelligence/releases/{release_id}/withdraw": {"note": "Matrix withdrawal."},
}


def samples() -> dict[str, str]:
    author = User.objects.select_related("agency__country").get(username=AUTHOR)
    assert author.agency is not None
    report = Report.objects.create(
        reference="MATRIX-DISS-1",
        title="Matrix dissemination sample",
        body="Source MATRIX-1 says the sample exists.",
        language="en",
        grading_scheme="3x5x2",
        source_grade="2",
        information_grade="B",
        handling_code="P",
        classification=Classification.OFFICIAL_SENSITIVE,
        releasability=frozenset({"UK"}),  # type: ignore[misc]  # a set of codes
        tlp=TLP.AMBER,
        originator=author.agency,
        created_by=author,
    )
    release = dissemination.request_release(
        report,
        acting_user=author,
        agencies=[Agency.objects.select_related("country").get(code="DCPAF")],
        legal_basis="Sandhurst Treaty 2018",
        purpose="Matrix sample.",
    )
    return {"{diss_report}": str(report.pk), "{diss_release}": str(release.pk)}


def state() -> tuple[Any, ...]:
    return (
        Release.objects.count(),
        Release.objects.filter(state="pending").count(),
        Disclosure.objects.count(),
        Report.objects.count(),
        Recipient.objects.count(),
    )
