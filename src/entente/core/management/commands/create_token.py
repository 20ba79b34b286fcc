"""``entente create_token USERNAME``: an API bearer token for a user or a service account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from entente.core import services
from entente.core.choices import Module, Role
from entente.core.models import Agency, User


class Command(BaseCommand):
    help = (
        "Create an API token for USERNAME and print it once. With --service-account and "
        "--agency, create the agency's service account first if it does not exist."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="a label for the token")
        parser.add_argument("--days", type=int, default=0, help="expire after N days (0: never)")
        parser.add_argument(
            "--service-account",
            action="store_true",
            help="create USERNAME as a service account of --agency if missing",
        )
        parser.add_argument("--agency", help="agency code of a new service account")
        parser.add_argument(
            "--role",
            action="append",
            default=[],
            metavar="MODULE:ROLE",
            help="role of a new service account, e.g. control_room:editor",
        )

    @transaction.atomic
    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            if not opts["service_account"]:
                raise CommandError(
                    f"no user {opts['username']!r} (add --service-account to create one)"
                )
            agency = Agency.objects.filter(code=opts["agency"] or "").first()
            if agency is None:
                raise CommandError(
                    "a new service account needs --agency CODE of an existing agency"
                )
            user = services.create_user(
                username=opts["username"],
                agency=agency,
                acting_user=None,
                is_service_account=True,
                roles=self._roles(opts["role"]),
            )
        expires = timezone.now() + timedelta(days=opts["days"]) if opts["days"] > 0 else None
        _, raw = services.create_api_token(
            user, name=opts["name"], acting_user=None, expires_at=expires
        )
        self.stdout.write(raw)

    @staticmethod
    def _roles(specs: list[str]) -> dict[str, int]:
        roles: dict[str, int] = {}
        for spec in specs:
            module, _, role = spec.partition(":")
            if module not in Module.values or role.upper() not in Role.names:
                raise CommandError(f"bad role {spec!r}: use MODULE:ROLE, e.g. control_room:editor")
            roles[module] = Role[role.upper()].value
        return roles
