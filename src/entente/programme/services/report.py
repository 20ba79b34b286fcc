"""Programme services: the joint report of a period, as a page and as a PDF (WeasyPrint).

The page (programme/report.html) and the PDF (programme/report_pdf.html) include the same
body (programme/report_body.html), which includes the areas' own tables and charts: the fund
(_fund_tables.html, in euros, as of the period's last day), the measures
(_measures_table.html, overdue ones marked as of that day), the indicators and their charts
(_indicator_chart.html, SVG, which WeasyPrint draws) and the inspections' findings and actions
(_inspection_findings.html).

The PDF is made without the network: WeasyPrint's fetcher serves the site's static files and
nothing else (its fonts are the system's, DejaVu). A period with no data (no inspection, no
disbursement, no measure due or done, no indicator figure in it) is refused with a translated
message, and nothing is written.

System-level: callers check the programme viewer role.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from entente.core.models import Country
from entente.programme.models import Disbursement, Measure
from entente.programme.services import indicators as indicator_services
from entente.programme.services import inspections as inspection_services
from entente.programme.services.indicators import Period

LANGUAGES = ("en", "fr")
BASE_URL = "https://entente.invalid/"


def report_period(text: str) -> Period:
    """The period "2015-H2", "2015-H1", "2015" or "2015-Q3"; ValidationError (translated)
    otherwise."""
    if not (text or "").strip():
        raise ValidationError({"period": _("Give a period as 2015-H1, 2015-H2, 2015-Q3 or 2015.")})
    return indicator_services.parse_period(text)


def language_of(text: str) -> str:
    if text not in LANGUAGES:
        raise ValidationError({"lang": _("The report is in English (en) or French (fr).")})
    return text


def no_data_message(period: Period) -> str:
    return _(
        "There is no data for {period}: no inspection, no disbursement, no measure due or done "
        "and no indicator figure in that period. No report was made."
    ).format(period=period.label)


def _has_records(period: Period) -> bool:
    start, end = period.start, period.end
    if Disbursement.objects.filter(paid_on__range=(start, end)).exists():
        return True
    if Measure.objects.filter(
        Q(deadline__range=(start, end)) | Q(done_on__range=(start, end))
    ).exists():
        return True
    return bool(inspection_services.inspections_within(start, end))


def _long_label(period: Period) -> str:
    return "{} – {}".format(
        formats.date_format(period.start, "DATE_FORMAT"),
        formats.date_format(period.end, "DATE_FORMAT"),
    )


def report_context(period: Period, *, on: dt.date | None = None) -> dict[str, Any]:
    """Everything the report's body shows, in the active language; ValidationError (with
    the translated no-data message) for a period with no data."""
    from entente.programme.views.fund import fund_context, measures_context

    rows = indicator_services.indicator_rows(period.start, period.end, preset=period.preset)
    figures = [r for r in rows if r.value]
    if not figures and not _has_records(period):
        raise ValidationError({"period": no_data_message(period)})
    as_of = min(period.end, on or timezone.localdate())
    inspections = inspection_services.inspections_within(period.start, period.end)
    return {
        "period": period,
        "period_long": _long_label(period),
        "as_of": as_of,
        "countries": list(Country.objects.order_by("code")),
        "indicator_rows": rows,
        "inspections": [
            {
                "inspection": i,
                "summary": inspection_services.summary(i),
                "checklist": list(i.checklist.all()),
                "findings": list(i.findings.all()),
                "action_rows": inspection_services.action_rows(i, as_of),
            }
            for i in inspections
        ],
        "generated_at": timezone.localtime(),
        **fund_context("EUR", as_of),
        **measures_context(as_of),
    }


def static_only_fetcher() -> Any:
    """WeasyPrint's fetcher for the report: the site's static files, nothing else (no network,
    no local files outside them). Anything else is refused (WeasyPrint leaves it out)."""
    from weasyprint.urls import (  # type: ignore[import-untyped]
        URLFetcher,
        URLFetcherResponse,
    )

    prefix = BASE_URL.rstrip("/") + settings.STATIC_URL

    class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc,unused-ignore]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith(prefix):
                raise ValueError(f"the report fetches nothing but static files: {url}")
            relative = url[len(prefix) :].split("?")[0].split("#")[0]
            path: Any = None
            if ".." not in relative.split("/"):
                collected = Path(settings.STATIC_ROOT) / relative  # hashed names in production
                path = finders.find(relative) or (collected if collected.is_file() else None)
            if not path or isinstance(path, list):
                raise ValueError(f"no such static file: {url}")
            body = Path(path).read_bytes()
            kind = mimetypes.guess_type(relative)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=body, headers={"Content-Type": kind})

    return StaticOnlyFetcher(allowed_protocols=("https",))


def render_html(period: Period, language: str, *, on: dt.date | None = None) -> str:
    """The standalone HTML the PDF is made from (cover, body, print stylesheet)."""
    with translation.override(language):
        context = report_context(period, on=on)
        return render_to_string(
            "programme/report_pdf.html", {**context, "LANGUAGE_CODE": language, "no_links": True}
        )


def render_pdf(period: Period, language: str, *, on: dt.date | None = None) -> bytes:
    """The joint report of a period as PDF bytes, in ``language`` ("en" or "fr")."""
    import weasyprint  # type: ignore[import-untyped]

    language = language_of(language)
    html = render_html(period, language, on=on)
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=static_only_fetcher())
    pdf = document.write_pdf()
    assert pdf is not None
    return bytes(pdf)


def file_name(period: Period, language: str) -> str:
    label = period.preset or f"{period.start.isoformat()}_{period.end.isoformat()}"
    return f"joint-report-{label}-{language}.pdf"
