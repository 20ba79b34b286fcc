"""Intelligence services: files attached to reports.

Only the types on the allow-list are taken (pdf, png, jpeg, txt, csv, docx), within the
size limit (``ENTENTE_ATTACHMENT_MAX_BYTES``, 10 MB unless set), and a file must be what its
name says: the first bytes of a pdf, png, jpeg or docx are checked, and text must be UTF-8.
The type stored is the one its extension allows, never the one the client claims.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from entente.core import access, audit
from entente.core.choices import AuditAction
from entente.core.models import User
from entente.intelligence.models import Attachment, Report

# The attachments accepted: extension -> (content type, magic bytes or None when text).
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ATTACHMENT_TYPES: dict[str, tuple[str, bytes | None]] = {
    "pdf": ("application/pdf", b"%PDF-"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    # A .docx is a ZIP archive: its first bytes are a ZIP entry header.
    "docx": (DOCX, b"PK\x03\x04"),
    "txt": ("text/plain", None),
    "csv": ("text/csv", None),
}

# Purpose recorded when a report's file is downloaded (it may name people).
READ_PURPOSE = "intelligence report attachment downloaded"


def attachment_max_bytes() -> int:
    return int(settings.ENTENTE_ATTACHMENT_MAX_BYTES)


def attachment_of(report: Report, attachment_id: int) -> Attachment:
    """One attachment of a report already known to be visible (404 otherwise)."""
    attachment = report.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404(_("No such record."))
    return attachment


def _clean_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    base = "".join(ch for ch in base if ch.isprintable())
    return base[:200]


def check_attachment(name: str, data: bytes) -> tuple[str, str]:
    """The file's clean name and its content type, or a ValidationError saying why not."""
    clean = _clean_name(name)
    ext = clean.rsplit(".", 1)[1].lower() if "." in clean else ""
    if ext not in ATTACHMENT_TYPES:
        raise ValidationError(
            {
                "file": _("Files of this type cannot be attached; use one of: {types}.").format(
                    types=", ".join(sorted({e for e in ATTACHMENT_TYPES if e != "jpg"}))
                )
            }
        )
    limit = attachment_max_bytes()
    if not data:
        raise ValidationError({"file": _("The file is empty.")})
    if len(data) > limit:
        raise ValidationError(
            {
                "file": _("The file is larger than the limit of {size} MB.").format(
                    size=round(limit / (1024 * 1024), 1)
                )
            }
        )
    content_type, magic = ATTACHMENT_TYPES[ext]
    if magic is not None and not data.startswith(magic):
        raise ValidationError(
            {"file": _("The file's content is not a {ext} file.").format(ext=ext.upper())}
        )
    if magic is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError({"file": _("A text or CSV file must be UTF-8 text.")}) from None
        if "\x00" in text:
            raise ValidationError({"file": _("A text or CSV file must be UTF-8 text.")})
    return clean, content_type


@transaction.atomic
def add_attachment(report: Report, *, acting_user: User, name: str, data: bytes) -> Attachment:
    """Attach a file (editors of the originating agency): an allowed type whose content is
    what its name says, within the size limit; stored with its SHA-256."""
    if not access.can_change(acting_user, report):
        raise PermissionDenied(_("Only editors of the originating agency may change this report."))
    clean, content_type = check_attachment(name, data)
    digest = hashlib.sha256(data).hexdigest()
    attachment = Attachment.objects.create(
        report=report,
        name=clean,
        content_type=content_type,
        size=len(data),
        sha256=digest,
        data=data,
        created_by=acting_user,
    )
    audit.record(
        acting_user,
        AuditAction.CREATE,
        attachment,
        changes={
            "report": report.pk,
            "name": clean,
            "content_type": content_type,
            "size": len(data),
            "sha256": digest,
        },
    )
    return attachment


@transaction.atomic
def read_attachment(attachment: Attachment, *, acting_user: User) -> bytes:
    """The file's content, its download audited (a report's file may name people)."""
    audit.record(
        acting_user,
        AuditAction.READ,
        attachment,
        purpose=READ_PURPOSE,
        changes={"report": attachment.report_id, "sha256": attachment.sha256},
    )
    return bytes(attachment.data)
