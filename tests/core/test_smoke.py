from __future__ import annotations


def test_the_dashboard_greets_a_signed_in_persona(login):
    response = login("gold.kent")
    page = response.get("/")
    assert page.status_code == 200
    assert "Helen Morgan" in page.content.decode()
