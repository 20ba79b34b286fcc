"""Messages the MQTT bridge could not use: parked for inspection, then dealt with by an editor.

The bridge parks a message (not JSON, not alerts, or no alert in it that could be stored) in
the same transaction as the rest of its batch, then acknowledges it: redelivering it would fail
the same way, and dropping it would lose it silently. Control-room editors read the parked
messages (``/control-room/parked/``, ``entente parked_messages``) and mark each one dealt with.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.control_room.models import ParkedMessage
from entente.core import access, audit
from entente.core.choices import Module, Role

# The bytes kept of a parked payload: enough to see what a sensor sent, not a disk filler.
KEEP_BYTES = 65_536


def park_message(*, topic: str, payload: bytes, reason: str, acting_user: Any) -> ParkedMessage:
    """Keep a message the bridge could not use, with why; audited (the payload itself is not
    copied into the audit trail). Called by the bridge inside its batch's transaction."""
    kept = bytes(payload[:KEEP_BYTES])
    if len(payload) > KEEP_BYTES:
        reason = _("{reason} (first {kept} of {size} bytes kept)").format(
            reason=reason, kept=KEEP_BYTES, size=len(payload)
        )
    with transaction.atomic(savepoint=False):
        message = ParkedMessage.objects.create(topic=topic[:500], payload=kept, reason=reason[:500])
        audit.record_create(acting_user, message)
    return message


def parked_messages(user: Any, *, include_resolved: bool = False) -> QuerySet[ParkedMessage]:
    """The parked messages, newest first, for control-room editors."""
    access.require_role(user, Module.CONTROL_ROOM, Role.EDITOR)
    qs = ParkedMessage.objects.select_related("resolved_by")
    return qs if include_resolved else qs.filter(resolved_at__isnull=True)


@transaction.atomic
def resolve_parked(message: ParkedMessage, *, acting_user: Any) -> ParkedMessage:
    """Mark a parked message dealt with (once); audited."""
    access.require_role(acting_user, Module.CONTROL_ROOM, Role.EDITOR)
    locked = ParkedMessage.objects.select_for_update().get(pk=message.pk)
    if locked.resolved_at is not None:
        raise ValidationError(_("This message was already dealt with."))
    before = audit.snapshot(locked)
    locked.resolved_by, locked.resolved_at = acting_user, timezone.now()
    locked.save(update_fields=["resolved_by", "resolved_at"])
    audit.record_update(acting_user, locked, before)
    return locked
