"""Read-side helpers of reports: the visible list with its filters, and the detail's
queryset, built so that a page or an API list costs the same few queries however many
rows it shows (the query budgets in tests/intelligence/test_reports.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from entente.intelligence import grading
from entente.intelligence.models import Attachment, Regrade, Report, ReportEntity


def visible_reports(user: Any) -> QuerySet[Report]:
    """The reports a user may see, newest first, with what a list row shows."""
    return Report.objects.visible_to(user).select_related("originator")


def filter_reports(
    qs: QuerySet[Report], *, grade: str = "", agency: str = "", language: str = ""
) -> QuerySet[Report]:
    """Filters of the list: a grade as typed ("2B", "B2"), the originator's code, the
    original's language. An unreadable grade matches nothing rather than everything."""
    if grade:
        parsed = grading.parse_compact(grade)
        if parsed is None:
            return qs.none()
        qs = qs.filter(
            grading_scheme=parsed.scheme,
            source_grade=parsed.source,
            information_grade=parsed.information,
        )
        if parsed.handling:
            qs = qs.filter(handling_code=parsed.handling)
    if agency:
        qs = qs.filter(originator__code=agency.strip().upper())
    if language:
        qs = qs.filter(language=language)
    return qs


def detail_queryset(user: Any) -> QuerySet[Report]:
    """One report with everything its page shows, in a fixed number of queries. Attachments
    are listed without their content. Cited reports are those the user may see."""
    return Report.objects.select_related("originator", "created_by").prefetch_related(
        Prefetch(
            "entity_links",
            queryset=ReportEntity.objects.select_related("entity").order_by(
                "entity__kind", "entity__name"
            ),
        ),
        Prefetch("attachments", queryset=Attachment.objects.defer("data")),
        Prefetch("regrades", queryset=Regrade.objects.select_related("agency", "created_by")),
        Prefetch(
            "cites",
            queryset=Report.objects.visible_to(user).only("pk", "reference", "title", "language"),
        ),
        Prefetch(
            "cited_by",
            queryset=Report.objects.visible_to(user).only("pk", "reference", "title", "language"),
        ),
    )
