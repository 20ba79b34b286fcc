"""Exchange standards: reports exported as STIX 2.1 (checked by OASIS's validator) with their
TLP and markings, and imports of STIX bundles and CSV files with a column mapping, a progress
bar and a per-row error report; only what the exporter may see leaves, nothing half-written
comes in."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import Http404
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from stix2validator import ValidationOptions, validate_string

from entente.core import services as core_services
from entente.core.choices import TLP, AuditAction, Classification
from entente.core.models import AuditEntry, User
from entente.intelligence.choices import ImportState
from entente.intelligence.exchange import stix
from entente.intelligence.models import ImportJob, Report
from entente.intelligence.services import exchange
from entente.intelligence.services import reports as report_services
from entente.intelligence.services.entities import EntityInput

EVERY_KIND = [
    EntityInput("person", "John Smith"),
    EntityInput("vehicle", "AB12 CDE", country="UK"),
    EntityInput("phone", "+44 7700 900123"),
    EntityInput("company", "Channel Haulage Ltd", identifier="01234567"),
    EntityInput("place", "Coquelles terminal", country="FR"),
]


def write(user: User, **overrides: object) -> Report:
    fields: dict[str, object] = {
        "title": "Lorries at Coquelles",
        "body": "A network loads people into lorries at the Coquelles terminal.",
        "language": "en",
        "grading_scheme": "3x5x2",
        "source_grade": "2",
        "information_grade": "B",
        "handling_code": "P",
        "classification": Classification.OFFICIAL_SENSITIVE,
        "releasability": ["UK"],
        "tlp": TLP.AMBER,
        "entities": EVERY_KIND,
    }
    if user.country_code == "FR":
        fields.update(grading_scheme="admiralty", source_grade="B", information_grade="2")
        fields.update(handling_code="", releasability=["FR"])
    fields.update(overrides)
    return report_services.create_report(acting_user=user, **fields)  # type: ignore[arg-type]


def validate(content: str) -> list[str]:
    """The validator's errors, and its warnings other than the advice to use UUIDv4 ids
    (ours are UUIDv5 on purpose: re-exports are stable)."""
    result = validate_string(content, ValidationOptions(version="2.1", strict=False))
    problems = [str(e) for e in result.errors]
    problems += [str(w) for w in result.warnings if "{103}" not in str(w)]
    return problems


def objects_of(content: str) -> dict[str, dict[str, object]]:
    return {o["id"]: o for o in json.loads(content)["objects"]}


def api(user: User, method: str, path: str, body: object = None) -> object:
    _, token = core_services.create_api_token(user, name="t", acting_user=None)
    return getattr(Client(), method)(
        f"/api/v1{path}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def finish(job: ImportJob, user: User) -> ImportJob:
    return exchange.run_import(job.pk, acting_user=user)


def counts() -> tuple[int, int, int]:
    """Reports, imports and audit entries (other than signing in and making API tokens)."""
    audited = AuditEntry.objects.exclude(action__in=[AuditAction.LOGIN, AuditAction.TOKEN])
    return Report.objects.count(), ImportJob.objects.count(), audited.count()


# Export -------------------------------------------------------------------------------------


@pytest.mark.parametrize("tlp", list(TLP))
def test_a_report_with_every_entity_kind_exports_as_valid_stix_21_at_each_tlp(persona, tlp):
    analyst = persona("analyst.nca")
    extra = {"recipients": [persona("supervisor.nca")]} if tlp == TLP.RED else {}
    report = write(
        analyst,
        tlp=tlp,
        translated_title="Camions à Coquelles",
        translation="Un réseau fait monter des personnes dans des camions.",
        translation_state="human",
        **extra,
    )
    content = exchange.export_report_stix(report.pk, acting_user=analyst).content
    assert validate(content) == []
    objects = objects_of(content)
    types = sorted(o["type"] for o in objects.values())
    assert types.count("identity") == 4  # Entente, the NCA, the person and the company
    for kind in ("location", "entente-phone", "entente-vehicle", "language-content", "report"):
        assert kind in types
    (sdo,) = (o for o in objects.values() if o["type"] == "report")
    assert len(sdo["object_refs"]) == 5
    assert all(ref in objects for ref in sdo["object_refs"])


def test_the_export_carries_the_official_tlp_20_marking_and_our_markings(persona):
    analyst = persona("analyst.nca")
    report = write(analyst, tlp=TLP.AMBER_STRICT, handling_code="C", handling_conditions="NCA only")
    objects = objects_of(exchange.export_report_stix(report.pk, acting_user=analyst).content)
    (sdo,) = (o for o in objects.values() if o["type"] == "report")
    assert sdo["object_marking_refs"] == [
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
    ]
    marking = objects["marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"]
    assert marking["name"] == "TLP:AMBER+STRICT"
    assert marking["extensions"][stix.TLP2_EXTENSION]["tlp_2_0"] == "amber+strict"
    ours = sdo["extensions"][stix.MARKINGS_EXTENSION]
    assert ours["extension_type"] == "property-extension"
    assert objects[stix.MARKINGS_EXTENSION]["type"] == "extension-definition"
    assert ours["classification"] == "OFFICIAL-SENSITIVE"
    assert ours["classification_fr"] == "Diffusion Restreinte"
    assert ours["releasability"] == ["GB"]
    assert ours["originator"] == "NCA"
    assert (ours["grading_scheme"], ours["source_grade"], ours["information_grade"]) == (
        "3x5x2",
        "2",
        "B",
    )
    assert (ours["handling_code"], ours["handling_conditions"]) == ("C", "NCA only")
    author = objects[sdo["created_by_ref"]]
    assert author["type"] == "identity" and author["identity_class"] == "organization"
    people = [o for o in objects.values() if o.get("identity_class") == "individual"]
    assert [p["name"] for p in people] == ["John Smith"]
    (phone,) = (o for o in objects.values() if o["type"] == "entente-phone")
    assert phone["number"] == "+447700900123"
    assert phone["extensions"][stix.PHONE_EXTENSION] == {"extension_type": "new-sco"}


def test_a_re_export_is_the_same_bundle_and_each_export_is_audited(persona):
    analyst = persona("analyst.nca")
    report = write(analyst)
    first = exchange.export_report_stix(report.pk, acting_user=analyst)
    second = exchange.export_report_stix(report.pk, acting_user=analyst)
    assert first.content == second.content
    exports = AuditEntry.objects.filter(
        action=AuditAction.EXPORT, object_type="intelligence.report", object_id=str(report.pk)
    )
    assert exports.count() == 2
    assert exports.first().changes["bundle"] == first.bundle_id


def test_a_uk_analyst_cannot_export_a_france_only_report(persona, login):
    officer = persona("officer.dcpaf")
    report = write(officer, tlp=TLP.GREEN)
    with pytest.raises(Http404):
        exchange.export_report_stix(report.pk, acting_user=persona("analyst.nca"))
    url = reverse("intelligence:report_stix", args=[report.pk])
    assert login("analyst.nca").get(url).status_code == 404
    assert (
        api(persona("analyst.nca"), "get", f"/intelligence/reports/{report.pk}/stix").status_code
        == 404
    )
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()
    # A French analyst of another agency sees the TLP:GREEN report, and exports it.
    response = login("analyst.dcpaf").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == stix.MEDIA_TYPE
    assert "attachment" in response["Content-Disposition"]
    assert validate(response.content.decode()) == []


def test_entities_the_exporter_may_not_see_are_left_out(persona):
    analyst = persona("analyst.nca")
    report = write(analyst, tlp=TLP.GREEN)
    hidden = report.entities.get(kind="person")
    hidden.releasability = frozenset({"FR"})  # type: ignore[assignment]
    hidden.originator = persona("officer.dcpaf").agency
    hidden.save()
    objects = objects_of(exchange.export_report_stix(report.pk, acting_user=analyst).content)
    assert "John Smith" not in {o.get("name") for o in objects.values()}


def test_the_report_page_offers_the_export(persona, login):
    report = write(persona("analyst.nca"))
    page = login("analyst.nca").get(reverse("intelligence:report_detail", args=[report.pk]))
    assert reverse("intelligence:report_stix", args=[report.pk]) in page.content.decode()


# Import: STIX ----------------------------------------------------------------------------


def test_an_exported_report_imports_back_with_the_same_text_grade_and_entities(persona):
    analyst, supervisor = persona("analyst.nca"), persona("supervisor.nca")
    report = write(
        analyst,
        translated_title="Camions à Coquelles",
        translation="Un réseau fait monter des personnes dans des camions.",
        translation_state="human",
        handling_code="C",
        handling_conditions="Not for court use.",
    )
    content = exchange.export_report_stix(report.pk, acting_user=analyst).content
    job = exchange.start_import(
        acting_user=supervisor, file_name="export.json", data=content.encode()
    )
    job = finish(job, supervisor)
    assert (job.state, job.total, job.imported, job.errors) == (ImportState.DONE, 1, 1, [])
    copy = Report.objects.exclude(pk=report.pk).get(title=report.title)
    for field in (
        "body",
        "language",
        "grading_scheme",
        "source_grade",
        "information_grade",
        "handling_code",
        "handling_conditions",
        "classification",
        "releasability",
        "tlp",
        "translated_title",
        "translation",
        "translation_state",
    ):
        assert getattr(copy, field) == getattr(report, field), field
    assert copy.originator == supervisor.agency and copy.created_by == supervisor

    def entities(r: Report) -> list[tuple[str, str, str]]:
        return sorted(r.entities.values_list("kind", "name", "identifier"))

    assert entities(copy) == entities(report)
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="intelligence.report", object_id=str(copy.pk)
    ).exists()


def test_the_importers_agency_is_the_originator_and_markings_are_checked(persona):
    """A French report's bundle imported by the NCA: the NCA is its originator, and a
    releasability that leaves out the NCA's own country is refused, as for any report."""
    officer = persona("officer.dcpaf")
    content = exchange.export_report_stix(write(officer).pk, acting_user=officer).content
    analyst = persona("analyst.nca")
    job = finish(
        exchange.start_import(acting_user=analyst, file_name="fr.json", data=content.encode()),
        analyst,
    )
    assert job.imported == 0
    assert [(e["row"], e["field"]) for e in job.errors] == [(1, "releasability")]


def bundle_with(*reports: dict[str, object]) -> bytes:
    objects = [
        {
            "type": "report",
            "spec_version": "2.1",
            "id": f"report--{i:08d}-0000-4000-8000-000000000000",
            "created": "2026-01-01T00:00:00.000Z",
            "modified": "2026-01-01T00:00:00.000Z",
            "published": "2026-01-01T00:00:00.000Z",
            "name": f"Report {i}",
            "description": "Seen at Calais.",
            "object_refs": ["identity--00000000-0000-4000-8000-000000000000"],
            **r,
        }
        for i, r in enumerate(reports, start=1)
    ]
    return json.dumps(
        {"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000001", "objects": objects}
    ).encode()


def test_another_systems_bundle_imports_with_defaults_and_per_row_errors(persona):
    analyst = persona("analyst.nca")
    data = bundle_with(
        {"object_marking_refs": [stix.TLP1_IDS[TLP.GREEN]]},
        {"lang": "de"},
        {"description": ""},
    )
    job = finish(exchange.start_import(acting_user=analyst, file_name="b.json", data=data), analyst)
    assert job.imported == 1
    imported = Report.objects.get(title="Report 1")
    # No grade in the file: "cannot be judged" on the Admiralty code; TLP 1.0 GREEN read.
    assert (imported.grading_scheme, imported.source_grade, imported.information_grade) == (
        "admiralty",
        "F",
        "6",
    )
    assert imported.tlp == TLP.GREEN and imported.releasability == frozenset({"UK"})
    assert [(e["row"], e["field"]) for e in job.errors] == [(2, "lang"), (3, "description")]


def test_a_bundle_imported_again_adds_nothing_and_says_why_row_by_row(persona):
    """The same partner bundle imported twice by one agency: its reports are there once, and
    the second import says, for each, that it was imported before. The other side's agency
    importing it gets its own copies."""
    analyst, colleague = persona("analyst.nca"), persona("supervisor.nca")
    data = bundle_with({}, {"name": "Second report"})
    first = finish(
        exchange.start_import(acting_user=analyst, file_name="a.json", data=data), analyst
    )
    assert (first.imported, first.errors) == (2, [])
    before = Report.objects.count()
    again = finish(
        exchange.start_import(acting_user=colleague, file_name="a.json", data=data), colleague
    )
    assert (again.state, again.imported) == (ImportState.DONE, 0)
    assert [(e["row"], e["field"]) for e in again.errors] == [(1, "id"), (2, "id")]
    assert "report--00000001-0000-4000-8000-000000000000" in again.errors[0]["message"]
    assert "imported this report before" in again.errors[0]["message"]
    assert Report.objects.count() == before

    french = persona("analyst.dcpaf")
    theirs = finish(
        exchange.start_import(acting_user=french, file_name="a.json", data=data), french
    )
    assert (theirs.imported, theirs.errors) == (2, [])
    assert Report.objects.filter(title="Report 1").count() == 2


def test_the_database_keeps_an_agency_from_importing_a_report_twice(persona):
    """Two imports of one report racing past the check: the constraint refuses the second."""
    from django.db import IntegrityError, transaction

    analyst = persona("analyst.nca")
    finish(
        exchange.start_import(acting_user=analyst, file_name="a.json", data=bundle_with({})),
        analyst,
    )
    copy = Report.objects.get(title="Report 1")
    copy.pk, copy.reference = None, "NCA-COPY-1"
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


@pytest.mark.parametrize(
    "data",
    [
        b"not json at all",
        b"\xff\xfe{}",
        b'{"type": "report"}',
        b'{"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000001", "objects": []}',
        # A report without its required ``published`` and ``object_refs``.
        json.dumps(
            {
                "type": "bundle",
                "id": "bundle--00000000-0000-4000-8000-000000000001",
                "objects": [
                    {
                        "type": "report",
                        "spec_version": "2.1",
                        "id": "report--00000000-0000-4000-8000-000000000002",
                        "created": "2026-01-01T00:00:00.000Z",
                        "modified": "2026-01-01T00:00:00.000Z",
                        "name": "Half a report",
                    }
                ],
            }
        ).encode(),
        # A bundle with no report in it.
        json.dumps(
            {
                "type": "bundle",
                "id": "bundle--00000000-0000-4000-8000-000000000001",
                "objects": [
                    {
                        "type": "identity",
                        "spec_version": "2.1",
                        "id": "identity--00000000-0000-4000-8000-000000000002",
                        "created": "2026-01-01T00:00:00.000Z",
                        "modified": "2026-01-01T00:00:00.000Z",
                        "name": "Nobody",
                    }
                ],
            }
        ).encode(),
    ],
)
def test_a_malformed_bundle_is_refused_at_upload_with_nothing_written(persona, data):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        exchange.start_import(acting_user=persona("analyst.nca"), file_name="b.json", data=data)
    assert "file" in refused.value.message_dict
    assert counts() == before


def test_the_upload_page_shows_why_a_bundle_is_refused(persona, login):
    client = login("analyst.nca")
    before = counts()
    upload = io.BytesIO(b'{"type": "bundle"')
    upload.name = "broken.json"
    page = client.post(reverse("intelligence:import_list"), {"file": upload})
    assert page.status_code == 200
    assert "The file is not JSON" in page.content.decode()
    assert counts() == before


# Import: CSV ------------------------------------------------------------------------------

CSV_HEADER = [
    "Subject",
    "Text",
    "Lang",
    "Src",
    "Intel",
    "HC",
    "Marking",
    "Release",
    "Colour",
    "People",
    "Plates",
    "Phones",
]


def csv_bytes(rows: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(CSV_HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


MAPPING = {
    "title": "Subject",
    "body": "Text",
    "language": "Lang",
    "source_grade": "Src",
    "information_grade": "Intel",
    "handling_code": "HC",
    "classification": "Marking",
    "releasability": "Release",
    "tlp": "Colour",
    "people": "People",
    "vehicles": "Plates",
    "phones": "Phones",
}
GOOD = [
    "Vans at Dunkirk",
    "Two vans seen.",
    "en",
    "2",
    "B",
    "P",
    "OFFICIAL-SENSITIVE",
    "UK",
    "amber",
    "John Smith|Jane Roe",
    "AB12 CDE",
    "+44 7700 900123",
]


def test_a_csv_file_imports_through_the_column_mapping_page(persona, login):
    client = login("analyst.nca")
    upload = io.BytesIO(csv_bytes([GOOD], delimiter=";"))
    upload.name = "reports.csv"
    response = client.post(reverse("intelligence:import_list"), {"file": upload})
    job = ImportJob.objects.get(created_by__username="analyst.nca")
    assert response.status_code == 302
    assert response["Location"] == reverse("intelligence:import_mapping", args=[job.pk])
    assert job.state == ImportState.PENDING and job.total == 1
    page = client.get(response["Location"]).content.decode()
    assert '<option value="Subject"' in page
    response = client.post(response["Location"], MAPPING)
    assert response.status_code == 302
    fragment = client.get(
        reverse("intelligence:import_progress", args=[job.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'value="100"' in fragment and "hx-get" not in fragment
    report = Report.objects.get(title="Vans at Dunkirk")
    assert (report.source_grade, report.information_grade, report.handling_code) == ("2", "B", "P")
    assert report.classification == Classification.OFFICIAL_SENSITIVE and report.tlp == TLP.AMBER
    assert sorted(report.entities.values_list("kind", "name")) == [
        ("person", "Jane Roe"),
        ("person", "John Smith"),
        ("phone", "+44 7700 900123"),
        ("vehicle", "AB12 CDE"),
    ]
    assert report.originator.code == "NCA"


def test_bad_rows_are_reported_while_good_rows_import(persona, login):
    analyst = persona("analyst.nca")
    rows = [
        GOOD,
        [*GOOD[:3], "7", "B", *GOOD[5:]],  # 7 is no source grade of the 3x5x2
        [*GOOD[:2], "de", *GOOD[3:]],  # German
        [*GOOD[:7], "UK|FR|DE", *GOOD[8:]],  # wider than the programme's countries
        [*GOOD[:8], "red", *GOOD[9:]],  # TLP:RED, nobody named
        ["Second good one", "Text", "en", "1", "A", "P", "OFFICIAL", "UK", "GREEN", "", "", ""],
        [*GOOD[:6], "TOP SECRET", *GOOD[7:]],
    ]
    job = exchange.start_import(
        acting_user=analyst, file_name="r.csv", data=csv_bytes(rows), mapping=MAPPING
    )
    job = finish(job, analyst)
    assert (job.total, job.imported) == (7, 2)
    assert sorted(Report.objects.filter(created_by=analyst).values_list("title", flat=True)) == [
        "Second good one",
        "Vans at Dunkirk",
    ]
    found = [(e["row"], e["field"]) for e in job.errors]
    assert found == [(3, "Src"), (4, "Lang"), (5, "Release"), (6, "recipients"), (8, "Marking")]
    assert all(e["message"] for e in job.errors)
    # Nothing of a refused row was written: no entity of its own either.
    assert not Report.objects.filter(language="de").exists()
    # The report of errors, as CSV.
    response = login("analyst.nca").get(reverse("intelligence:import_errors", args=[job.pk]))
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0] == ["Row", "Field", "Message"]
    assert [line[:2] for line in lines[1:]] == [[str(r), f] for r, f in found]


def test_errors_are_written_in_the_importers_language(persona):
    analyst = persona("analyst.nca")
    with translation.override("fr"):
        job = exchange.start_import(
            acting_user=analyst,
            file_name="r.csv",
            data=csv_bytes([[*GOOD[:3], "7", *GOOD[4:]]]),
            mapping=MAPPING,
        )
    job = finish(job, analyst)
    with translation.override("fr"):
        from entente.intelligence import grading

        with pytest.raises(ValidationError) as expected:
            grading.validate_grade("3x5x2", "7", "B", "P")
    assert job.errors[0]["message"] == expected.value.message_dict["source_grade"][0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("Subject,Text,Lang\nCafé,Texte,fr\n".encode("latin-1"), "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
        (b"just one column\nand another line\n", "only one column"),
        (b"Subject,Text,Lang\n", "no report rows"),
        (b'Subject,Text,Lang\n"unclosed,quote,en\n', "not valid CSV"),
    ],
)
def test_a_file_that_is_not_csv_in_utf8_is_refused_with_nothing_written(persona, data, message):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        exchange.start_import(acting_user=persona("analyst.nca"), file_name="r.csv", data=data)
    assert message in " ".join(refused.value.message_dict["file"])
    assert counts() == before


def test_a_mapping_without_the_required_columns_is_refused(persona):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        exchange.start_import(
            acting_user=persona("analyst.nca"),
            file_name="r.csv",
            data=csv_bytes([GOOD]),
            mapping={"title": "Subject", "body": "Nope"},
        )
    assert "mapping" in refused.value.message_dict
    assert counts() == before


@override_settings(ENTENTE_IMPORT_MAX_BYTES=100)
def test_a_file_over_the_size_limit_is_refused(persona, login):
    before = counts()
    with pytest.raises(ValidationError):
        exchange.start_import(
            acting_user=persona("analyst.nca"), file_name="r.csv", data=csv_bytes([GOOD] * 5)
        )
    upload = io.BytesIO(csv_bytes([GOOD] * 5))
    upload.name = "r.csv"
    page = login("analyst.nca").post(reverse("intelligence:import_list"), {"file": upload})
    assert "larger than" in page.content.decode()
    assert counts() == before


def test_readers_cannot_import(persona):
    with pytest.raises(Exception, match="role"):
        exchange.start_import(
            acting_user=persona("investigator.ocriest"), file_name="r.csv", data=csv_bytes([GOOD])
        )


# Progress -----------------------------------------------------------------------------------


def test_the_progress_bar_advances_by_chunks_to_100_percent(persona, login):
    analyst = persona("analyst.nca")
    rows = [[f"Report {i}", *GOOD[1:9], "", "", ""] for i in range(60)]
    job = exchange.start_import(
        acting_user=analyst, file_name="r.csv", data=csv_bytes(rows), mapping=MAPPING
    )
    client = login("analyst.nca")
    url = reverse("intelligence:import_progress", args=[job.pk])
    seen = []
    for _ in range(5):
        fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
        bar = re.search(r"<progress[^>]*>", fragment).group(0)
        seen.append(int(re.search(r'aria-valuenow="(\d+)"', bar).group(1)))
        assert 'aria-valuemax="100"' in bar and f'value="{seen[-1]}"' in bar
    assert seen == [41, 83, 100, 100, 100]
    job.refresh_from_db()
    assert (job.state, job.done, job.imported) == (ImportState.DONE, 60, 60)
    assert "hx-get" not in fragment  # the poll stops once done
    page = client.get(reverse("intelligence:import_detail", args=[job.pk])).content.decode()
    assert "<progress" in page and "60 reports imported" in page


def test_someone_elses_import_is_not_found(persona, login):
    analyst = persona("analyst.nca")
    job = exchange.start_import(
        acting_user=analyst, file_name="r.csv", data=csv_bytes([GOOD]), mapping=MAPPING
    )
    for route in ("import_detail", "import_progress", "import_errors"):
        assert (
            login("supervisor.nca").get(reverse(f"intelligence:{route}", args=[job.pk])).status_code
            == 404
        )
    job.refresh_from_db()
    assert job.done == 0


# API and command ----------------------------------------------------------------------------


def test_the_api_exports_imports_and_reports_progress_and_errors(persona):
    analyst = persona("analyst.nca")
    report = write(analyst)
    response = api(analyst, "get", f"/intelligence/reports/{report.pk}/stix")
    assert response.status_code == 200 and response["Content-Type"] == stix.MEDIA_TYPE
    assert validate(response.content.decode()) == []
    data = csv_bytes([GOOD, [*GOOD[:3], "7", *GOOD[4:]]])
    response = api(
        analyst,
        "post",
        "/intelligence/imports",
        {
            "file_name": "r.csv",
            "content_base64": base64.b64encode(data).decode(),
            "mapping": MAPPING,
        },
    )
    assert response.status_code == 201, response.content
    job = response.json()
    assert (job["state"], job["total"], job["done"], job["percent"]) == ("running", 2, 0, 0)
    progress = api(analyst, "get", f"/intelligence/imports/{job['id']}").json()
    assert (progress["state"], progress["percent"], progress["imported"]) == ("done", 100, 1)
    errors = api(analyst, "get", f"/intelligence/imports/{job['id']}/errors").json()
    assert [(e["row"], e["field"]) for e in errors] == [(3, "Src")]


def test_the_api_refuses_a_malformed_bundle_with_a_problem(persona):
    before = counts()
    response = api(
        persona("analyst.nca"),
        "post",
        "/intelligence/imports",
        {"file_name": "b.json", "content_base64": base64.b64encode(b"{nope").decode()},
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert counts() == before


def test_the_command_imports_with_a_progress_bar(persona, tmp_path: Path):
    path = tmp_path / "reports.csv"
    path.write_bytes(csv_bytes([GOOD, [*GOOD[:2], "de", *GOOD[3:]]]))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 rows not imported"):
        call_command(
            "import_reports",
            str(path),
            user="analyst.nca",
            mapping=json.dumps(MAPPING),
            stdout=out,
            stderr=err,
        )
    assert "100 %" in out.getvalue() and "1 of 2 reports imported" in out.getvalue()
    assert "row 3 [Lang]" in err.getvalue()
    assert Report.objects.filter(title="Vans at Dunkirk").count() == 1


def test_the_command_refuses_a_broken_file(persona, tmp_path: Path):
    path = tmp_path / "b.json"
    path.write_text("{")
    before = counts()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_reports", str(path), user="analyst.nca", stdout=io.StringIO())
    assert counts() == before
