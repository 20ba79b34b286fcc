"""Fuzzing the STIX 2.1 import (``entente import_reports`` on a .json file, POST
/intelligence/imports): whatever the file, a clear refusal (nothing written) or an import
whose refused reports are listed; never an unhandled exception, and the reports stored are
those the job counts as imported."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from entente.intelligence.choices import ImportState
from entente.intelligence.models import Report
from entente.intelligence.services import exchange
from tests.fuzz.budget import fuzz
from tests.fuzz.strategies import JSON, mutated, mutated_bytes
from tests.intelligence.test_exchange import write

pytestmark = pytest.mark.django_db


def exported(persona: Any) -> dict[str, Any]:
    """A real bundle: a report with an entity of each kind, a translation and a TLP marking."""
    analyst = persona("analyst.nca")
    report = write(
        analyst,
        translated_title="Camions à Coquelles",
        translation="Un réseau.",
        translation_state="human",
        tlp="GREEN",
    )
    content = exchange.export_report_stix(report.pk, acting_user=analyst).content
    return json.loads(content)


@st.composite
def files(draw: st.DrawFn, bundle: dict[str, Any]) -> bytes:
    text = json.dumps(bundle).encode()
    value = draw(
        st.one_of(
            mutated(bundle),
            # One object of the bundle changed, the rest left as exported.
            st.integers(0, len(bundle["objects"]) - 1).flatmap(
                lambda i: mutated(bundle["objects"][i]).map(
                    lambda obj: {
                        **bundle,
                        "objects": [*bundle["objects"][:i], obj, *bundle["objects"][i + 1 :]],
                    }
                )
            ),
            JSON,
        )
    )
    return draw(
        st.one_of(
            st.just(json.dumps(value, allow_nan=True).encode("utf-8", "surrogatepass")),
            mutated_bytes(text),
            st.binary(max_size=200),
            st.sampled_from([b"[" * 100_000, b'{"type": "bundle"' + b"," * 3 + b"}"]),
        )
    )


def test_a_bundle_is_refused_clearly_or_imported_report_by_report(persona) -> None:
    bundle = exported(persona)
    supervisor = persona("supervisor.nca")

    @fuzz(80)
    @given(data=files(bundle))
    def run(data: bytes) -> None:
        before = Report.objects.count()
        try:
            job = exchange.start_import(
                acting_user=supervisor, file_name="bundle.json", data=data, kind="stix"
            )
        except ValidationError as exc:
            assert exc.messages and all(exc.messages)
            assert Report.objects.count() == before
            return
        job = exchange.run_import(job.pk, acting_user=supervisor)
        assert job.state == ImportState.DONE
        assert Report.objects.count() - before == job.imported
        assert all(e["message"] and e["row"] >= 1 for e in job.errors)
        assert job.imported + len({e["row"] for e in job.errors}) == job.total

    run()


def test_json_nested_too_deeply_is_refused_with_a_reason(persona) -> None:
    """Found by fuzzing: the parser's RecursionError escaped the upload (a server error on the
    page and the API, a traceback from the command)."""
    with pytest.raises(ValidationError) as refused:
        exchange.start_import(
            acting_user=persona("analyst.nca"), file_name="deep.json", data=b"[" * 100_000
        )
    assert refused.value.message_dict["file"] == [
        "The file nests its JSON too deeply to be a STIX bundle."
    ]


def test_an_extension_that_is_null_is_refused_with_a_reason(persona) -> None:
    """Found by fuzzing (ten times the CI budget): stix2's AttributeError on a marking
    definition whose extension is null escaped the upload."""
    bundle = exported(persona)
    for obj in bundle["objects"]:
        if obj["type"] == "marking-definition":
            obj["extensions"] = dict.fromkeys(obj["extensions"])
    with pytest.raises(ValidationError) as refused:
        exchange.start_import(
            acting_user=persona("analyst.nca"),
            file_name="b.json",
            data=json.dumps(bundle).encode(),
        )
    assert "is not valid STIX 2.1" in refused.value.message_dict["file"][0]
