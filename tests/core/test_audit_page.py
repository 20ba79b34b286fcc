"""The auditor's page: who did what, filtered; and the search itself is on the record."""

from __future__ import annotations

from entente.core import services
from entente.core.choices import AuditAction
from entente.core.models import AuditEntry


def test_the_auditor_filters_entries_by_actor_and_sees_the_changes(login, persona):
    author = persona("gold.kent")
    bulletin = services.create_bulletin(
        acting_user=author, title="Fence", body="old", language="en"
    )
    services.update_bulletin(bulletin, acting_user=author, body="new")
    page = login("auditor.homeoffice").get("/audit/", {"actor": "gold.kent", "action": "update"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "bulletin #" in html
    assert "&#x27;new&#x27;" in html or "'new'" in html
    assert "operator.eurotunnel" not in html


def test_an_audit_search_is_itself_recorded(login):
    login("auditor.homeoffice").get("/audit/", {"agency": "NCA"})
    entry = AuditEntry.objects.filter(action=AuditAction.SEARCH).latest("seq")
    assert entry.actor_username == "auditor.homeoffice"
    assert entry.changes == {"filters": {"agency_code": "NCA"}}


def test_htmx_gets_only_the_results_table(login):
    page = login("auditor.homeoffice").get("/audit/", HTTP_HX_REQUEST="true")
    html = page.content.decode()
    assert html.lstrip().startswith('<div id="audit-results">')
    assert "navbar" not in html and "<html" not in html


def test_people_without_the_audit_role_are_refused(login):
    assert login("gold.kent").get("/audit/").status_code == 403


def test_a_bad_date_filter_is_reported_not_ignored(login):
    page = login("auditor.homeoffice").get("/audit/", {"since": "not-a-date"})
    assert page.status_code == 200
    assert "invalid-feedback" in page.content.decode()
