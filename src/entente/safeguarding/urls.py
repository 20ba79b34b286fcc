from __future__ import annotations

from django.urls import URLPattern, path

from entente.safeguarding.views import care

app_name = "safeguarding"

urlpatterns: list[URLPattern] = [
    # people, screening, consent, referrals, retention (people)
    # accommodation, day centres, pathways, campaigns (care)
    path("places/", care.place_list, name="place_list"),
    path("places/new/", care.place_create, name="place_create"),
    path("places/<int:pk>/", care.place_detail, name="place_detail"),
    path("places/<int:pk>/edit/", care.place_edit, name="place_edit"),
    path("places/<int:pk>/allocate/", care.allocation_create, name="allocation_create"),
    path("allocations/<int:pk>/<slug:action>/", care.allocation_action, name="allocation_action"),
    path("day-centres/", care.daycentre_list, name="daycentre_list"),
    path("day-centres/<int:pk>/", care.daycentre_detail, name="daycentre_detail"),
    path("day-centres/<int:pk>/day/", care.service_day_entry, name="service_day_entry"),
    path("pathways/", care.pathway_list, name="pathway_list"),
    path("pathways/new/", care.pathway_create, name="pathway_create"),
    path("pathways/<int:pk>/", care.pathway_detail, name="pathway_detail"),
    path("pathways/<int:pk>/milestone/", care.pathway_milestone, name="pathway_milestone"),
    path("campaigns/", care.campaign_list, name="campaign_list"),
    path("campaigns/new/", care.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", care.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", care.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/approve/", care.campaign_approve, name="campaign_approve"),
    path("campaigns/<int:pk>/reach/", care.campaign_reach, name="campaign_reach"),
]
