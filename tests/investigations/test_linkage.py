"""Record linkage: the acceptance example, decisions and their roles, what a viewer may see,
the export, the run and its resume."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.http import Http404
from django.test import Client
from django.urls import reverse

from entente.core.choices import TLP, Classification
from entente.core.models import Agency, User
from entente.demo import investigations_linkage
from entente.intelligence.models import Entity
from entente.investigations.choices import MatchState, RunState
from entente.investigations.linkage import run as runs
from entente.investigations.linkage import synthetic
from entente.investigations.models import MatchCandidate, MatchDecision, ResolutionRun
from entente.investigations.services import linkage

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(settings: Any, tmp_path: Any) -> Any:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def demo(django_capture_on_commit_callbacks: Any) -> MatchCandidate:
    with django_capture_on_commit_callbacks(execute=True):
        investigations_linkage.load()
    return MatchCandidate.objects.get(left__name="Mohammed Al Hassan")


def snapshot(*entities: Entity) -> list[tuple[Any, ...]]:
    return [
        (e.name, e.attributes, e.originator_id, e.classification, e.tlp)
        for e in Entity.objects.filter(pk__in=[x.pk for x in entities]).order_by("pk")
    ]


def test_the_nca_and_ocriest_records_of_one_man_are_proposed(demo: MatchCandidate) -> None:
    assert demo.right.name == "Mohamed El Hassane"
    assert {demo.left.originator.code, demo.right.originator.code} == {"NCA", "OCRIEST"}
    assert demo.state == MatchState.PENDING
    assert demo.probability >= 0.9
    assert demo.comparison["levels"]["name"] == "same spelling"


def test_near_misses_are_not_proposed(demo: MatchCandidate) -> None:
    names = {
        (c.left.name, c.right.name) for c in MatchCandidate.objects.select_related("left", "right")
    }
    assert ("Ahmed Karimi", "Ahmad Karimi") not in names
    assert ("Fatima Haddad", "Fatima Hadid") not in names
    assert ("Jamal Barzani", "Barzani Djamel") in names  # swapped, dj/j, day and month swapped


def test_confirming_then_undoing_leaves_both_records_intact(
    demo: MatchCandidate, persona: Callable[[str], User]
) -> None:
    before = snapshot(demo.left, demo.right)
    gold = persona("gold.kent")
    linkage.decide(demo.pk, acting_user=gold, state=MatchState.SAME, reason="Same photo.")
    assert [e.pk for e in linkage.confirmed_matches(gold, demo.left)] == [demo.right_id]
    linkage.decide(demo.pk, acting_user=gold, state=MatchState.NOT_SAME, reason="Twins.")
    demo.refresh_from_db()
    assert demo.state == MatchState.NOT_SAME
    assert linkage.confirmed_matches(gold, demo.left) == []
    assert snapshot(demo.left, demo.right) == before
    assert list(MatchDecision.objects.filter(candidate=demo).values_list("state", "reason")) == [
        (MatchState.NOT_SAME, "Twins."),
        (MatchState.SAME, "Same photo."),
    ]


def test_an_editor_may_not_confirm_and_nothing_is_written(
    demo: MatchCandidate, persona: Callable[[str], User]
) -> None:
    editor = persona("investigator.ocriest")
    with pytest.raises(PermissionDenied, match="approvers"):
        linkage.decide(demo.pk, acting_user=editor, state=MatchState.SAME, reason="Looks like him.")
    demo.refresh_from_db()
    assert demo.state == MatchState.PENDING and not MatchDecision.objects.exists()
    linkage.decide(demo.pk, acting_user=editor, state=MatchState.UNSURE, reason="Need a photo.")
    assert MatchDecision.objects.count() == 1


def test_an_editor_may_not_undo_a_confirmation(
    demo: MatchCandidate, persona: Callable[[str], User]
) -> None:
    linkage.decide(demo.pk, acting_user=persona("gold.pn"), state=MatchState.SAME, reason="ok")
    with pytest.raises(PermissionDenied):
        linkage.decide(
            demo.pk,
            acting_user=persona("investigator.ocriest"),
            state=MatchState.UNSURE,
            reason="?",
        )
    demo.refresh_from_db()
    assert demo.state == MatchState.SAME


def test_a_decision_needs_a_reason(demo: MatchCandidate, persona: Callable[[str], User]) -> None:
    with pytest.raises(ValidationError):
        linkage.decide(demo.pk, acting_user=persona("gold.kent"), state=MatchState.SAME, reason=" ")
    assert not MatchDecision.objects.exists()


def test_viewers_may_not_decide(demo: MatchCandidate, persona: Callable[[str], User]) -> None:
    with pytest.raises(PermissionDenied):
        linkage.decide(
            demo.pk, acting_user=persona("analyst.nca"), state=MatchState.UNSURE, reason="x"
        )


def test_the_page_refuses_a_confirmation_in_the_readers_language(
    demo: MatchCandidate, login: Callable[[str], Client]
) -> None:
    client = login("investigator.ocriest")
    url = reverse("investigations:match_detail", args=[demo.pk])
    response = client.post(url, {"state": "same", "reason": "Same man."}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    # The OCRIEST investigator reads French (their own language, whatever the browser says).
    assert "Seuls les approbateurs des enquêtes" in response.content.decode()
    assert not MatchDecision.objects.exists()


def test_a_pair_with_a_hidden_record_is_neither_listed_nor_shown(
    demo: MatchCandidate, persona: Callable[[str], User]
) -> None:
    Entity.objects.filter(pk=demo.right_id).update(tlp=TLP.AMBER)  # OCRIEST's own eyes only
    nca = persona("gold.kent")
    assert demo.pk not in {c.pk for c in linkage.candidates(nca)}
    with pytest.raises(Http404):
        linkage.get_candidate(nca, demo.pk)
    ocriest = persona("investigator.ocriest")
    assert demo.pk in {c.pk for c in linkage.candidates(ocriest)}


def test_the_queue_page_lists_the_pair(
    demo: MatchCandidate, login: Callable[[str], Client]
) -> None:
    response = login("analyst.nca").get(reverse("investigations:match_queue"))
    assert response.status_code == 200
    assert b"Mohamed El Hassane" in response.content


def test_the_export_carries_its_marking_and_the_pairs(
    demo: MatchCandidate, persona: Callable[[str], User], tmp_path: Any
) -> None:
    out = tmp_path / "matches.csv"
    call_command(
        "export_matches", user="gold.kent", state="pending", output=str(out), stdout=io.StringIO()
    )
    lines = list(csv.reader(out.read_text().splitlines()))
    assert lines[0][0] == "Marking" and lines[-1] == lines[0]
    assert "TLP:GREEN" in lines[0]
    assert any("Mohamed El Hassane" in line for line in lines[2:-1])


def _people(n: int) -> None:
    author = User.objects.get(username="analyst.nca")
    agencies = {a.code: a for a in Agency.objects.all()}
    Entity.objects.bulk_create(
        Entity(
            kind="person",
            name=r["name"],
            attributes=r["attributes"],
            classification=Classification.OFFICIAL,
            releasability=frozenset({"FR", "UK"}),
            tlp=TLP.GREEN,
            originator=agencies[r["agency"]],
            created_by=author,
        )
        for r in synthetic.generate(n, seed=11)
    )


def _pairs() -> set[tuple[int, int]]:
    return set(MatchCandidate.objects.values_list("left_id", "right_id"))


def test_an_interrupted_run_resumes_to_the_same_pairs_without_duplicates(
    data_dir: Any, persona: Callable[[str], User]
) -> None:
    _people(600)
    gold = persona("gold.kent")
    whole = runs.execute(linkage.start_run(acting_user=gold, background=False))
    assert whole.state == RunState.DONE and whole.candidates > 50
    expected = _pairs()
    assert whole.metrics["expected_precision"] > 0.9
    MatchCandidate.objects.all().delete()

    run = linkage.start_run(acting_user=gold, background=False)
    runs.execute(run, stop_after="train")
    assert run.state == RunState.PAUSED and not MatchCandidate.objects.exists()
    call_command("resolve_entities", user="gold.kent", resume=run.pk, stdout=io.StringIO())
    # stopped again in the middle of storing
    MatchCandidate.objects.all().delete()
    again = linkage.start_run(acting_user=gold, background=False)
    runs.execute(again, stop_after="predict")
    runs.CHUNK, chunk = 20, runs.CHUNK
    try:
        runs.execute(ResolutionRun.objects.get(pk=again.pk), stop_after_chunks=1)
        assert ResolutionRun.objects.get(pk=again.pk).state == RunState.PAUSED
        assert 0 < MatchCandidate.objects.count() < len(expected)
        done = runs.execute(ResolutionRun.objects.get(pk=again.pk))
    finally:
        runs.CHUNK = chunk
    assert done.state == RunState.DONE
    assert _pairs() == expected
    assert MatchCandidate.objects.count() == len(expected)


def test_a_run_over_the_demos_few_records_finishes_and_proposes_the_pair(
    data_dir: Any, demo: MatchCandidate, persona: Callable[[str], User]
) -> None:
    """Too few pairs for the strict rules or for EM (the demo's few dozen people): the run
    keeps the untrained model where it cannot learn, and still scores every comparison."""
    MatchCandidate.objects.all().delete()
    run = runs.execute(linkage.start_run(acting_user=persona("gold.kent"), background=False))
    assert run.state == RunState.DONE, run.error
    assert MatchCandidate.objects.filter(
        left__name="Mohammed Al Hassan", right__name="Mohamed El Hassane"
    ).exists()


def test_a_run_needs_an_approver(persona: Callable[[str], User]) -> None:
    with pytest.raises(PermissionDenied):
        linkage.start_run(acting_user=persona("investigator.ocriest"), background=False)
    assert not ResolutionRun.objects.exists()


def test_the_run_page_shows_its_progress(
    login: Callable[[str], Client], persona: Callable[[str], User]
) -> None:
    run = runs.start(kind="person", user=persona("gold.kent"))
    response = login("gold.kent").get(
        reverse("investigations:run_progress", args=[run.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert b"<progress" in response.content and b"hx-get" in response.content
