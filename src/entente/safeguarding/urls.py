from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

app_name = "safeguarding"

urlpatterns: list[URLPattern] = [
    # people, screening, consent, referrals, retention (people)
    # accommodation, day centres, pathways, campaigns (care)
]
