"""Matrix expectations: programme, fund and action plan (see tests/access/areas/__init__.py).

Programme data carries no marking: programme viewers (the programme officers, the gold
commanders) read the fund and the action plan, programme editors record commitments, lines,
disbursements, rates, measures' statuses and evidence; everyone else gets 403. The samples
(``samples``) are a measure with a budget line of a commitment, a rate for its payment day,
and one document as evidence.
"""

from __future__ import annotations

from typing import Any

from entente.core.choices import Module, Role
from tests.access.expectations_base import Rule, api, needs, page

P = Module.PROGRAMME


def post_only(p: str) -> int:
    return 405


PAGES: dict[str, Rule] = {
    "programme:fund": page(needs(P)),
    "programme:fund_commitments": page(needs(P)),
    "programme:fund_commitment_create": page(needs(P, Role.EDITOR)),
    "programme:fund_commitment": page(needs(P)),
    "programme:fund_line_add": post_only,
    "programme:fund_disbursements": page(needs(P)),
    "programme:fund_disbursement_create": page(needs(P, Role.EDITOR)),
    "programme:fund_rates": page(needs(P)),
    "programme:fund_rate_create": page(needs(P, Role.EDITOR)),
    "programme:fund_rate_import": page(needs(P, Role.EDITOR)),
    "programme:plan": page(needs(P)),
    "programme:plan_measure": page(needs(P)),
    "programme:plan_measure_edit": page(needs(P, Role.EDITOR)),
    "programme:plan_evidence_add": post_only,
    "programme:plan_evidence_download": page(needs(P)),
}
API: dict[str, Rule] = {
    "GET /api/v1/programme/fund/totals": api(needs(P)),
    "GET /api/v1/programme/fund/commitments": api(needs(P)),
    "POST /api/v1/programme/fund/disbursements": api(needs(P, Role.EDITOR, ok=201)),
    "POST /api/v1/programme/fund/rates": api(needs(P, Role.EDITOR, ok=201)),
    "GET /api/v1/programme/measures": api(needs(P)),
    "PATCH /api/v1/programme/measures/{measure_code}": api(needs(P, Role.EDITOR)),
}
_MEASURE = {"code": "{prog_measure}"}
PAGE_ARGS: dict[str, dict[str, str]] = {
    "programme:fund_commitment": {"pk": "{prog_commitment}"},
    "programme:fund_line_add": {"pk": "{prog_commitment}"},
    "programme:plan_measure": _MEASURE,
    "programme:plan_measure_edit": _MEASURE,
    "programme:plan_evidence_add": _MEASURE,
    "programme:plan_evidence_download": {"code": "{prog_measure}", "pk": "{prog_evidence}"},
}
API_ARGS: dict[str, Any] = {"measure_code": "{prog_measure}"}
API_OP_ARGS: dict[str, dict[str, str]] = {}
API_BODIES: dict[str, Any] = {
    "POST /api/v1/programme/fund/disbursements": {
        "measure": "MATRIX-1",
        "paid_on": "2015-09-07",
        "amount": "1000.00",
        "currency": "GBP",
        "reference": "Matrix",
    },
    "POST /api/v1/programme/fund/rates": {"day": "2015-09-08", "gbp_per_eur": "0.7301"},
    "PATCH /api/v1/programme/measures/{measure_code}": {"status": "in_progress"},
}


def samples() -> dict[str, str]:
    import datetime as dt

    from entente.core.models import Agency, Country, User
    from entente.programme.models import Agreement, Contributor
    from entente.programme.services import fund, plan

    editor = User.objects.get(username="programme.homeoffice")
    agreement, _ = Agreement.objects.get_or_create(
        code="MATRIX-AG",
        defaults={"signed_on": dt.date(2015, 8, 20), "name_en": "Matrix", "name_fr": "Matrice"},
    )
    contributor, _ = Contributor.objects.get_or_create(
        code="MATRIX",
        defaults={
            "country": Country.objects.get(code="UK"),
            "name_en": "Matrix",
            "name_fr": "Matrice",
        },
    )
    measure = plan.create_measure(
        acting_user=editor,
        code="MATRIX-1",
        title_en="Matrix measure",
        title_fr="Mesure (matrice)",
        agreement=agreement,
        clause="1",
        owner=Agency.objects.get(code="HO"),
        deadline=dt.date(2015, 12, 31),
    )
    commitment = fund.create_commitment(
        acting_user=editor,
        contributor=contributor,
        agreement=agreement,
        clause="1",
        purpose_en="Matrix",
        purpose_fr="Matrice",
        amount="100000",
        currency="EUR",
        starts_on=dt.date(2015, 9, 1),
        ends_on=dt.date(2016, 8, 31),
    )
    fund.add_line(commitment, acting_user=editor, measure=measure, amount="50000")
    fund.set_rate(acting_user=editor, day=dt.date(2015, 9, 7), gbp_per_eur="0.7300")
    evidence = plan.add_evidence(
        measure, acting_user=editor, title="Minutes", file_name="minutes.txt", data=b"Minutes."
    )
    return {
        "{prog_measure}": measure.code,
        "{prog_commitment}": str(commitment.pk),
        "{prog_evidence}": str(evidence.pk),
    }


def state() -> tuple[Any, ...]:
    from entente.programme.models import (
        BudgetLine,
        Commitment,
        Disbursement,
        Evidence,
        ExchangeRate,
        Measure,
    )

    return (
        Commitment.objects.count(),
        BudgetLine.objects.count(),
        Disbursement.objects.count(),
        sorted(ExchangeRate.objects.values_list("day", "gbp_per_eur")),
        sorted(Measure.objects.values_list("code", "status")),
        Evidence.objects.count(),
    )
