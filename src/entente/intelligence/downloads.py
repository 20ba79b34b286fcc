"""The one way a report's attachment leaves the server (pages and API alike)."""

from __future__ import annotations

from django.http import HttpResponse

from entente.core.models import User
from entente.intelligence.models import Attachment
from entente.intelligence.services import attachments


def attachment_response(attachment: Attachment, *, acting_user: User) -> HttpResponse:
    """The file as a download, never rendered in the page: served as an attachment with its
    checked type, no sniffing, and a sandbox should a browser open it anyway."""
    data = attachments.read_attachment(attachment, acting_user=acting_user)
    response = HttpResponse(data, content_type=attachment.content_type)
    safe = attachment.name.replace('"', "").replace("\r", "").replace("\n", "")
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Digest"] = f"sha-256={attachment.sha256}"
    return response
