"""Users, their roles per module, and the API tokens of machine clients."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.core.choices import Classification, Language, Module, Role

if TYPE_CHECKING:
    from entente.core.models.reference import Agency


class User(AbstractUser):
    """A person (or a service account) of one agency, with a clearance and roles per module.

    A user without an agency is an outsider: the access policy grants such a user nothing.
    """

    agency = models.ForeignKey(
        "core.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("agency"),
    )
    clearance = models.IntegerField(
        _("clearance"), choices=Classification.choices, default=Classification.OFFICIAL
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Language.choices,
        blank=True,
        help_text=_("The interface language; empty means the browser's."),
    )
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Times are shown in this zone; empty means the agency country's."),
    )
    is_service_account = models.BooleanField(
        _("service account"),
        default=False,
        help_text=_("A machine client of an agency: API tokens only, no interactive log-in."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def role_in(self, module: str) -> int:
        """The user's role in a module (0 for none), cached on the instance for the request."""
        roles: dict[str, int] | None = getattr(self, "_role_cache", None)
        if roles is None:
            roles = dict(self.module_roles.values_list("module", "role"))
            self._role_cache = roles
        return roles.get(module, 0)

    def remember_roles(self, roles: dict[str, int]) -> None:
        """Keep roles fetched with the user (one query for both) for ``role_in``."""
        self._role_cache = dict(roles)

    def forget_roles(self) -> None:
        self.__dict__.pop("_role_cache", None)

    @property
    def country_code(self) -> str | None:
        agency: Agency | None = self.agency
        return agency.country.code if agency is not None else None

    @property
    def zone(self) -> str:
        if self.timezone:
            return self.timezone
        if self.agency is not None:
            return self.agency.country.timezone
        return "UTC"


class ModuleRole(models.Model):
    """The role a user holds in one module (viewer, editor, approver, administrator)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="module_roles", verbose_name=_("user")
    )
    module = models.CharField(_("module"), max_length=20, choices=Module.choices)
    role = models.IntegerField(_("role"), choices=Role.choices)

    class Meta:
        ordering = ["user", "module"]
        verbose_name = _("module role")
        verbose_name_plural = _("module roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module"],
                name="core_modulerole_one_per_module",
                violation_error_message=_("A user holds one role per module."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.module}:{self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token for a machine client. Only its SHA-256 is kept; the token is shown once."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: datetime | None = None) -> bool:
        moment = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > moment)
