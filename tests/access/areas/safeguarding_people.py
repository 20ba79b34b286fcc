"""Matrix expectations: safeguarding, people (see tests/access/areas/__init__.py).

The samples (``samples``): a child recorded by La Vie Active (caseworker.lva, safeguarding
editor), with a consent to voluntary return with French organisations, referred to IOM
(officer.iom, safeguarding viewer) for voluntary return. LVA and IOM see the person and the
referral; the prefecture (safeguarding.pref), not named, gets 404; everyone without a
safeguarding role, the police and border personas included, gets 403 (401 on the API when
anonymous). The handover taken up is the control room's sample (named to LVA and PREF62).
"""

from __future__ import annotations

from typing import Any

from entente.core.choices import Module, Role
from entente.demo.personas import BY_USERNAME
from tests.access.expectations_base import Rule, api, needs, page, role

S = Module.SAFEGUARDING
SEE = {"LVA", "IOM"}  # the holding and the receiving organisations


def _agency(persona: str) -> str | None:
    p = BY_USERNAME.get(persona)
    return p.agency if p else None


def _sees(p: str) -> bool:
    return _agency(p) in SEE


def seen(ok: int = 200, *, editor: bool = False, holder: bool = False) -> Rule:
    """No safeguarding role: 403. Not named: 404. Seen: ``ok`` when the persona may act
    (an editor; of the holding organisation when ``holder``), else 403."""

    def rule(p: str) -> int:
        if not role(p, S):
            return 403
        if not _sees(p):
            return 404
        if editor and role(p, S) < Role.EDITOR:
            return 403
        if holder and _agency(p) != "LVA":
            return 403
        return ok

    return rule


def takes_up(p: str) -> int:
    if role(p, S) < Role.EDITOR:
        return 403
    return 200 if _agency(p) in {"LVA", "PREF62"} else 404


POST_ONLY: Rule = lambda p: 405  # noqa: E731

PAGES: dict[str, Rule] = {
    "safeguarding:person_list": page(needs(S)),
    "safeguarding:person_create": page(needs(S, Role.EDITOR)),
    "safeguarding:person_detail": page(seen()),
    "safeguarding:person_edit": page(seen(holder=True, editor=True)),
    "safeguarding:screening_create": POST_ONLY,
    "safeguarding:consent_create": POST_ONLY,
    "safeguarding:consent_withdraw": POST_ONLY,
    "safeguarding:referral_create": POST_ONLY,
    "safeguarding:referral_list": page(needs(S)),
    "safeguarding:referral_detail": page(seen()),
    "safeguarding:referral_move": POST_ONLY,
    "safeguarding:handover_people": page(takes_up),
}
API: dict[str, Rule] = {
    "GET /api/v1/safeguarding/people": api(needs(S)),
    "POST /api/v1/safeguarding/people": api(needs(S, Role.EDITOR, ok=201)),
    # No purpose given: those who see the person are asked for it (422).
    "GET /api/v1/safeguarding/people/{person_id}": api(seen(422)),
    "PUT /api/v1/safeguarding/people/{person_id}": api(seen(holder=True, editor=True)),
    "POST /api/v1/safeguarding/people/{person_id}/screenings": api(seen(201, editor=True)),
    "GET /api/v1/safeguarding/people/{person_id}/consents": api(seen()),
    "POST /api/v1/safeguarding/people/{person_id}/consents": api(seen(201, editor=True)),
    "POST /api/v1/safeguarding/consents/{consent_id}/withdraw": api(seen(editor=True)),
    "GET /api/v1/safeguarding/referrals": api(needs(S)),
    "POST /api/v1/safeguarding/people/{person_id}/referrals": api(seen(201, editor=True)),
    "GET /api/v1/safeguarding/referrals/{referral_id}": api(seen()),
    # Revoked by the referring organisation's editors.
    "POST /api/v1/safeguarding/referrals/{referral_id}/state": api(seen(editor=True, holder=True)),
}
PAGE_ARGS: dict[str, dict[str, str]] = {
    **{
        f"safeguarding:{name}": {"pk": "{sg_person}"}
        for name in (
            "person_detail",
            "person_edit",
            "screening_create",
            "consent_create",
            "referral_create",
        )
    },
    "safeguarding:consent_withdraw": {"pk": "{sg_consent}"},
    "safeguarding:referral_detail": {"pk": "{sg_referral}"},
    "safeguarding:referral_move": {"pk": "{sg_referral}"},
    "safeguarding:handover_people": {"pk": "{sg_handover}"},
}
API_ARGS: dict[str, Any] = {
    "person_id": "{sg_person}",
    "consent_id": "{sg_consent}",
    "referral_id": "{sg_referral}",
}
API_OP_ARGS: dict[str, dict[str, str]] = {}
API_BODIES: dict[str, Any] = {
    "POST /api/v1/safeguarding/people": {"age_band": "25-59", "gender": "f"},
    "PUT /api/v1/safeguarding/people/{person_id}": {"age_band": "16-17", "gender": "m"},
    "POST /api/v1/safeguarding/people/{person_id}/screenings": {
        "place": "Centre Jules Ferry",
        "language": "ti",
    },
    "POST /api/v1/safeguarding/people/{person_id}/consents": {
        "purpose": "asylum",
        "country": "FR",
        "given": True,
        "language": "ti",
    },
    "POST /api/v1/safeguarding/people/{person_id}/referrals": {
        "purpose": "child_protection",
        "to_agency": "FTDA",
    },
    "POST /api/v1/safeguarding/referrals/{referral_id}/state": {"state": "revoked"},
}


def samples() -> dict[str, str]:
    from entente.core.models import Agency, User
    from entente.safeguarding.services import consent, people, referrals

    worker = User.objects.select_related("agency__country").get(username="caseworker.lva")
    child = people.create_person(
        worker,
        people.PersonInput(age_band="16-17", gender="m", languages=["ti"], indicators=["minor"]),
    )
    given = consent.record_consent(
        worker, child, purpose="voluntary_return", country="FR", given=True, language="ti"
    )
    referral = referrals.refer(
        worker, child, purpose="voluntary_return", to_agency=Agency.objects.get(code="IOM")
    )
    return {
        "{sg_person}": str(child.pk),
        "{sg_consent}": str(given.pk),
        "{sg_referral}": str(referral.pk),
    }


def state() -> tuple[Any, ...]:
    from entente.safeguarding.models import Consent, Person, Referral, Screening

    return (
        Person.objects.count(),
        sorted(Person.objects.values_list("age_band", flat=True)),
        Screening.objects.count(),
        Consent.objects.count(),
        Consent.objects.filter(withdrawn_at__isnull=False).count(),
        Referral.objects.count(),
        sorted(Referral.objects.values_list("state", flat=True)),
    )
