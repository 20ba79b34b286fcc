"""Intelligence reports: writing, originator control, derived products, TLP:RED, entities,
attachments, re-grades, and who sees what (pages and API), with query budgets."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entente.core import services as core_services
from entente.core.choices import TLP, AuditAction, Classification, Module, Role
from entente.core.models import Agency, AuditEntry, ModuleRole, Recipient, User
from entente.intelligence.models import Attachment, Entity, Regrade, Report
from entente.intelligence.services import reports as services
from entente.intelligence.services.reports import EntityInput
from tests.conftest import verified_login

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n%..."


def write(user: User, **overrides: object) -> Report:
    fields: dict[str, object] = {
        "title": "Lorries at Coquelles",
        "body": "A network loads people into lorries at the Coquelles terminal.",
        "language": "en",
        "grading_scheme": "3x5x2",
        "source_grade": "2",
        "information_grade": "B",
        "handling_code": "P",
        "classification": Classification.OFFICIAL,
        "releasability": ["FR", "UK"],
        "tlp": TLP.GREEN,
    }
    if user.country_code == "FR":
        fields.update(grading_scheme="admiralty", source_grade="B", information_grade="2")
        fields["handling_code"] = ""
    fields.update(overrides)
    return services.create_report(acting_user=user, **fields)  # type: ignore[arg-type]


def audit_of(obj: object, action: str) -> list[AuditEntry]:
    meta = obj._meta  # type: ignore[attr-defined]
    return list(
        AuditEntry.objects.filter(
            object_type=f"{meta.app_label}.{meta.model_name}",
            object_id=str(obj.pk),  # type: ignore[attr-defined]
            action=action,
        )
    )


def api(client_user: User, method: str, path: str, body: object = None) -> object:
    _, token = core_services.create_api_token(client_user, name="t", acting_user=None)
    return getattr(Client(), method)(
        f"/api/v1{path}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


# Writing ------------------------------------------------------------------------------------


def test_a_report_gets_its_agencys_reference_and_is_audited(persona):
    analyst = persona("analyst.nca")
    report = write(analyst)
    second = write(analyst)
    assert report.reference.startswith("NCA-") and report.reference.endswith("-000001")
    assert second.reference.endswith("-000002")
    assert report.originator.code == "NCA"
    assert audit_of(report, AuditAction.CREATE)


def test_a_grade_outside_the_scheme_writes_nothing(persona):
    before = Report.objects.count()
    with pytest.raises(ValidationError) as caught:
        write(persona("analyst.nca"), source_grade="F")
    assert "source_grade" in caught.value.message_dict
    assert Report.objects.count() == before


def test_a_viewer_cannot_write_and_nobody_marks_above_their_clearance(persona):
    with pytest.raises(PermissionDenied):
        write(persona("investigator.ocriest"))
    with pytest.raises(ValidationError) as caught:
        write(persona("analyst.nca"), classification=Classification.SECRET)
    assert "classification" in caught.value.message_dict


def test_a_red_report_without_recipients_is_refused_and_with_them_seen_only_by_them(persona):
    analyst = persona("analyst.nca")
    with pytest.raises(ValidationError) as caught:
        write(analyst, tlp=TLP.RED)
    assert "recipients" in caught.value.message_dict
    assert not Report.objects.filter(tlp=TLP.RED).exists()
    report = write(
        analyst,
        tlp=TLP.RED,
        recipients=[persona("analyst.dcpaf")],
        entities=[EntityInput("phone", "+33 6 12 34 56 78")],
    )
    assert set(Report.objects.filter(pk=report.pk).visible_to(persona("analyst.dcpaf"))) == {report}
    assert not Report.objects.filter(pk=report.pk).visible_to(persona("supervisor.nca")).exists()
    # Its entity is seen by the same people.
    entity = report.entities.get()
    assert Entity.objects.filter(pk=entity.pk).visible_to(persona("analyst.dcpaf")).exists()
    assert not Entity.objects.filter(pk=entity.pk).visible_to(persona("supervisor.nca")).exists()


def test_a_translation_needs_its_state(persona):
    with pytest.raises(ValidationError) as caught:
        write(persona("analyst.nca"), translation="Un réseau...", translation_state="none")
    assert "translation_state" in caught.value.message_dict


def test_entities_take_the_reports_marking_and_are_reused_only_under_the_same_one(persona):
    analyst = persona("analyst.nca")
    lorry = EntityInput("vehicle", "Scania lorry", "GB 12 abc")
    first = write(analyst, entities=[lorry])
    again = write(analyst, entities=[lorry])
    uk_only = write(analyst, releasability=["UK"], entities=[lorry])
    e1, e2, e3 = first.entities.get(), again.entities.get(), uk_only.entities.get()
    assert e1 == e2 and e1.identifier == "GB12ABC"
    assert e3 != e1 and e3.releasability == frozenset({"UK"})


# Originator control -------------------------------------------------------------------------


def test_only_the_originators_editors_change_a_report_and_the_change_is_audited(persona):
    analyst = persona("analyst.nca")
    report = write(analyst)
    with pytest.raises(PermissionDenied):
        services.update_report(report, acting_user=persona("analyst.dcpaf"), title="Changed")
    services.update_report(report, acting_user=persona("supervisor.nca"), title="Changed")
    [entry] = audit_of(report, AuditAction.UPDATE)
    assert entry.changes["title"] == ["Lorries at Coquelles", "Changed"]


def test_a_recipient_of_the_other_side_cannot_widen_or_lower_a_report(persona):
    analyst = persona("analyst.nca")
    report = write(analyst, releasability=["UK"], classification=Classification.OFFICIAL_SENSITIVE)
    for change in ({"releasability": ["FR", "UK"]}, {"classification": Classification.OFFICIAL}):
        with pytest.raises(PermissionDenied):
            services.update_report(report, acting_user=persona("gold.kent"), **change)
    report.refresh_from_db()
    assert report.releasability == frozenset({"UK"})
    services.update_report(report, acting_user=analyst, releasability=["FR", "UK"])
    report.refresh_from_db()
    assert report.releasability == frozenset({"FR", "UK"})
    # The entities follow the report's new marking.
    assert all(e.releasability == frozenset({"FR", "UK"}) for e in report.entities.all())


# Derived products ---------------------------------------------------------------------------


def test_a_derived_product_takes_the_highest_marking_of_its_inputs(persona):
    analyst = persona("analyst.nca")
    a = write(analyst, classification=Classification.OFFICIAL_SENSITIVE, tlp=TLP.GREEN)
    b = write(analyst, releasability=["UK"], tlp=TLP.AMBER)
    derived = write(analyst, cites=[a, b], classification=None, releasability=None, tlp=None)
    assert derived.classification == Classification.OFFICIAL_SENSITIVE
    assert derived.releasability == frozenset({"UK"})
    assert derived.tlp == TLP.AMBER
    assert set(derived.cites.all()) == {a, b}


@pytest.mark.parametrize(
    ("weaker", "field"),
    [
        ({"classification": Classification.OFFICIAL}, "classification"),
        ({"releasability": ["FR", "UK"]}, "releasability"),
        ({"tlp": TLP.GREEN}, "tlp"),
    ],
)
def test_a_derived_product_cannot_be_marked_below_its_inputs(persona, weaker, field):
    analyst = persona("analyst.nca")
    a = write(
        analyst,
        classification=Classification.OFFICIAL_SENSITIVE,
        releasability=["UK"],
        tlp=TLP.AMBER,
    )
    marking = {
        "classification": Classification.OFFICIAL_SENSITIVE,
        "releasability": ["UK"],
        "tlp": TLP.AMBER,
        **weaker,
    }
    with pytest.raises(ValidationError) as caught:
        write(analyst, cites=[a], **marking)
    assert field in caught.value.message_dict
    derived = write(analyst, cites=[a], classification=None, releasability=None, tlp=None)
    with pytest.raises(ValidationError):
        services.update_report(derived, acting_user=analyst, **weaker)


def test_a_report_cannot_cite_what_its_author_cannot_see(persona):
    french = write(persona("analyst.dcpaf"), releasability=["FR"])
    with pytest.raises(ValidationError) as caught:
        write(persona("analyst.nca"), cites=[french])
    assert "cites" in caught.value.message_dict


def test_the_page_cites_by_reference_only_what_the_author_can_see(persona, login):
    french = write(persona("analyst.dcpaf"), releasability=["FR"])
    shared = write(persona("analyst.dcpaf"), releasability=["FR", "UK"], tlp="GREEN")
    form = {
        "title": "Derived picture",
        "body": "Built on two reports.",
        "language": "en",
        "translation_state": "none",
        "grading_scheme": "3x5x2",
        "source_grade": "2",
        "information_grade": "B",
        "handling_code": "P",
        "classification": "20",
        "releasability": ["UK"],
        "tlp": "AMBER",
    }
    client = login("analyst.nca")
    refused = client.post(
        "/intelligence/reports/new/", {**form, "cites": f"{shared.reference}, {french.reference}"}
    )
    assert refused.status_code == 200
    assert "You may cite only reports you can see." in refused.content.decode()
    assert not Report.objects.filter(title="Derived picture").exists()
    done = client.post("/intelligence/reports/new/", {**form, "cites": shared.reference})
    assert done.status_code == 302, done.content.decode()[:2000]
    assert list(Report.objects.get(title="Derived picture").cites.all()) == [shared]


# Attachments --------------------------------------------------------------------------------


def test_attachments_are_checked_by_type_content_and_size(persona):
    analyst = persona("analyst.nca")
    report = write(analyst)
    ok = services.add_attachment(report, acting_user=analyst, name="../../photo.png", data=PNG)
    assert ok.name == "photo.png" and ok.content_type == "image/png" and len(ok.sha256) == 64
    assert services.add_attachment(report, acting_user=analyst, name="a.pdf", data=PDF)
    assert services.add_attachment(report, acting_user=analyst, name="a.csv", data=b"a,b\n1,2\n")
    for name, data in (
        ("run.exe", b"MZ..."),
        ("photo.png", PDF),  # a PDF named .png
        ("note.pdf", b"hello"),
        ("empty.txt", b""),
        ("binary.txt", b"\xff\xfe\x00"),
    ):
        with pytest.raises(ValidationError):
            services.add_attachment(report, acting_user=analyst, name=name, data=data)
    with override_settings(ENTENTE_ATTACHMENT_MAX_BYTES=10), pytest.raises(ValidationError):
        services.add_attachment(report, acting_user=analyst, name="big.txt", data=b"x" * 11)
    assert report.attachments.count() == 3
    with pytest.raises(PermissionDenied):
        services.add_attachment(
            report, acting_user=persona("analyst.dcpaf"), name="a.txt", data=b"x"
        )


def test_attachments_upload_and_download_through_the_api_and_pages(persona, login):
    analyst = persona("analyst.nca")
    report = write(analyst)
    _, token = core_services.create_api_token(analyst, name="t", acting_user=None)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = Client().post(
        f"/api/v1/intelligence/reports/{report.pk}/attachments",
        {"file": SimpleUploadedFile("scan.pdf", PDF)},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201, response.content
    attachment_id = response.json()["id"]
    bad = Client().post(
        f"/api/v1/intelligence/reports/{report.pk}/attachments",
        {"file": SimpleUploadedFile("scan.pdf", b"not a pdf")},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert bad.status_code == 422
    assert bad["Content-Type"].startswith("application/problem+json")
    download = login("analyst.dcpaf").get(
        f"/intelligence/reports/{report.pk}/attachments/{attachment_id}/"
    )
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert audit_of(Attachment.objects.get(pk=attachment_id), AuditAction.READ)
    page = login("analyst.nca").post(
        f"/intelligence/reports/{report.pk}/attachments/",
        {"file": SimpleUploadedFile("notes.exe", b"MZ")},
    )
    assert page.status_code == 200 and Attachment.objects.filter(report=report).count() == 1


# Re-grades and reads ------------------------------------------------------------------------


def test_a_receiving_agency_regrades_and_the_original_is_kept(persona, login):
    report = write(persona("analyst.nca"))
    dcpaf = persona("analyst.dcpaf")
    row = services.regrade(
        report,
        acting_user=dcpaf,
        grading_scheme="admiralty",
        source_grade="C",
        information_grade="3",
        reason="Source unknown to us.",
    )
    report.refresh_from_db()
    assert (report.source_grade, report.information_grade) == ("2", "B")
    assert row.agency.code == "DCPAF" and audit_of(row, AuditAction.CREATE)
    with pytest.raises(ValidationError):
        services.regrade(
            report,
            acting_user=persona("supervisor.nca"),
            grading_scheme="3x5x2",
            source_grade="1",
            information_grade="A",
            handling_code="P",
            reason="Ours.",
        )
    with pytest.raises(ValidationError):
        services.regrade(
            report,
            acting_user=dcpaf,
            grading_scheme="admiralty",
            source_grade="C",
            information_grade="9",
            reason="x",
        )
    page = login("analyst.dcpaf").get(f"/intelligence/reports/{report.pk}/")
    html = page.content.decode()
    assert "C3" in html and "2B P" in html and "Source unknown to us." in html
    response = api(
        persona("officer.dcpaf"),
        "post",
        f"/intelligence/reports/{report.pk}/regrades",
        {
            "grading_scheme": "admiralty",
            "source_grade": "B",
            "information_grade": "2",
            "reason": "Seen again.",
        },
    )
    assert response.status_code == 201  # type: ignore[attr-defined]
    assert Regrade.objects.filter(report=report).count() == 2


def test_reading_a_report_naming_people_is_audited(persona, login):
    report = write(
        persona("analyst.nca"), entities=[EntityInput("person", "John Smith", country="UK")]
    )
    quiet = write(persona("analyst.nca"), entities=[EntityInput("place", "Coquelles")])
    login("analyst.dcpaf").get(f"/intelligence/reports/{report.pk}/")
    login("analyst.dcpaf").get(f"/intelligence/reports/{quiet.pk}/")
    api(persona("gold.kent"), "get", f"/intelligence/reports/{report.pk}")
    reads = audit_of(report, AuditAction.READ)
    assert {e.actor_username for e in reads} == {"analyst.dcpaf", "gold.kent"}
    assert all(e.purpose for e in reads)
    assert not audit_of(quiet, AuditAction.READ)


# Who sees what ------------------------------------------------------------------------------


def test_a_uk_analyst_never_sees_a_france_only_report_and_the_reverse(persona, login):
    fr_only = write(
        persona("analyst.dcpaf"),
        title="Réseau de passeurs",
        releasability=["FR"],
        entities=[EntityInput("phone", "+33 6 99 99 99 99")],
    )
    uk_only = write(
        persona("analyst.nca"),
        title="Haulier network",
        releasability=["UK"],
        entities=[EntityInput("phone", "+44 7700 900123")],
    )
    for viewer, hidden, shown in (
        ("analyst.nca", fr_only, uk_only),
        ("analyst.dcpaf", uk_only, fr_only),
    ):
        user, client = persona(viewer), login(viewer)
        listing = client.get("/intelligence/reports/").content.decode()
        assert hidden.reference not in listing and shown.reference in listing
        assert client.get(f"/intelligence/reports/{hidden.pk}/").status_code == 404
        assert client.get(f"/intelligence/reports/{hidden.pk}/edit/").status_code == 404
        entities = client.get("/intelligence/entities/").content.decode()
        assert hidden.entities.get().identifier not in entities
        assert shown.entities.get().identifier in entities
        refs = [r["reference"] for r in api(user, "get", "/intelligence/reports").json()["items"]]
        assert hidden.reference not in refs and shown.reference in refs
        assert api(user, "get", f"/intelligence/reports/{hidden.pk}").status_code == 404
        ids = [e["id"] for e in api(user, "get", "/intelligence/entities").json()["items"]]
        assert hidden.entities.get().pk not in ids
        assert (
            api(user, "patch", f"/intelligence/reports/{hidden.pk}", {"title": "x"}).status_code
            == 404
        )


def test_the_list_filters_by_grade_agency_and_language(persona, login):
    nca = write(persona("analyst.nca"))
    dcpaf = write(persona("analyst.dcpaf"), language="fr", title="Camions au port")
    client = login("gold.kent")
    by_grade = client.get("/intelligence/reports/?grade=2B").content.decode()
    assert nca.reference in by_grade and dcpaf.reference not in by_grade
    by_agency = client.get("/intelligence/reports/?agency=DCPAF").content.decode()
    assert dcpaf.reference in by_agency and nca.reference not in by_agency
    by_language = client.get("/intelligence/reports/?language=fr").content.decode()
    assert dcpaf.reference in by_language and nca.reference not in by_language
    listed = api(persona("gold.kent"), "get", "/intelligence/reports?grade=B2").json()
    assert [r["reference"] for r in listed["items"]] == [dcpaf.reference]


def test_the_pages_write_edit_and_show_a_report(persona, login):
    client = login("analyst.nca")
    response = client.post(
        "/intelligence/reports/new/",
        {
            "title": "Phones of a haulier",
            "body": "Three phones used by a haulier.",
            "language": "en",
            "translation_state": "none",
            "grading_scheme": "3x5x2",
            "source_grade": "1",
            "information_grade": "A",
            "handling_code": "P",
            "classification": "10",
            "releasability": ["UK", "FR"],
            "tlp": "GREEN",
            "entities": "phone; +44 7700 900456\ncompany; Example Haulage Ltd; 01234567; UK",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = Report.objects.get(title="Phones of a haulier")
    assert report.entities.count() == 2
    page = client.get(f"/intelligence/reports/{report.pk}/").content.decode()
    assert "1A P" in page and "B2" in page and "Example Haulage Ltd" in page
    refused = client.post(
        f"/intelligence/reports/{report.pk}/edit/",
        {
            "title": "Phones",
            "body": "Text.",
            "language": "en",
            "translation_state": "none",
            "grading_scheme": "3x5x2",
            "source_grade": "1",
            "information_grade": "A",
            "handling_code": "C",
            "classification": "10",
            "releasability": ["UK", "FR"],
            "tlp": "GREEN",
        },
    )
    assert refused.status_code == 200  # handling code C without conditions, on the form
    assert login("analyst.dcpaf").get(f"/intelligence/reports/{report.pk}/edit/").status_code == 403
    assert client.get("/intelligence/grading/").status_code == 200


def test_the_api_writes_and_changes_a_report(persona):
    analyst = persona("analyst.nca")
    response = api(
        analyst,
        "post",
        "/intelligence/reports",
        {
            "title": "Refrigerated lorries",
            "body": "Tankers and refrigerated lorries at the port.",
            "language": "en",
            "grading_scheme": "3x5x2",
            "source_grade": "2",
            "information_grade": "C",
            "handling_code": "P",
            "releasability": ["UK", "FR"],
            "tlp": "GREEN",
            "entities": [{"kind": "place", "name": "Port of Calais"}],
        },
    )
    assert response.status_code == 201, response.content  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["grading"]["text"] == "2C P" and body["grading"]["crosswalk"] == "F3"
    red = api(analyst, "post", "/intelligence/reports", {**_minimal(), "tlp": "RED"})
    assert red.status_code == 422  # type: ignore[attr-defined]
    patched = api(analyst, "patch", f"/intelligence/reports/{body['id']}", {"source_grade": "7"})
    assert patched.status_code == 422  # type: ignore[attr-defined]
    patched = api(analyst, "patch", f"/intelligence/reports/{body['id']}", {"title": "New"})
    assert patched.json()["title"] == "New"  # type: ignore[attr-defined]


def _minimal() -> dict[str, object]:
    return {
        "title": "t",
        "body": "b",
        "language": "en",
        "grading_scheme": "3x5x2",
        "source_grade": "1",
        "information_grade": "A",
        "handling_code": "P",
    }


# Query budgets ------------------------------------------------------------------------------


def _fill(persona, n: int) -> Report:
    analyst = persona("analyst.nca")
    last = None
    for i in range(n):
        last = write(
            analyst,
            title=f"Report {i}",
            entities=[
                EntityInput("person", f"Person {i}"),
                EntityInput("phone", f"+4477009{i:05d}"),
            ],
        )
        services.add_attachment(last, acting_user=analyst, name=f"n{i}.txt", data=b"note")
        services.regrade(
            last,
            acting_user=persona("analyst.dcpaf"),
            grading_scheme="admiralty",
            source_grade="C",
            information_grade="3",
            reason="ours",
        )
    assert last is not None
    return last


def _derive(persona, n: int) -> Report:
    analyst = persona("analyst.nca")
    cited = list(Report.objects.filter(originator__code="NCA")[:n])
    return write(analyst, cites=cited, classification=None, releasability=None, tlp=None)


@pytest.mark.parametrize("rows", [5, 50])
def test_list_detail_and_api_keep_a_fixed_query_budget(
    persona, login, rows, django_assert_max_num_queries
):
    _fill(persona, rows)
    derived = _derive(persona, rows)
    client = login("gold.kent")
    user = persona("gold.kent")
    _, token = core_services.create_api_token(user, name="t", acting_user=None)
    # The same budgets with 5 and with 50 rows.
    with django_assert_max_num_queries(14):
        assert client.get("/intelligence/reports/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/intelligence/entities/").status_code == 200
    with django_assert_max_num_queries(40):
        assert client.get(f"/intelligence/reports/{derived.pk}/").status_code == 200
    first = Report.objects.filter(originator__code="NCA").order_by("pk").first()
    assert first is not None
    with django_assert_max_num_queries(40):
        assert client.get(f"/intelligence/reports/{first.pk}/").status_code == 200
    with django_assert_max_num_queries(10):
        response = Client().get(
            "/api/v1/intelligence/reports?limit=50", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        assert len(response.json()["items"]) == min(rows + 1, 50)


# The written policy, against generated reports -----------------------------------------------

_counter = itertools.count()
AGENCIES = ["DCPAF", "OCRIEST", "PN", "BF", "NCA", "KENTPOL", "LVA"]


@dataclass
class Spec:
    originator: str
    classification: int
    releasability: frozenset[str]
    tlp: str
    named_agency: str | None
    by_viewer: bool


specs = st.builds(
    Spec,
    originator=st.sampled_from(["DCPAF", "OCRIEST", "NCA", "BF"]),
    classification=st.sampled_from(Classification.values),
    releasability=st.frozensets(st.sampled_from(["FR", "UK"]), min_size=1),
    tlp=st.sampled_from(TLP.values),
    named_agency=st.one_of(st.none(), st.sampled_from(AGENCIES)),
    by_viewer=st.booleans(),
)


def rules_allow(agency: Agency, clearance: int, role: int, spec: Spec) -> bool:
    """docs/development/access.md, written plainly, for an intelligence report."""
    if role < Role.VIEWER or agency.kind in ("ngo", "international"):
        return False
    if spec.classification > clearance or agency.country.code not in spec.releasability:
        return False
    own_or_named = spec.originator == agency.code or spec.named_agency == agency.code
    if spec.tlp in (TLP.AMBER, TLP.AMBER_STRICT) and not own_or_named:
        return False
    return not (spec.tlp == TLP.RED and not spec.by_viewer)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    agency_code=st.sampled_from(AGENCIES),
    clearance=st.sampled_from(Classification.values),
    role=st.sampled_from([0, Role.VIEWER, Role.EDITOR]),
    report_specs=st.lists(specs, min_size=1, max_size=5),
)
def test_the_list_page_and_api_show_exactly_what_the_written_policy_allows(
    agency_code, clearance, role, report_specs
):
    agency = Agency.objects.select_related("country").get(code=agency_code)
    viewer = User.objects.create(
        username=f"prop-intel-{next(_counter)}", agency=agency, clearance=clearance
    )
    if role:
        ModuleRole.objects.create(user=viewer, module=Module.INTELLIGENCE, role=role)
    other = User.objects.get(username="gold.pn")
    ct = ContentType.objects.get_for_model(Report)
    made = []
    for spec in report_specs:
        # Written straight to the table: markings the services would refuse are tested too.
        n = next(_counter)
        report = Report.objects.create(
            reference=f"PROP-{n}",
            title=f"prop {n}",
            body="b",
            language="en",
            grading_scheme="admiralty",
            source_grade="B",
            information_grade="2",
            classification=spec.classification,
            releasability=spec.releasability,
            tlp=spec.tlp,
            originator=Agency.objects.get(code=spec.originator),
            created_by=viewer if spec.by_viewer else other,
        )
        if spec.named_agency:
            Recipient.objects.create(
                content_type=ct,
                object_id=report.pk,
                agency=Agency.objects.get(code=spec.named_agency),
            )
        made.append((report, spec))
    page = verified_login(Client(), viewer).get("/intelligence/reports/")
    _, token = core_services.create_api_token(viewer, name="t", acting_user=None)
    listed = Client().get(
        "/api/v1/intelligence/reports?limit=200", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    if role < Role.VIEWER or agency.kind in ("ngo", "international"):
        # No role in intelligence (humanitarian agencies never hold one): no list at all.
        assert page.status_code == 403 and listed.status_code == 403
        return
    html = page.content.decode()
    refs = {r["reference"] for r in listed.json()["items"]}
    for report, spec in made:
        allowed = rules_allow(agency, clearance, role, spec)
        assert (f">{report.reference}<" in html) == allowed, spec
        assert (report.reference in refs) == allowed, spec


# Demo ---------------------------------------------------------------------------------------


def test_the_demo_reports_load_twice_without_change(persona):
    from entente.demo import intelligence_reports

    intelligence_reports.load()
    count, entries = Report.objects.count(), AuditEntry.objects.count()
    intelligence_reports.load()
    assert (Report.objects.count(), AuditEntry.objects.count()) == (count, entries)
    assert count == len(intelligence_reports.REPORTS)
    derived = Report.objects.get(title__startswith="Joint picture")
    assert derived.cites.count() == 3
    fr_only = Report.objects.get(title__startswith="Source humaine")
    assert not Report.objects.filter(pk=fr_only.pk).visible_to(persona("analyst.nca")).exists()
    assert Report.objects.filter(language="fr").count() == 6
