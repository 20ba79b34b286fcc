"""Fuzzing the CSV importers: the reports' import (``entente import_reports``), the entities'
import (``entente import_entities``) and the historical daily counts (``entente
import_daily_counts``). Whatever the bytes, encoding, delimiter or column mapping: a clear
refusal or a per-row error report, never an unhandled exception, and nothing half-written
(what is stored is what the job counts as imported)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st

from entente.control_room.models import DailyCount
from entente.intelligence.choices import ImportState
from entente.intelligence.exchange.tabular import TARGETS as REPORT_TARGETS
from entente.intelligence.models import Entity, Report
from entente.intelligence.services import exchange
from entente.investigations.models import Link
from entente.investigations.services import imports
from entente.investigations.services.import_columns import TARGETS as ENTITY_TARGETS
from tests.fuzz.budget import fuzz
from tests.fuzz.strategies import NASTY_TEXT, TEXT, mutated_bytes

pytestmark = pytest.mark.django_db

REPORTS = (
    b"title,body,language,classification,releasability,tlp,people,phones,vehicles\n"
    b"Trucks at Coquelles,Seen at the platform,en,OFFICIAL,FR|UK,AMBER,Besnik R.,"
    b"+33 6 11 22 33 44,AB 123 CD\n"
    b"Camions,Vus au quai,fr,Diffusion Restreinte,FR UK,TLP:GREEN,,,\n"
)
ENTITIES = (
    "Type;Nom;Numéro;Pays;Lien;Autre type;Autre;Depuis;Jusqu'au;Confiance\n"
    "person;Besnik R.;;AL;drives;vehicle;AB 123 CD;2015-06-01;2015-08-31;0.8\n"
    "phone;Téléphone de Besnik;+33 6 11 22 33 44;FR;calls;phone;+44 7700 900333;2015-07-01;;0.6\n"
).encode()
ENTITY_MAPPING = {
    "kind": "Type",
    "name": "Nom",
    "identifier": "Numéro",
    "country": "Pays",
    "link_kind": "Lien",
    "other_kind": "Autre type",
    "other_name": "Autre",
    "starts_on": "Depuis",
    "ends_on": "Jusqu'au",
    "confidence": "Confiance",
}
COUNTS = (
    b"day,site,intrusion_attempts,source\n2015-07-28,COQ-TERM,1700,Eurotunnel\n"
    b"2015-07-29,COQ-TERM,1500,\n"
)


@st.composite
def count_rows(draw: st.DrawFn) -> bytes:
    """A daily-counts file whose cells are near the right ones: real sites, odd numbers."""
    rows = ["day,site,intrusion_attempts,source"]
    for _ in range(draw(st.integers(1, 4))):
        day = draw(st.one_of(st.dates().map(str), st.sampled_from(["2015-02-29", "0000-01-01"])))
        site = draw(st.one_of(st.just("COQ-TERM"), TEXT))
        attempts = draw(
            st.one_of(
                st.integers(min_value=-1, max_value=2**70).map(str),
                st.sampled_from(["1_000", "١٢", " 7 ", "1.5", "1e3", "+3"]),
            )
        )
        rows.append(",".join([day, site, attempts, draw(st.text("abc ", max_size=5))]))
    return "\n".join(rows).encode("utf-8", "surrogatepass")


def encodings(data: bytes) -> st.SearchStrategy[bytes]:
    """The file as saved by another program: another encoding, a BOM, other line ends."""
    text = data.decode()
    return st.sampled_from(
        [
            text.encode("utf-8-sig"),
            text.encode("latin-1", "replace"),
            text.encode("utf-16"),
            text.replace("\n", "\r\n").encode(),
            text.replace("\n", "\r").encode(),
            text.replace(",", ";").replace("\n", ";\n").encode(),
        ]
    )


def files(data: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.just(data),
        mutated_bytes(data),
        encodings(data),
        st.binary(max_size=300),
        st.lists(st.lists(TEXT, max_size=5), max_size=4).map(
            lambda rows: "\n".join(",".join(r) for r in rows).encode("utf-8", "surrogatepass")
        ),
        st.sampled_from([b"a,b\n" + b"x" * 200_000 + b",y\n", b'a,b\n"open,1\n']),
    )


def mappings(header_words: list[str], targets: list[str]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.dictionaries(
            st.one_of(st.sampled_from(targets), TEXT),
            st.one_of(st.sampled_from(header_words), TEXT, st.none(), st.integers()),
            max_size=6,
        ),
        st.lists(TEXT, max_size=3),
        NASTY_TEXT,
    )


def test_the_reports_import_refuses_or_reports_each_row(persona) -> None:
    analyst = persona("analyst.nca")
    header = REPORTS.decode().split("\n", 1)[0].split(",")

    @fuzz(40)
    @given(data=files(REPORTS), mapping=mappings(header, [t.name for t in REPORT_TARGETS]))
    def run(data: bytes, mapping: Any) -> None:
        before = Report.objects.count()
        try:
            job = exchange.start_import(
                acting_user=analyst,
                file_name="reports.csv",
                data=data,
                kind="csv",
                mapping=mapping,
                guess=True,
            )
        except ValidationError as exc:
            assert exc.messages and all(exc.messages)
            assert Report.objects.count() == before
            return
        job = exchange.run_import(job.pk, acting_user=analyst)
        assert job.state == ImportState.DONE
        assert Report.objects.count() - before == job.imported
        assert all(e["message"] and e["row"] >= 2 for e in job.errors)
        refused = {e["row"] for e in job.errors}
        assert job.imported + len(refused) == job.total

    run()


def test_the_entities_import_refuses_or_reports_each_row(persona) -> None:
    officer = persona("investigator.ocriest")
    header = list(ENTITY_MAPPING.values())

    @fuzz(40)
    @given(
        data=files(ENTITIES),
        mapping=st.one_of(
            st.just(ENTITY_MAPPING), mappings(header, [t.name for t in ENTITY_TARGETS])
        ),
        kind=st.sampled_from(["", "person", "vehicle", "spaceship"]),
        marking=st.fixed_dictionaries(
            {},
            optional={
                "classification": st.sampled_from(["OFFICIAL", "20", "Secret", "x", ""]),
                "releasability": st.sampled_from(["FR,UK", "GB", "ZZZ", "", "FR"]),
                "tlp": st.sampled_from(["AMBER", "white", "TLP:RED", "blue"]),
            },
        ),
    )
    def run(data: bytes, mapping: Any, kind: str, marking: dict[str, str]) -> None:
        entities, links = Entity.objects.count(), Link.objects.count()
        try:
            job = imports.start_import(
                acting_user=officer,
                file_name="entities.csv",
                data=data,
                mapping=mapping,
                guess=True,
                kind=kind,
                **marking,
            )
        except ValidationError as exc:
            assert exc.messages and all(exc.messages)
            assert (Entity.objects.count(), Link.objects.count()) == (entities, links)
            return
        if job.state == ImportState.PENDING:
            return
        job = imports.run_import(job.pk, acting_user=officer)
        assert job.state == ImportState.DONE
        assert Entity.objects.count() - entities == job.entities
        assert Link.objects.count() - links == job.links
        assert all(e["message"] and e["row"] >= 2 for e in job.errors)

    run()


def test_the_daily_counts_import_is_all_or_nothing(tmp_path: Path) -> None:
    path = tmp_path / "counts.csv"

    @fuzz(60)
    @given(data=st.one_of(files(COUNTS), count_rows()))
    def run(data: bytes) -> None:
        before = sorted(DailyCount.objects.values_list("site_id", "day", "attempts"))
        path.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("import_daily_counts", str(path), stdout=out, stderr=err)
        except CommandError as exc:
            assert str(exc)
            assert sorted(DailyCount.objects.values_list("site_id", "day", "attempts")) == before
            return
        assert "daily counts imported" in out.getvalue()

    run()


def test_a_count_too_large_for_the_column_is_refused_on_its_line(tmp_path: Path) -> None:
    """Found by fuzzing: 99999999999999999999 failed the write (OverflowError on SQLite,
    DataError on PostgreSQL) instead of being listed as a faulty line."""
    path = tmp_path / "counts.csv"
    path.write_text("day,site,intrusion_attempts\n2015-07-28,COQ-TERM,99999999999999999999\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_daily_counts", str(path), stdout=io.StringIO(), stderr=err)
    assert "Line 2: The number of attempts is too large" in err.getvalue()
    assert not DailyCount.objects.filter(day="2015-07-28").exists()
