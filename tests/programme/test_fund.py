"""Programme fund: commitments, budget lines, disbursements and rates; totals in euros and
pounds; refusals leave nothing written; the pages and the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from entente.demo import programme_fund, programme_indicators
from entente.programme.services import fund

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db: object) -> None:
    programme_indicators.load()
    programme_fund.load()


def test_the_uks_contributions_total_eur_35_million(demo: None):
    result = fund.totals("EUR", on=dt.date(2015, 12, 31))
    uk = next(r for r in result.contributors if r.code == "UK")
    assert uk.committed == Decimal("35000000.00")
