"""Template helpers of dissemination: what the report page's sharing panel shows."""

from __future__ import annotations

from typing import Any

from django import template

from entente.intelligence.models import Report
from entente.intelligence.services import dissemination as services

register = template.Library()


@register.simple_tag(takes_context=True)
def report_sharing(context: dict[str, Any], report: Any) -> dict[str, Any]:
    """The releases of a report the viewer may see, each with what the viewer may do about
    it, the sanitised versions, and whether the viewer may ask for a release. A fixed number
    of queries whatever the number of releases."""
    user = context.get("user")
    if report is None or user is None or not getattr(report, "pk", None):
        return {"releases": [], "may_release": False, "sanitised": []}
    releases = services.releases_of(report, user)
    own = user.agency_id is not None and user.agency_id == report.originator_id
    return {
        "releases": [
            {
                "release": r,
                "agencies": sorted(r.agencies.all(), key=lambda a: a.code),
                "can_decide": services.can_decide(user, r),
                "can_withdraw": services.can_withdraw(user, r),
                "own": own,
            }
            for r in releases
        ],
        "may_release": services.may_release(user, report),
        # A receiving agency is never told of the original a sanitised version came from.
        "sanitised": (
            list(Report.objects.visible_to(user).filter(sanitised_from=report).order_by("pk"))
            if own
            else []
        ),
        "own": own,
    }
