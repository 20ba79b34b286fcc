"""Importing entities and links from CSV with a column mapping: from the command line with a
progress bar, and from the web with the same job polled by HTMX. A file whose columns do not
fit is refused before anything is written; a bad row is reported (row, column, message)
without stopping the good ones, and each row is written whole or not at all."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from entente.core.models import AuditEntry
from entente.intelligence.choices import ImportState
from entente.intelligence.models import Entity
from entente.investigations.models import EntityImport, Link
from entente.investigations.services import imports
from tests.investigations.test_entities import user

pytestmark = pytest.mark.django_db

GOOD = """Type;Nom;Numéro;Pays;Lien;Autre type;Autre;Depuis;Jusqu'au;Confiance
person;Besnik R.;;AL;drives;vehicle;AB 123 CD;2015-06-01;2015-08-31;0.8
phone;Téléphone de Besnik;+33 6 11 22 33 44;FR;calls;phone;+44 7700 900333;2015-07-01;;0.6
company;Transports Opale SARL;FR-55512345600011;FR;owns;vehicle;AB 123 CD;;;1
"""
MAPPING = (
    "Type=kind,Nom=name,Numéro=identifier,Pays=country,Lien=link_kind,Autre type=other_kind,"
    "Autre=other_name,Depuis=starts_on,Jusqu'au=ends_on,Confiance=confidence"
)


def write(tmp_path: Path, text: str, name: str = "entities.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(path: Path, *extra: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_entities",
        str(path),
        "--mapping",
        MAPPING,
        "--as",
        "investigator.ocriest",
        *extra,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def test_the_command_imports_entities_and_links_with_a_progress_bar(tmp_path):
    out, err = run(
        write(tmp_path, GOOD),
        "--releasable",
        "FR,UK",
        "--tlp",
        "GREEN",
        "--classification",
        "OFFICIAL-SENSITIVE",
    )
    assert "[########################################] 100 %  3/3" in out
    assert "5 entities and 3 links imported from 3 rows" in out
    assert err == ""
    lorry = Entity.objects.get(kind="vehicle", identifier="AB123CD")  # one lorry, two links
    assert lorry.originator.code == "OCRIEST"
    assert sorted(lorry.releasability) == ["FR", "UK"] and lorry.tlp == "GREEN"
    drives = Link.objects.get(kind="drives")
    assert (drives.source.name, drives.target_id) == ("Besnik R.", lorry.pk)
    assert (str(drives.starts_on), str(drives.ends_on), drives.confidence) == (
        "2015-06-01",
        "2015-08-31",
        0.8,
    )
    assert drives.source_note == "entities.csv"
    assert drives.classification == 20
    calls = Link.objects.get(kind="calls")
    assert calls.target.identifier == "+447700900333"
    # Run again: nothing new (entities and links are recognised).
    out, _ = run(
        write(tmp_path, GOOD),
        "--releasable",
        "FR,UK",
        "--tlp",
        "GREEN",
        "--classification",
        "OFFICIAL-SENSITIVE",
    )
    assert "0 entities and 0 links imported" in out
    assert Link.objects.count() == 3


def test_bad_rows_are_reported_and_the_good_ones_imported_each_row_whole(tmp_path):
    text = GOOD + (
        "person;Ilir T.;;AL;drives;vehicle;XY 999 ZZ;2015-08-01;2015-07-01;0.5\n"  # span
        "person;Genc H.;;AL;knows;person;Besnik R.;;;1\n"  # unknown link
        "phone;Sans numéro;n/a;FR;;;;;;\n"  # not a phone number
        "person;Arta B.;;AL;calls;phone;+33 6 11 22 33 44;;;1.7\n"  # confidence
        "person;Besnik R.;;AL;travels_with;person;Besnik R.;;;1\n"  # itself
    )
    with pytest.raises(CommandError, match="5 rows not imported"):
        run(write(tmp_path, text))
    job = EntityImport.objects.get()
    by_row = {(e["row"], e["field"]) for e in job.errors}
    assert (5, "Jusqu'au") in by_row
    assert (6, "Lien") in by_row
    assert (7, "Numéro") in by_row
    assert (8, "Confiance") in by_row
    assert 9 in {row for row, _ in by_row}
    assert (job.entities, job.links, job.state) == (5, 3, ImportState.DONE)
    # Whole or not at all: the refused rows' people were not written either.
    assert not Entity.objects.filter(name__in=["Ilir T.", "Genc H.", "Arta B."]).exists()
    assert not Entity.objects.filter(identifier="XY999ZZ").exists()


@pytest.mark.parametrize(
    ("text", "mapping", "message"),
    [
        ("Nom;Pays\nBesnik R.;AL\n", "Nom=name,Pays=country", "Kind"),
        (GOOD, MAPPING.replace("Pays=country", "Country=country"), "no column Country"),
        (GOOD, "Type=kind,Nom=name,Lien=link_kind", "Other end"),
        (GOOD, "Type=kind,Nom", "column=field"),
        ("Type;Nom\n", "Type=kind", "no rows under its header"),
        ("\xff\xfe", "Type=kind", "UTF-8"),
    ],
)
def test_a_file_whose_columns_do_not_fit_is_refused_before_anything_is_written(
    tmp_path, text, mapping, message
):
    path = tmp_path / "bad.csv"
    path.write_bytes(text.encode("utf-8") if not text.startswith("\xff") else b"\xff\xfe\x00a")
    with pytest.raises(CommandError, match="nothing imported") as refused:
        call_command(
            "import_entities",
            str(path),
            "--mapping",
            mapping,
            "--as",
            "investigator.ocriest",
            stdout=io.StringIO(),
        )
    assert message.lower() in str(refused.value).lower()
    assert not EntityImport.objects.exists()
    assert not Entity.objects.exists() and not Link.objects.exists()


def test_a_bad_default_marking_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(CommandError, match="nothing imported"):
        run(write(tmp_path, GOOD), "--classification", "SECRET")  # above the clearance
    with pytest.raises(CommandError, match="nothing imported"):
        run(write(tmp_path, GOOD), "--releasable", "UK")  # not the originator's country
    assert not EntityImport.objects.exists() and not Entity.objects.exists()


def test_only_investigations_editors_import(tmp_path):
    with pytest.raises(CommandError, match="nothing imported"):
        call_command(
            "import_entities",
            str(write(tmp_path, GOOD)),
            "--mapping",
            MAPPING,
            "--as",
            "analyst.nca",
            stdout=io.StringIO(),
        )
    assert not EntityImport.objects.exists()


def test_the_web_import_uploads_maps_shows_progress_and_errors(login):
    client = login("investigator.ocriest")
    upload = io.BytesIO((GOOD + "phone;Sans numéro;n/a;FR;;;;;;\n").encode())
    upload.name = "web.csv"
    response = client.post(
        reverse("investigations:entity_import_list"),
        {"file": upload, "classification": "10", "releasability": ["FR"], "tlp": "AMBER"},
    )
    job = EntityImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("investigations:entity_import_mapping", args=[job.pk])
    form = client.get(response["Location"])
    assert form.status_code == 200
    columns = dict(imports.parse_mapping_text(MAPPING))
    started = client.post(response["Location"], columns)
    assert started.status_code == 302
    poll = client.get(
        reverse("investigations:entity_import_progress", args=[job.pk]), HTTP_HX_REQUEST="true"
    )
    text = poll.content.decode()
    assert 'id="import-progress"' in text and "<html" not in text
    job.refresh_from_db()
    assert job.state == ImportState.DONE
    assert (job.entities, job.links) == (5, 3)
    assert [e["row"] for e in job.errors] == [5]
    errors = client.get(reverse("investigations:entity_import_errors", args=[job.pk]))
    assert errors.content.decode().splitlines()[1].startswith("5,Numéro,")
    # Someone else's import is not found.
    other = login("gold.pn").get(reverse("investigations:entity_import_detail", args=[job.pk]))
    assert other.status_code == 404
    assert AuditEntry.objects.filter(object_type="investigations.entityimport").count() >= 3


def test_the_api_imports_and_reports_progress(login):
    client = login("gold.kent")
    body = {
        "file_name": "api.csv",
        "content_base64": base64.b64encode(
            b"name,identifier\nPhone one,+44 7700 900444\nPhone two,bad\n"
        ).decode(),
        "kind": "phone",
        "tlp": "GREEN",
    }
    made = client.post(
        "/api/v1/investigations/entity-imports", body, content_type="application/json"
    )
    assert made.status_code == 201, made.content
    status = client.get(f"/api/v1/investigations/entity-imports/{made.json()['id']}").json()
    assert (status["state"], status["entities"], status["error_count"]) == ("done", 1, 1)
    assert status["errors"][0]["row"] == 3 and status["errors"][0]["field"] == "identifier"
    bad = client.post(
        "/api/v1/investigations/entity-imports",
        {**body, "mapping": {"name": "Missing column"}},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad["Content-Type"].startswith("application/problem+json")
    assert EntityImport.objects.count() == 1
    assert user("gold.kent").agency.code == "KENTPOL"
