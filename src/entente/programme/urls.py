from __future__ import annotations

from django.urls import URLPattern, path

from entente.programme.views import fund, indicators, inspections

app_name = "programme"

urlpatterns: list[URLPattern] = [
    # dashboard and indicators (indicators)
    path("", indicators.dashboard, name="dashboard"),
    path("indicators/", indicators.indicator_list, name="indicator_list"),
    path("indicators/new/", indicators.indicator_create, name="indicator_create"),
    path("indicators/<slug:code>/", indicators.indicator_detail, name="indicator_detail"),
    path("indicators/<slug:code>/edit/", indicators.indicator_edit, name="indicator_edit"),
    path("indicators/<slug:code>/targets/", indicators.target_add, name="target_add"),
    path(
        "indicators/<slug:code>/targets/<int:pk>/delete/",
        indicators.target_delete,
        name="target_delete",
    ),
    path("indicators/<slug:code>/values/", indicators.value_add, name="value_add"),
    # fund and action plan (fund)
    path("fund/", fund.fund_overview, name="fund"),
    path("fund/commitments/", fund.commitment_list, name="fund_commitments"),
    path("fund/commitments/new/", fund.commitment_create, name="fund_commitment_create"),
    path("fund/commitments/<int:pk>/", fund.commitment_detail, name="fund_commitment"),
    path("fund/commitments/<int:pk>/lines/", fund.line_add, name="fund_line_add"),
    path("fund/disbursements/", fund.disbursement_list, name="fund_disbursements"),
    path("fund/disbursements/new/", fund.disbursement_create, name="fund_disbursement_create"),
    path("fund/rates/", fund.rate_list, name="fund_rates"),
    path("fund/rates/new/", fund.rate_create, name="fund_rate_create"),
    path("fund/rates/import/", fund.rate_import, name="fund_rate_import"),
    path("plan/", fund.measure_list, name="plan"),
    path("plan/<str:code>/", fund.measure_detail, name="plan_measure"),
    path("plan/<str:code>/edit/", fund.measure_edit, name="plan_measure_edit"),
    path("plan/<str:code>/evidence/", fund.evidence_add, name="plan_evidence_add"),
    path(
        "plan/<str:code>/evidence/<int:pk>/",
        fund.evidence_download,
        name="plan_evidence_download",
    ),
    # inspections and the joint report (inspections)
    path("inspections/", inspections.inspection_list, name="inspections"),
    path("inspections/new/", inspections.inspection_create, name="inspection_create"),
    path("inspections/<str:period>/", inspections.inspection_detail, name="inspection"),
    path("inspections/<str:period>/edit/", inspections.inspection_edit, name="inspection_edit"),
    path("inspections/<str:period>/items/", inspections.item_add, name="inspection_item_add"),
    path(
        "inspections/<str:period>/items/<int:pk>/",
        inspections.item_check,
        name="inspection_item_check",
    ),
    path(
        "inspections/<str:period>/findings/",
        inspections.finding_add,
        name="inspection_finding_add",
    ),
    path("inspections/<str:period>/actions/", inspections.action_add, name="inspection_action_add"),
    path(
        "inspections/<str:period>/actions/<int:pk>/done/",
        inspections.action_done,
        name="inspection_action_done",
    ),
    path(
        "inspections/<str:period>/actions/<int:pk>/evidence/",
        inspections.evidence_add,
        name="inspection_evidence_add",
    ),
    path(
        "inspections/<str:period>/evidence/<int:pk>/",
        inspections.evidence_download,
        name="inspection_evidence_download",
    ),
    path("inspections/<str:period>/close/", inspections.inspection_close, name="inspection_close"),
    path("report/", inspections.report_page, name="report"),
    path("report/pdf/", inspections.report_pdf, name="report_pdf"),
]
