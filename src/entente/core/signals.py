"""Audit receivers for log-in, log-out and failed log-in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from entente.core import audit
from entente.core.choices import AuditAction


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(user, AuditAction.LOGIN, user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(user, AuditAction.LOGOUT, user)


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit.record(
        None,
        AuditAction.LOGIN_FAILED,
        object_type="core.user",
        object_id="",
        actor_label=username or "anonymous",
        changes={"address": getattr(request, "META", {}).get("REMOTE_ADDR", "")},
    )
