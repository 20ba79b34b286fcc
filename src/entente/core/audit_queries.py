"""Reading the audit trail: the auditor's search, itself audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from entente.core import access, audit
from entente.core.choices import AuditAction, Module
from entente.core.models import AuditEntry


@transaction.atomic
def search_entries(
    user: Any,
    *,
    actor: str | None = None,
    agency: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEntry]:
    """Entries matching the filters, newest first. Auditors only; the search is recorded."""
    access.require_role(user, Module.AUDIT)
    qs = AuditEntry.objects.all()
    filters = {
        "actor_username": actor,
        "agency_code": agency,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
    }
    for field, value in filters.items():
        if value:
            qs = qs.filter(**{field: value})
    if since:
        qs = qs.filter(timestamp__gte=since)
    if until:
        qs = qs.filter(timestamp__lt=until)
    used = {k: v for k, v in {**filters, "since": since, "until": until}.items() if v}
    audit.record(
        user,
        AuditAction.SEARCH,
        object_type="core.auditentry",
        purpose="audit",
        changes={"filters": used},
    )
    return qs.order_by("-seq")
