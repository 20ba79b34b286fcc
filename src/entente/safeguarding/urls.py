from __future__ import annotations

from django.urls import URLPattern, path

from entente.safeguarding.views import care, people

app_name = "safeguarding"

urlpatterns: list[URLPattern] = [
    # people, screening, consent, referrals, retention (people)
    path("people/", people.person_list, name="person_list"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path("people/<int:pk>/screenings/", people.screening_create, name="screening_create"),
    path("people/<int:pk>/consents/", people.consent_create, name="consent_create"),
    path("consents/<int:pk>/withdraw/", people.consent_withdraw, name="consent_withdraw"),
    path("people/<int:pk>/referrals/", people.referral_create, name="referral_create"),
    path("referrals/", people.referral_list, name="referral_list"),
    path("referrals/<int:pk>/", people.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/move/", people.referral_move, name="referral_move"),
    path("handovers/<int:pk>/people/", people.handover_people, name="handover_people"),
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
