"""The joint report: the demo's 2015-H2 report as a PDF in English and in French (its text
extracted from the PDF: the fund's EUR 35 million, the intrusion curve, the inspection's
findings), made from the same body as its page; a period with no data refused (page, PDF,
command, API) with nothing written; nothing fetched but the site's static files."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from entente.demo import programme_fund, programme_indicators, programme_inspections
from entente.demo.load import load_history
from entente.programme.services import report

pytestmark = pytest.mark.django_db

Login = Callable[[str], Client]


@pytest.fixture
def demo(db: object) -> None:
    load_history()  # the summer-2015 intrusion attempts
    programme_indicators.load()
    programme_fund.load()
    programme_inspections.load()


def text_of(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), " ".join(text.split())


def test_the_pdf_in_english_carries_the_fund_the_indicators_and_the_inspection(demo: None):
    pdf = report.render_pdf(report.report_period("2015-H2"), "en")
    assert pdf.startswith(b"%PDF")
    pages, text = text_of(pdf)
    assert pages > 5
    assert "France · United Kingdom" in text  # the cover: both countries
    assert "Joint report" in text and "2015-H2" in text
    assert "35,000,000.00" in text  # the UK's EUR 35 million
    assert "Intrusion attempts" in text  # the indicator and its chart's table
    assert "Eurotunnel security staff from 150 to 250" in text  # a measure
    assert "Eurotunnel's security staff have not yet reached the 250" in text  # a finding
    assert "Recruitment timetable to reach 250 security staff" in text  # an action
    assert f"2 / {pages}" in text  # page numbers in the footer


def test_the_pdf_in_french(demo: None):
    pdf = report.render_pdf(report.report_period("2015-H2"), "fr")
    _pages, text = text_of(pdf)
    assert "France · Royaume-Uni" in text
    assert "35 000 000,00" in text
    assert "31 décembre 2015" in text
    assert "Agents de sûreté d’Eurotunnel portés de 150 à 250" in text  # the measure in French
    assert "conférence de suivi à Paris" in text  # the French finding


def test_the_page_shows_the_same_body_and_offers_both_languages(demo: None, login: Login):
    page = login("gold.kent").get("/programme/report/?period=2015-H2")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="lang"' in html and 'value="fr"' in html and 'value="en"' in html
    for heading in ("1. The joint fund", "2. The action plan", "4. Joint inspections"):
        assert heading in html
    assert "<svg" in html  # the charts
    download = login("gold.kent").get("/programme/report/pdf/?period=2015-H2&lang=fr")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert "joint-report-2015-H2-fr.pdf" in download["Content-Disposition"]
    assert "Royaume-Uni" in text_of(download.content)[1]


def test_a_period_with_no_data_is_refused_everywhere(demo: None, login: Login, tmp_path: Path):
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        report.render_pdf(report.report_period("2031-H1"), "fr")
    assert "2031-H1" in " ".join(refused.value.messages)
    client = login("gold.kent")
    page = client.get("/programme/report/?period=2031-H1")
    assert page.status_code == 422 and "There is no data for 2031-H1" in page.content.decode()
    pdf = client.get("/programme/report/pdf/?period=2031-H1&lang=en")
    assert pdf.status_code == 422 and pdf["Content-Type"].startswith("text/html")
    api = client.get("/api/v1/programme/reports/2031-H1/pdf?lang=en")
    assert api.status_code == 422 and api["Content-Type"] == "application/problem+json"
    output = tmp_path / "report.pdf"
    with pytest.raises(CommandError, match="2031-H1"):
        call_command("joint_report", period="2031-H1", lang="en", output=output)
    assert not output.exists() and not list(tmp_path.iterdir())
    with pytest.raises(CommandError, match="2015-H1, 2015-H2"):
        call_command("joint_report", period="2015-H7", lang="en", output=output)


def test_the_command_writes_the_pdf(demo: None, tmp_path: Path):
    output = tmp_path / "rapport.pdf"
    out = io.StringIO()
    call_command("joint_report", period="2015-H2", lang="fr", output=output, stdout=out)
    assert output.read_bytes().startswith(b"%PDF") and "2015-H2" in out.getvalue()
    assert "Royaume-Uni" in text_of(output.read_bytes())[1]


def test_the_api_serves_the_pdf_to_viewers_only(demo: None, login: Login):
    ok = login("gold.kent").get("/api/v1/programme/reports/2015-H2/pdf?lang=en")
    assert ok.status_code == 200 and ok["Content-Type"] == "application/pdf"
    assert login("outsider").get("/api/v1/programme/reports/2015-H2/pdf").status_code == 403
    bad = login("gold.kent").get("/api/v1/programme/reports/2015-H9/pdf")
    assert bad.status_code == 422


def test_nothing_is_fetched_but_the_static_files():
    fetcher = report.static_only_fetcher()
    css = fetcher.fetch(report.BASE_URL + "static/programme/report.css")
    assert b"@page" in css.read()
    for url in (
        "https://fonts.example.org/font.woff2",
        "file:///etc/passwd",
        report.BASE_URL + "static/../settings.py",
        report.BASE_URL + "media/x.png",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
