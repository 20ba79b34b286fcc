"""Programme fund: the demo's commitments (EUR 35 million from the UK), totals in euros and
pounds converted with each day's rate, refusals with a translated message and nothing
written, the pages and the API."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from entente.core.models import User
from entente.demo import programme_fund, programme_indicators
from entente.programme.models import (
    BudgetLine,
    Commitment,
    Contributor,
    Disbursement,
    ExchangeRate,
)
from entente.programme.services import fund

pytestmark = pytest.mark.django_db

Persona = Callable[[str], User]
Login = Callable[[str], Client]
END_2015 = dt.date(2015, 12, 31)


@pytest.fixture
def demo(db: object) -> None:
    programme_indicators.load()
    programme_fund.load()


def written() -> tuple[int, ...]:
    return (
        Commitment.objects.count(),
        BudgetLine.objects.count(),
        Disbursement.objects.count(),
        ExchangeRate.objects.count(),
    )


def test_the_uks_contributions_total_eur_35_million(demo: None):
    result = fund.totals("EUR", on=END_2015)
    uk = next(r for r in result.contributors if r.code == "UK")
    assert uk.committed == Decimal("35000000.00")
    assert result.total is not None and result.total.committed == Decimal("35000000.00")
    # The lines share out every euro; per measure they add up to the same.
    assert sum(r.committed for r in result.measures) == Decimal("35000000.00")
    # France states no amount in the agreements: no commitment, no row.
    assert [r.code for r in result.contributors] == ["UK"]
    assert uk.disbursed > 0 and uk.remaining == uk.committed - uk.disbursed
    # A second load changes nothing.
    before = written()
    programme_fund.load()
    assert written() == before


def test_each_disbursement_is_converted_with_the_rate_of_its_own_day(demo: None):
    paid_in_gbp = Disbursement.objects.get(reference="DEMO-2015-04")  # GBP 1.8 million, 11 May
    rate = ExchangeRate.objects.get(day=dt.date(2015, 5, 11)).gbp_per_eur
    eur = fund.totals("EUR", on=END_2015)
    gbp = fund.totals("GBP", on=END_2015)
    expected_eur = sum(
        (
            d.amount
            if d.currency == "EUR"
            else fund.convert(d.amount, "GBP", "EUR", fund.rate_on(d.paid_on).gbp_per_eur)  # type: ignore[union-attr]
            for d in Disbursement.objects.all()
        ),
        Decimal(0),
    )
    assert eur.total is not None and eur.total.disbursed == expected_eur
    assert fund.convert(paid_in_gbp.amount, "GBP", "EUR", rate) == (
        Decimal("1800000") / rate
    ).quantize(Decimal("0.01"))
    # In pounds, the EUR commitments take the rate of their first day (1 January 2015 is a
    # holiday: 31 December 2014's rate, within the tolerance).
    start_rate = ExchangeRate.objects.get(day=dt.date(2014, 12, 31)).gbp_per_eur
    uk_gbp = gbp.contributors[0]
    assert uk_gbp.committed > Decimal("24000000") and uk_gbp.committed < Decimal("28000000")
    jd = Commitment.objects.get(clause__startswith="§ 1")
    assert fund.RateTable().for_commitment(jd.starts_on) == (start_rate, True)
    # Only what was paid by the day asked counts.
    assert fund.totals("EUR", on=dt.date(2015, 2, 28)).total.disbursed == Decimal("1500000.00")  # type: ignore[union-attr]


def test_a_day_without_a_rate_takes_the_latest_within_four_days_and_no_further(db: object):
    ExchangeRate.objects.create(day=dt.date(2015, 4, 2), gbp_per_eur=Decimal("0.7300"))
    # Good Friday to Easter Monday: the Thursday's rate, up to four days later.
    assert fund.rate_on(dt.date(2015, 4, 6)).gbp_per_eur == Decimal("0.7300")  # type: ignore[union-attr]
    assert fund.rate_on(dt.date(2015, 4, 7)) is None
    assert fund.rate_on(dt.date(2015, 4, 1)) is None


@pytest.fixture
def line(persona: Persona) -> BudgetLine:
    from entente.core.models import Agency, Country
    from entente.programme.models import Agreement
    from entente.programme.services import plan

    editor = persona("programme.homeoffice")
    agreement = Agreement.objects.create(
        code="T", signed_on=dt.date(2015, 8, 20), name_en="T", name_fr="T"
    )
    contributor = Contributor.objects.create(
        code="T", country=Country.objects.get(code="UK"), name_en="T", name_fr="T"
    )
    measure = plan.create_measure(
        acting_user=editor,
        code="T-1",
        title_en="Fences",
        title_fr="Clôtures",
        agreement=agreement,
        clause="1",
        owner=Agency.objects.get(code="EUROTUNNEL"),
    )
    commitment = fund.create_commitment(
        acting_user=editor,
        contributor=contributor,
        agreement=agreement,
        clause="1",
        purpose_en="Fences",
        purpose_fr="Clôtures",
        amount="1000000",
        currency="EUR",
        starts_on=dt.date(2015, 8, 20),
        ends_on=dt.date(2017, 8, 19),
    )
    fund.set_rate(acting_user=editor, day=dt.date(2015, 9, 7), gbp_per_eur="0.7300")
    return fund.add_line(commitment, acting_user=editor, measure=measure, amount="400000")


def test_a_disbursement_without_a_rate_for_its_day_is_refused_in_both_languages(
    line: BudgetLine, persona: Persona
):
    editor = persona("programme.homeoffice")
    before = written()
    for lang, words in (("en", "no EUR/GBP rate"), ("fr", "aucun taux EUR/GBP")):
        with translation.override(lang), pytest.raises(ValidationError) as caught:
            fund.record_disbursement(
                line,
                acting_user=editor,
                paid_on=dt.date(2015, 10, 1),
                amount="100",
                currency="GBP",
            )
        assert "paid_on" in caught.value.message_dict
        if lang == "en":
            assert words in caught.value.message_dict["paid_on"][0]
    assert written() == before


def test_a_disbursement_beyond_its_line_and_a_line_beyond_its_commitment_are_refused(
    line: BudgetLine, persona: Persona
):
    editor = persona("programme.homeoffice")
    # GBP 292,000 at 0.73 is EUR 400,000: the whole line; a cent more is refused.
    fund.record_disbursement(
        line, acting_user=editor, paid_on=dt.date(2015, 9, 7), amount="292000", currency="GBP"
    )
    before = written()
    with pytest.raises(ValidationError) as caught:
        fund.record_disbursement(
            line, acting_user=editor, paid_on=dt.date(2015, 9, 7), amount="0.01", currency="EUR"
        )
    assert "Beyond the budget line" in caught.value.message_dict["amount"][0]
    from entente.programme.models import Measure
    from entente.programme.services import plan

    other = plan.create_measure(
        acting_user=editor,
        code="T-2",
        title_en="CCTV",
        title_fr="Vidéo",
        agreement=line.commitment.agreement,
        clause="1",
        owner=line.measure.owner,
    )
    before = written()
    with pytest.raises(ValidationError) as caught:
        fund.add_line(line.commitment, acting_user=editor, measure=other, amount="600000.01")
    assert "Beyond the commitment" in caught.value.message_dict["amount"][0]
    assert written() == before
    fund.add_line(line.commitment, acting_user=editor, measure=other, amount="600000")
    assert Measure.objects.count() >= 2


def test_a_commitment_ending_before_it_starts_is_refused(line: BudgetLine, persona: Persona):
    before = written()
    with translation.override("fr"), pytest.raises(ValidationError) as caught:
        fund.create_commitment(
            acting_user=persona("programme.homeoffice"),
            contributor=line.commitment.contributor,
            agreement=line.commitment.agreement,
            clause="2",
            purpose_en="x",
            purpose_fr="x",
            amount="10",
            currency="EUR",
            starts_on=dt.date(2016, 1, 1),
            ends_on=dt.date(2015, 1, 1),
        )
    assert "ends_on" in caught.value.message_dict
    assert written() == before


def test_rates_import_all_or_nothing(persona: Persona):
    editor = persona("programme.homeoffice")
    with pytest.raises(ValidationError) as caught:
        fund.import_rates(
            acting_user=editor, text="day,gbp_per_eur\n2015-09-01,0.73\n2015-09-02,abc\n"
        )
    assert "Line 3" in caught.value.message_dict["file"][0]
    assert ExchangeRate.objects.count() == 0
    result = fund.import_rates(
        acting_user=editor, text='day,gbp_per_eur\n2015-09-01,0.73\n2015-09-02,"0,7312"\n'
    )
    assert (result.created, result.updated) == (2, 0)
    assert ExchangeRate.objects.get(day=dt.date(2015, 9, 2)).gbp_per_eur == Decimal("0.7312")


def test_viewers_cannot_write(line: BudgetLine, persona: Persona):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        fund.set_rate(acting_user=persona("gold.kent"), day=dt.date(2015, 9, 8), gbp_per_eur="0.7")


def test_the_fund_page_in_pounds_and_in_french(demo: None, login: Login):
    client = login("gold.kent")
    page = client.get("/programme/fund/?currency=GBP&on=2015-12-31").content.decode()
    assert "<svg" in page and 'role="img"' in page and "GBP" in page
    assert "CA-02" in page
    eur = client.get("/programme/fund/?on=2015-12-31").content.decode()
    assert "EUR 35,000,000.00" in eur
    french = login("programme.interieur")
    french.cookies["django_language"] = "fr"
    fr = french.get("/programme/fund/?on=2015-12-31", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "35\u00a0000\u00a0000,00" in fr or "35 000 000,00" in fr


def test_a_disbursement_through_the_page_shows_the_rate_problem(line: BudgetLine, login: Login):
    client = login("programme.homeoffice")
    response = client.post(
        "/programme/fund/disbursements/new/",
        {"line": line.pk, "paid_on": "2015-10-01", "amount": "10", "currency": "EUR"},
    )
    assert response.status_code == 200
    assert "no EUR/GBP rate" in response.content.decode()
    assert Disbursement.objects.count() == 0


def test_the_api_totals_and_a_refused_disbursement(demo: None, login: Login):
    client = login("programme.homeoffice")
    body = client.get("/api/v1/programme/fund/totals?currency=EUR&on=2015-12-31").json()
    assert body["total"]["committed"] == "35000000.00"
    before = written()
    response = client.post(
        "/api/v1/programme/fund/disbursements",
        data=json.dumps(
            {"measure": "CA-02", "paid_on": "2015-12-27", "amount": "5000000", "currency": "EUR"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert written() == before
