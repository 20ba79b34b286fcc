"""Matrix expectations: programme, indicators (see tests/access/areas/__init__.py).

Programme data carries no marking: programme viewers (the programme officers, the gold
commanders) read the dashboard and the indicators, programme editors add indicators, targets
and entered values; everyone else gets 403. The sample (``samples``) is an entered indicator
(so that values may be entered for it) with one target.
"""

from __future__ import annotations

from typing import Any

from entente.core.choices import Module, Role
from tests.access.expectations_base import Rule, api, needs, page

P = Module.PROGRAMME
ONE = "/api/v1/programme/indicators/{indicator_code}"


def post_only(p: str) -> int:
    return 405


PAGES: dict[str, Rule] = {
    "programme:dashboard": page(needs(P)),
    "programme:indicator_list": page(needs(P)),
    "programme:indicator_create": page(needs(P, Role.EDITOR)),
    "programme:indicator_detail": page(needs(P)),
    "programme:indicator_edit": page(needs(P, Role.EDITOR)),
    "programme:target_add": post_only,
    "programme:target_delete": post_only,
    "programme:value_add": post_only,
}
API: dict[str, Rule] = {
    "GET /api/v1/programme/indicators": api(needs(P)),
    f"GET {ONE}": api(needs(P)),
    f"POST {ONE}/targets": api(needs(P, Role.EDITOR, ok=201)),
    f"POST {ONE}/values": api(needs(P, Role.EDITOR, ok=201)),
    "GET /api/v1/programme/dashboard": api(needs(P)),
}
_ONE = {"code": "{prog_indicator}"}
PAGE_ARGS: dict[str, dict[str, str]] = {
    "programme:indicator_detail": _ONE,
    "programme:indicator_edit": _ONE,
    "programme:target_add": _ONE,
    "programme:target_delete": {"code": "{prog_indicator}", "pk": "{prog_target}"},
    "programme:value_add": _ONE,
}
API_ARGS: dict[str, Any] = {"indicator_code": "{prog_indicator}"}
API_OP_ARGS: dict[str, dict[str, str]] = {}
API_BODIES: dict[str, Any] = {
    f"POST {ONE}/targets": {
        "starts_on": "2015-09-01",
        "ends_on": "2015-12-31",
        "value": 250,
        "direction": "at_least",
        "basis": "Matrix",
    },
    f"POST {ONE}/values": {
        "starts_on": "2015-09-01",
        "ends_on": "2015-09-30",
        "value": 200,
        "source": "Matrix",
    },
}


def samples() -> dict[str, str]:
    import datetime as dt

    from entente.core.models import User
    from entente.programme.services import indicators

    editor = User.objects.get(username="programme.homeoffice")
    indicator = indicators.create_indicator(
        acting_user=editor,
        code="matrix_staff",
        name_en="Matrix staff",
        name_fr="Agents (matrice)",
        definition_en="Staff.",
        definition_fr="Agents.",
        unit_en="staff",
        unit_fr="agents",
        source="entered",
    )
    target = indicators.add_target(
        indicator,
        acting_user=editor,
        starts_on=dt.date(2015, 1, 1),
        ends_on=dt.date(2015, 6, 30),
        value=150,
    )
    return {"{prog_indicator}": indicator.code, "{prog_target}": str(target.pk)}


def state() -> tuple[Any, ...]:
    from entente.programme.models import Indicator, IndicatorValue, Target

    return (
        Indicator.objects.count(),
        Target.objects.count(),
        IndicatorValue.objects.count(),
        sorted(Target.objects.values_list("pk", flat=True)),
    )
