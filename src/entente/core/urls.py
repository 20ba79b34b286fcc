from __future__ import annotations

from django.urls import path

from entente.core.views import account, audit, bulletins, pages

app_name = "core"

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("healthz", pages.healthz, name="healthz"),
    path("accounts/login/", account.EntenteLoginView.as_view(), name="login"),
    path("accounts/logout/", account.logout_view, name="logout"),
    path("accounts/two-factor/", account.two_factor, name="two_factor"),
    path("accounts/two-factor/setup/", account.two_factor_setup, name="two_factor_setup"),
    path("accounts/profile/", account.profile, name="profile"),
    path("language/", account.set_language, name="set_language"),
    path("agencies/", pages.agency_list, name="agency_list"),
    path("agencies/<str:code>/", pages.agency_detail, name="agency_detail"),
    path("sites/", pages.site_list, name="site_list"),
    path("sites/<str:code>/", pages.site_detail, name="site_detail"),
    path("bulletins/", bulletins.bulletin_list, name="bulletin_list"),
    path("bulletins/new/", bulletins.bulletin_create, name="bulletin_create"),
    path("bulletins/<int:pk>/", bulletins.bulletin_detail, name="bulletin_detail"),
    path("bulletins/<int:pk>/edit/", bulletins.bulletin_edit, name="bulletin_edit"),
    path("audit/", audit.audit_list, name="audit_list"),
]
