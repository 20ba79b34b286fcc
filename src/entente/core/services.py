"""Writes of the core app. Views, the API and commands parse, call these, and render.

Every function takes the acting user (None for the system itself), runs in one transaction
and writes its audit entry in that same transaction.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core import access, audit, compiled
from entente.core.choices import (
    LAW_ENFORCEMENT_MODULES,
    RESTRICTED_AGENCY_KINDS,
    TLP,
    AuditAction,
    Classification,
    Module,
    Role,
)
from entente.core.models import (
    Agency,
    ApiToken,
    Bulletin,
    Country,
    MarkedModel,
    ModuleRole,
    Recipient,
    Site,
    User,
)

M = TypeVar("M", bound=models.Model)

TOKEN_PREFIX = "ent_"  # noqa: S105 - a public prefix that makes leaked tokens greppable


# Reference data ---------------------------------------------------------------------------


@transaction.atomic
def upsert_country(
    *, code: str, name_en: str, name_fr: str, timezone_name: str, acting_user: User | None
) -> Country:
    return upsert_row(
        Country,
        {"code": code},
        {"name_en": name_en, "name_fr": name_fr, "timezone": timezone_name},
        acting_user,
    )


@transaction.atomic
def upsert_agency(
    *, code: str, name_en: str, name_fr: str, country: Country, kind: str, acting_user: User | None
) -> Agency:
    return upsert_row(
        Agency,
        {"code": code},
        {"name_en": name_en, "name_fr": name_fr, "country": country, "kind": kind},
        acting_user,
    )


@transaction.atomic
def upsert_site(*, code: str, acting_user: User | None, **fields: Any) -> Site:
    return upsert_row(Site, {"code": code}, fields, acting_user)


def upsert_row(
    model: type[M], key: dict[str, Any], fields: dict[str, Any], acting_user: User | None
) -> M:
    """Create the row, or bring it in line with ``fields``; audit only what changed."""
    obj = model._default_manager.filter(**key).first()
    if obj is None:
        obj = model(**key, **fields)
        obj.full_clean()
        obj.save()
        audit.record_create(acting_user, obj)
        return obj
    before = audit.snapshot(obj)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    if audit.snapshot(obj) != before:
        obj.save()
        audit.record_update(acting_user, obj, before)
    return obj


# Users and roles ----------------------------------------------------------------------------


@transaction.atomic
def create_user(
    *,
    username: str,
    agency: Agency | None,
    acting_user: User | None,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    clearance: int = Classification.OFFICIAL,
    language: str = "",
    is_service_account: bool = False,
    roles: dict[str, int] | None = None,
) -> User:
    """Create a user of one agency with a clearance and roles; the password is hashed (Argon2)."""
    user = User(
        username=username,
        agency=agency,
        first_name=first_name,
        last_name=last_name,
        email=email,
        clearance=clearance,
        language=language,
        is_service_account=is_service_account,
    )
    if password and not is_service_account:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit.record_create(acting_user, user)
    for module, role in (roles or {}).items():
        set_role(user, module, role, acting_user=acting_user)
    return user


@transaction.atomic
def set_role(user: User, module: str, role: int | None, *, acting_user: User | None) -> None:
    """Give a user a role in a module (None removes it). Humanitarian agencies are refused
    intelligence and investigations roles."""
    if module not in Module.values:
        raise ValidationError(_("Unknown module {module}.").format(module=module))
    if role is not None and role not in Role.values:
        raise ValidationError(_("Unknown role {role}.").format(role=role))
    if (
        role is not None
        and module in LAW_ENFORCEMENT_MODULES
        and user.agency is not None
        and user.agency.kind in RESTRICTED_AGENCY_KINDS
    ):
        raise ValidationError(
            _("Users of humanitarian organisations cannot hold a role in {module}.").format(
                module=Module(module).label
            )
        )
    existing = ModuleRole.objects.filter(user=user, module=module).first()
    before = existing.role if existing else None
    if before == role:
        return
    if role is None:
        if existing is not None:
            existing.delete()
    elif existing is None:
        ModuleRole.objects.create(user=user, module=module, role=role)
    else:
        existing.role = role
        existing.save(update_fields=["role"])
    user.forget_roles()
    audit.record(acting_user, AuditAction.UPDATE, user, changes={f"role:{module}": [before, role]})


@transaction.atomic
def set_preferences(
    user: User, *, acting_user: User, language: str | None = None, timezone_name: str | None = None
) -> User:
    """Change a user's interface language and time zone (their own, or as administrator)."""
    if acting_user.pk != user.pk:
        raise PermissionDenied(_("You may only change your own preferences."))
    before = audit.snapshot(user)
    if language is not None:
        user.language = language
    if timezone_name is not None:
        user.timezone = timezone_name
    user.full_clean(exclude=["password"])
    user.save(update_fields=["language", "timezone"])
    audit.record_update(acting_user, user, before)
    return user


# API tokens -------------------------------------------------------------------------------


def hash_token(raw: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough (no guessing to slow down).
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_api_token(
    user: User, *, name: str, acting_user: User | None, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a bearer token; returns the row and the raw token, which is never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:10], key_hash=hash_token(raw), expires_at=expires_at
    )
    audit.record(acting_user, AuditAction.TOKEN, token, changes={"created": token.prefix})
    return token, raw


@transaction.atomic
def revoke_api_token(token: ApiToken, *, acting_user: User | None) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(acting_user, AuditAction.TOKEN, token, changes={"revoked": token.prefix})


# What the token lookup reads: the token's state, its user, agency and country (every column,
# as select_related would), and the user's roles, a row per role.
_TOKEN_COLUMNS = ("id", "last_used_at", "expires_at", "revoked_at")
_ROLE_COLUMNS = ("user__module_roles__module", "user__module_roles__role")
_TOKEN_PLACEHOLDER = "token-hash"  # noqa: S105 - replaced by the hash at each lookup


@functools.cache
def _columns(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


def _token_query() -> models.QuerySet[ApiToken]:
    user, agency, country = _columns(User), _columns(Agency), _columns(Country)
    return (
        ApiToken.objects.filter(key_hash=_TOKEN_PLACEHOLDER)
        .order_by()
        .values_list(
            *_TOKEN_COLUMNS,
            *_ROLE_COLUMNS,
            *(f"user__{name}" for name in user),
            *(f"user__agency__{name}" for name in agency),
            *(f"user__agency__country__{name}" for name in country),
        )
    )


def user_for_token(raw: str) -> User | None:
    """The active user a bearer token stands for, or None.

    One query, compiled once: the token, its user with agency and country, and the user's
    module roles (a row per role), which stay on the user for the request, so the access
    policy asks nothing more of the database about the caller.
    """
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    found = compiled.rows(
        ("user_for_token",), _token_query, [hash_token(raw)], [_TOKEN_PLACEHOLDER]
    )
    if not found:
        return None
    first = found[0]
    token = ApiToken(id=first[0], last_used_at=first[1], expires_at=first[2], revoked_at=first[3])
    start = len(_TOKEN_COLUMNS) + len(_ROLE_COLUMNS)
    user_names, agency_names, country_names = _columns(User), _columns(Agency), _columns(Country)
    user = User.from_db(DEFAULT_DB_ALIAS, user_names, first[start : start + len(user_names)])
    start += len(user_names)
    if user.agency_id is not None:
        end = start + len(agency_names)
        agency = Agency.from_db(DEFAULT_DB_ALIAS, agency_names, first[start:end])
        start = end
        agency.country = Country.from_db(DEFAULT_DB_ALIAS, country_names, first[start:])
        user.agency = agency
    if not token.is_usable() or not user.is_active:
        return None
    user.remember_roles({row[4]: row[5] for row in found if row[4] is not None})
    now = timezone.now()
    # Touch at most once a minute: a busy sensor must not turn every request into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user


# Markings and dissemination ---------------------------------------------------------------


def validate_marking(
    *,
    originator: Agency,
    releasability: Iterable[str],
    tlp: str,
    classification: int,
    author: User | None = None,
) -> frozenset[str]:
    """The releasability's country codes, once the marking holds together; ValidationError
    naming each wrong field otherwise. With ``author``, the classification may not be above
    the author's own clearance."""
    codes, errors = marking_errors(
        originator=originator,
        releasability=releasability,
        tlp=tlp,
        classification=classification,
        author=author,
    )
    if errors:
        raise ValidationError(errors)
    return codes


def marking_errors(
    *,
    originator: Agency,
    releasability: Iterable[str],
    tlp: str,
    classification: int,
    author: User | None = None,
) -> tuple[frozenset[str], dict[str, str]]:
    """``validate_marking``'s checks, as the codes and a field -> message dict, for services
    that gather their own fields' errors with the marking's into one refusal."""
    codes = frozenset(c.strip().upper() for c in releasability if c.strip())
    known = set(Country.objects.values_list("code", flat=True))
    errors: dict[str, str] = {}
    if not codes:
        errors["releasability"] = _("Name at least one country.")
    elif codes - known:
        errors["releasability"] = _("Unknown country: {codes}.").format(
            codes=", ".join(sorted(codes - known))
        )
    elif originator.country.code not in codes:
        errors["releasability"] = _(
            "A record is always releasable to its originator's country ({code})."
        ).format(code=originator.country.code)
    if tlp not in TLP.values:
        errors["tlp"] = _("Unknown TLP {tlp}.").format(tlp=tlp)
    if classification not in Classification.values:
        errors["classification"] = _("Unknown classification.")
    elif author is not None and classification > author.clearance:
        errors["classification"] = _("You cannot mark a record above your own clearance.")
    return codes, errors


@transaction.atomic
def disseminate(
    obj: MarkedModel,
    *,
    acting_user: User,
    agencies: Iterable[Agency] = (),
    users: Iterable[User] = (),
    purpose: str = "",
) -> list[Recipient]:
    """Name agencies or people as recipients of a record the acting user can see.

    Only the originating agency's editors disseminate; the country of each recipient must be
    in the record's releasability (widening it is the originator's separate, audited act).
    """
    if not access.can_change(acting_user, obj):
        raise PermissionDenied(
            _("Only editors of the originating agency may disseminate this record.")
        )
    return name_recipients(
        obj, acting_user=acting_user, agencies=agencies, users=users, purpose=purpose
    )


def name_recipients(
    obj: MarkedModel,
    *,
    acting_user: User | None,
    agencies: Iterable[Agency] = (),
    users: Iterable[User] = (),
    purpose: str = "",
) -> list[Recipient]:
    """Name recipients of a record, checked against its releasability and audited as one
    disclosure, without asking who may disseminate: for the services whose rule names the
    recipients themselves (a handover goes to the safeguarding agencies of its site), and for
    ``disseminate`` once it has checked the person. Call inside the caller's transaction."""
    ct = ContentType.objects.get_for_model(type(obj))
    created: list[Recipient] = []
    for agency in agencies:
        _check_releasable(obj, agency)
        rec, new = Recipient.objects.get_or_create(
            content_type=ct, object_id=obj.pk, agency=agency, defaults={"created_by": acting_user}
        )
        if new:
            created.append(rec)
    for person in users:
        if person.agency is None:
            raise ValidationError(_("{user} belongs to no agency.").format(user=person))
        _check_releasable(obj, person.agency)
        rec, new = Recipient.objects.get_or_create(
            content_type=ct, object_id=obj.pk, user=person, defaults={"created_by": acting_user}
        )
        if new:
            created.append(rec)
    if created:
        audit.record(
            acting_user,
            AuditAction.DISCLOSE,
            obj,
            purpose=purpose,
            changes={"recipients": [str(r.agency.code if r.agency else r.user) for r in created]},
        )
    return created


def _check_releasable(obj: MarkedModel, agency: Agency) -> None:
    if agency.country.code not in obj.releasability:
        raise ValidationError(
            _("{agency} is in a country this record is not releasable to.").format(
                agency=agency.code
            )
        )


# Bulletins --------------------------------------------------------------------------------


@transaction.atomic
def create_bulletin(
    *,
    acting_user: User,
    title: str,
    body: str,
    language: str,
    classification: int = Classification.OFFICIAL,
    releasability: Iterable[str] = (),
    tlp: str = TLP.GREEN,
    translation: str = "",
) -> Bulletin:
    """Post a bulletin for the user's agency (editors of the joint command module)."""
    access.require_role(acting_user, Module.COMMAND, Role.EDITOR)
    assert acting_user.agency is not None  # an editor always has an agency
    codes = validate_marking(
        originator=acting_user.agency,
        releasability=releasability or [acting_user.agency.country.code],
        tlp=tlp,
        classification=classification,
        author=acting_user,
    )
    bulletin = Bulletin(
        title=title,
        body=body,
        language=language,
        translation=translation,
        classification=classification,
        releasability=codes,  # type: ignore[misc]  # CountrySetField takes a set of codes
        tlp=tlp,
        originator=acting_user.agency,
        created_by=acting_user,
    )
    bulletin.full_clean()
    bulletin.save()
    audit.record_create(acting_user, bulletin)
    return bulletin


@transaction.atomic
def update_bulletin(bulletin: Bulletin, *, acting_user: User, **fields: Any) -> Bulletin:
    """Edit a bulletin's text (its marking is changed only by the originator, here too)."""
    if not access.can_change(acting_user, bulletin):
        raise PermissionDenied(_("Only editors of the originating agency may change this record."))
    before = audit.snapshot(bulletin)
    allowed = {"title", "body", "language", "translation", "classification", "releasability", "tlp"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: {fields}.").format(fields=", ".join(sorted(unknown)))
        )
    for name, value in fields.items():
        setattr(bulletin, name, value)
    validate_marking(
        originator=bulletin.originator,
        releasability=bulletin.releasability,
        tlp=bulletin.tlp,
        classification=bulletin.classification,
        author=acting_user,
    )
    bulletin.full_clean()
    bulletin.save()
    audit.record_update(acting_user, bulletin, before)
    return bulletin
