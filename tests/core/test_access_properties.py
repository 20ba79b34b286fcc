"""Property tests of the access policy (hypothesis).

The rules are written out again here, plainly, from docs/development/access.md; for any
marking, any named recipients and any user, the policy's query (``visible_to``) and its
Python check (``can_view``) must agree with them exactly: nothing the rules refuse is ever
shown, and nothing they grant is hidden.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entente.core import access
from entente.core.choices import TLP, AgencyKind, Classification, Module, Role
from entente.core.models import Agency, Bulletin, ModuleRole, Recipient, User

# One agency of each kind, from both countries.
AGENCY_CODES = [
    "DCPAF",
    "OCRIEST",
    "PN",
    "GEND",
    "PREF62",
    "MININT",
    "EUROTUNNEL",
    "LVA",
    "IOM",
    "BF",
    "NCA",
    "KENTPOL",
    "HO",
]
_counter = itertools.count()


@dataclass
class RecordSpec:
    originator: str
    classification: int
    releasability: frozenset[str]
    tlp: str
    by_user: bool
    named_agencies: frozenset[str]
    name_user: bool


@dataclass
class UserSpec:
    agency: str | None
    clearance: int
    role: int
    active: bool


records = st.builds(
    RecordSpec,
    originator=st.sampled_from(AGENCY_CODES),
    classification=st.sampled_from(Classification.values),
    releasability=st.frozensets(st.sampled_from(["FR", "UK"]), min_size=1),
    tlp=st.sampled_from(TLP.values),
    by_user=st.booleans(),
    named_agencies=st.frozensets(st.sampled_from(AGENCY_CODES), max_size=3),
    name_user=st.booleans(),
)
users = st.builds(
    UserSpec,
    # Humanitarian agencies weigh more: their rule (rule 5) is the narrowest gate.
    agency=st.one_of(
        st.none(), st.sampled_from(AGENCY_CODES), st.sampled_from(["LVA", "IOM", "FTDA"])
    ),
    clearance=st.sampled_from(Classification.values),
    # Mostly active users holding a role: the interesting cases are past the first gate.
    role=st.sampled_from(
        [0, Role.VIEWER, Role.VIEWER, Role.EDITOR, Role.APPROVER, Role.ADMINISTRATOR]
    ),
    active=st.sampled_from([True, True, True, True, False]),
)


def rules_allow(user: UserSpec, rec: RecordSpec) -> bool:
    """The written rules, independent of the implementation."""
    if not user.active or user.agency is None or user.role < Role.VIEWER:
        return False
    agency = Agency.objects.get(code=user.agency)
    if rec.classification > user.clearance:
        return False
    if agency.country.code not in rec.releasability:
        return False
    own = rec.originator == user.agency
    named = user.agency in rec.named_agencies or rec.name_user
    if rec.tlp in (TLP.AMBER, TLP.AMBER_STRICT) and not (own or named):
        return False
    if rec.tlp == TLP.RED and not (rec.name_user or rec.by_user):
        return False
    humanitarian = agency.kind in (AgencyKind.NGO, AgencyKind.INTERNATIONAL)
    return not (humanitarian and not (own or named))


def _make_user(spec: UserSpec) -> User:
    user = User.objects.create(
        username=f"prop-{next(_counter)}",
        agency=Agency.objects.get(code=spec.agency) if spec.agency else None,
        clearance=spec.clearance,
        is_active=spec.active,
    )
    if spec.role:
        ModuleRole.objects.create(user=user, module=Module.COMMAND, role=spec.role)
    return User.objects.select_related("agency__country").get(pk=user.pk)


def _make_record(spec: RecordSpec, user: User, other: User) -> Bulletin:
    # Records are written straight to the table, bypassing the services' checks, so that
    # markings the services would refuse are tested too.
    bulletin = Bulletin.objects.create(
        title="t",
        body="b",
        language="en",
        classification=spec.classification,
        releasability=spec.releasability,
        tlp=spec.tlp,
        originator=Agency.objects.get(code=spec.originator),
        created_by=user if spec.by_user else other,
    )
    ct = ContentType.objects.get_for_model(Bulletin)
    for code in spec.named_agencies:
        Recipient.objects.create(
            content_type=ct, object_id=bulletin.pk, agency=Agency.objects.get(code=code)
        )
    if spec.name_user:
        Recipient.objects.create(content_type=ct, object_id=bulletin.pk, user=user)
    return bulletin


@pytest.mark.django_db
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(user_spec=users, record_specs=st.lists(records, min_size=1, max_size=6))
def test_visibility_is_exactly_what_the_rules_allow(user_spec, record_specs):
    user = _make_user(user_spec)
    other = User.objects.get(username="gold.pn")
    made = [(_make_record(spec, user, other), spec) for spec in record_specs]
    ids = [b.pk for b, _ in made]
    shown = set(Bulletin.objects.filter(pk__in=ids).visible_to(user).values_list("pk", flat=True))
    for bulletin, spec in made:
        allowed = rules_allow(user_spec, spec)
        assert (bulletin.pk in shown) == allowed, (user_spec, spec)
        assert access.can_view(user, bulletin) == allowed, (user_spec, spec)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(user_spec=users, module=st.sampled_from(Module.values), role=st.sampled_from(Role.values))
def test_humanitarian_agencies_never_hold_a_law_enforcement_role(user_spec, module, role):
    user = _make_user(user_spec)
    # Even a role row written behind the services' back grants nothing there.
    ModuleRole.objects.update_or_create(user=user, module=module, defaults={"role": role})
    user.forget_roles()
    effective = access.role_in(user, module)
    if (
        not user_spec.active
        or user_spec.agency is None
        or (
            Agency.objects.get(code=user_spec.agency).kind
            in (
                AgencyKind.NGO,
                AgencyKind.INTERNATIONAL,
            )
            and module in (Module.INTELLIGENCE, Module.INVESTIGATIONS)
        )
    ):
        assert effective == 0
    else:
        assert effective == role
