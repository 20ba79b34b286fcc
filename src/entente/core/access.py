"""The access policy. This module alone decides who may see or change what.

A user sees a marked record when all of these agree (docs/development/access.md):

1. **Module role.** The user is active, belongs to an agency and holds at least the viewer
   role in the record's module. Humanitarian agencies (NGO, international) never hold a role
   in intelligence or investigations, whatever is recorded.
2. **Clearance.** The user's clearance is at least the record's classification.
3. **Releasability.** The user's agency's country is among the countries the record is
   releasable to.
4. **TLP.** CLEAR and GREEN: no further limit. AMBER and AMBER+STRICT: the user's agency is the
   originator or a named recipient agency, or the user is a named recipient. RED: the user is a
   named recipient or the author.
5. **Humanitarian agencies** see only records their agency originated or was named on.

``visible_q`` expresses the rules as a query (lists); ``can_view`` as Python (one object in
hand). The property tests in tests/core/test_access_properties.py hold them to each other and
to the rules above.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from entente.core.choices import (
    LAW_ENFORCEMENT_KINDS,
    LAW_ENFORCEMENT_MODULES,
    RESTRICTED_AGENCY_KINDS,
    TLP,
    Module,
    Role,
)

if TYPE_CHECKING:
    from entente.core.models import MarkedModel, User

M = TypeVar("M", bound=Model)

OPEN_TLP = (TLP.CLEAR, TLP.GREEN)
AMBER_TLP = (TLP.AMBER, TLP.AMBER_STRICT)


def _is_person(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.agency_id is not None
    )


def is_restricted(user: User) -> bool:
    """True for users of humanitarian agencies (NGO, international organisation)."""
    return user.agency is not None and user.agency.kind in RESTRICTED_AGENCY_KINDS


def role_in(user: Any, module: str) -> int:
    """The role a user effectively holds in a module (0 when none)."""
    if not _is_person(user):
        return 0
    if module in LAW_ENFORCEMENT_MODULES and is_restricted(user):
        return 0
    return int(user.role_in(module))


def has_role(user: Any, module: str, role: int = Role.VIEWER) -> bool:
    return role_in(user, module) >= role


def require_role(user: Any, module: str, role: int = Role.VIEWER) -> None:
    """Raise PermissionDenied unless the user holds at least ``role`` in ``module``."""
    if not has_role(user, module, role):
        raise PermissionDenied(_("You do not hold the role this needs."))


def modules_of(user: Any) -> list[str]:
    """The modules in which the user holds any role, in menu order."""
    return [m.value for m in Module if has_role(user, m.value)]


def may_read_special_category(user: Any) -> bool:
    """Health and safeguarding details: safeguarding roles outside law enforcement only.

    Police and border roles see that a person is vulnerable and where they were placed,
    never why.
    """
    return (
        has_role(user, Module.SAFEGUARDING)
        and user.agency is not None
        and user.agency.kind not in LAW_ENFORCEMENT_KINDS
    )


def _recipient_exists(model: type[Model], **match: Any) -> Exists:
    from entente.core.models import Recipient

    ct = ContentType.objects.get_for_model(model)
    return Exists(Recipient.objects.filter(content_type=ct, object_id=OuterRef("pk"), **match))


def visible_q(user: Any, model: type[MarkedModel]) -> Q:
    """The records of ``model`` the user may see, as a filter (rules 1-5 above)."""
    if not has_role(user, model.access_module):
        return Q(pk__in=[])
    named_agency = _recipient_exists(model, agency_id=user.agency_id)
    named_user = _recipient_exists(model, user_id=user.pk)
    own_or_named = Q(originator_id=user.agency_id) | Q(named_agency) | Q(named_user)
    tlp = (
        Q(tlp__in=OPEN_TLP)
        | (Q(tlp__in=AMBER_TLP) & own_or_named)
        | (Q(tlp=TLP.RED) & (Q(named_user) | Q(created_by_id=user.pk)))
    )
    q = (
        Q(classification__lte=user.clearance)
        & Q(releasability__contains=user.agency.country.code)
        & tlp
    )
    if is_restricted(user):
        q &= own_or_named
    return q


def policy_key(user: Any, model: type[MarkedModel]) -> tuple[Any, ...]:
    """Everything of the user that ``visible_q`` reads, for callers that keep the SQL it
    compiles to: two users with the same key get the same filter. Change it with
    ``visible_q``."""
    if not has_role(user, model.access_module):
        return (model._meta.label, False)
    return (
        model._meta.label,
        ContentType.objects.get_for_model(model).pk,  # in the Recipient subqueries
        user.pk,
        user.agency_id,
        user.clearance,
        user.agency.country.code,
        is_restricted(user),
    )


def _named(user: User, obj: MarkedModel) -> tuple[bool, bool]:
    from entente.core.models import Recipient

    assert user.agency_id is not None  # callers have checked the module role
    ct = ContentType.objects.get_for_model(type(obj))
    rows = Recipient.objects.filter(content_type=ct, object_id=obj.pk)
    return (
        rows.filter(agency_id=user.agency_id).exists(),
        rows.filter(user_id=user.pk).exists(),
    )


def can_view(user: Any, obj: MarkedModel) -> bool:
    """Whether the user may see this record (the same rules as ``visible_q``)."""
    if not has_role(user, obj.access_module):
        return False
    if obj.classification > user.clearance:
        return False
    if user.agency.country.code not in obj.releasability:
        return False
    agency_named, user_named = _named(user, obj)
    own_or_named = obj.originator_id == user.agency_id or agency_named or user_named
    if obj.tlp in AMBER_TLP and not own_or_named:
        return False
    if obj.tlp == TLP.RED and not (user_named or obj.created_by_id == user.pk):
        return False
    return not (is_restricted(user) and not own_or_named)


def can_change(user: Any, obj: MarkedModel) -> bool:
    """Editors of the originating agency change a record they can see; nobody else does."""
    return (
        has_role(user, obj.access_module, Role.EDITOR)
        and obj.originator_id == user.agency_id
        and can_view(user, obj)
    )


def visible(model: type[M], user: Any) -> QuerySet[M]:
    """The visible records of a marked model (the same as ``Model.objects.visible_to``)."""
    return model.objects.visible_to(user)  # type: ignore[attr-defined,no-any-return]


def get_visible_or_404(model: type[M] | QuerySet[M], user: Any, **lookup: Any) -> M:
    """One visible record, or Http404: absent and forbidden look the same from outside."""
    qs = model if isinstance(model, QuerySet) else model._default_manager.all()
    qs = qs.visible_to(user)  # type: ignore[attr-defined]
    try:
        return qs.get(**lookup)  # type: ignore[no-any-return]
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such record.")) from None


def get_changeable_or_404(model: type[M], user: Any, **lookup: Any) -> M:
    """A record the user may change; 404 if unseen, PermissionDenied if seen but not theirs."""
    obj = get_visible_or_404(model, user, **lookup)
    if not can_change(user, obj):  # type: ignore[arg-type]
        raise PermissionDenied(_("Only editors of the originating agency may change this record."))
    return obj


def require_reference_access(user: Any) -> None:
    """Reference data (agencies, sites) is for any user holding a role somewhere."""
    if not modules_of(user):
        raise PermissionDenied(_("You do not hold any role in Entente."))


def can_change_visible(user: Any, obj: MarkedModel) -> bool:
    """``can_change`` for a record already fetched through ``visible_to`` (no extra query)."""
    return has_role(user, obj.access_module, Role.EDITOR) and obj.originator_id == user.agency_id
