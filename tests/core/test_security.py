"""The security baseline as people meet it: passwords, lockout, second factor, sessions, headers."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from entente.core import services
from entente.core.choices import AuditAction
from entente.core.middleware import SESSION_STARTED
from entente.core.models import Agency, AuditEntry, User
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"


def attempt(client: Client, username: str, password: str, address: str):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def code_for(device: TOTPDevice, *, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    totp.time = time.time() + offset
    return f"{totp.token():0{device.digits}d}"


def test_passwords_are_stored_with_argon2(persona):
    assert persona("gold.kent").password.startswith("argon2")


def test_the_right_password_opens_a_session_and_is_audited(db):
    response = attempt(Client(), "analyst.nca", PASSWORD, "10.0.0.1")
    assert response.status_code == 302
    assert AuditEntry.objects.filter(
        action=AuditAction.LOGIN, actor_username="analyst.nca"
    ).exists()


def test_a_failed_login_is_audited_with_the_username_tried(db):
    attempt(Client(), "analyst.nca", "wrong", "10.0.0.1")
    entry = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).latest("seq")
    assert entry.actor_username == "analyst.nca"


def test_lockout_holds_the_address_not_everyone(db):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(Client(), "analyst.nca", "wrong", "10.0.0.66")
    # From the attacker's address, even the right password is refused...
    locked = attempt(Client(), "analyst.nca", PASSWORD, "10.0.0.66")
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    # ...but the analyst logs in from her own desk,
    assert attempt(Client(), "analyst.nca", PASSWORD, "10.0.0.7").status_code == 302
    # and another user at the attacker's address is not locked out.
    assert attempt(Client(), "analyst.dcpaf", PASSWORD, "10.0.0.66").status_code == 302


def test_service_accounts_cannot_log_in_interactively(db):
    user = services.create_user(
        username="sensor.fol",
        agency=Agency.objects.get(code="BF"),
        acting_user=None,
        is_service_account=True,
    )
    user.set_password(PASSWORD)
    user.save()
    response = attempt(Client(), "sensor.fol", PASSWORD, "10.0.0.1")
    assert response.status_code == 200
    assert "Service accounts use API tokens" in response.content.decode()


def test_a_password_alone_gets_nowhere_but_the_second_factor(client, persona):
    client.force_login(persona("gold.kent"))
    response = client.get("/bulletins/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")
    api = client.get("/api/v1/me")
    assert api.status_code == 401
    assert api.json()["type"] == "urn:entente:problem:second-factor-required"


def test_enrolment_then_verification_with_an_authenticator(db, settings):
    # django-otp slows down retries after a wrong code; the test does not wait for it.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client = Client()
    assert attempt(client, "analyst.dcpaf", PASSWORD, "10.0.0.2").status_code == 302
    # First log-in: no device yet, so the user is sent to enrol.
    assert client.get("/accounts/two-factor/")["Location"].startswith("/accounts/two-factor/setup/")
    page = client.get("/accounts/two-factor/setup/")
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user__username="analyst.dcpaf")
    assert client.post("/accounts/two-factor/setup/", {"token": "000000"}).status_code == 200
    response = client.post("/accounts/two-factor/setup/", {"token": code_for(device)})
    assert response.status_code == 302
    assert client.get("/bulletins/").status_code == 200

    # Next time: password, then the code; a wrong code is refused.
    again = Client()
    attempt(again, "analyst.dcpaf", PASSWORD, "10.0.0.2")
    assert again.get("/bulletins/")["Location"].startswith("/accounts/two-factor/")
    refused = again.post("/accounts/two-factor/", {"token": "123456"})
    assert refused.status_code == 200
    assert "invalid-feedback" in refused.content.decode()  # the code field carries the error
    device.refresh_from_db()
    ok = again.post("/accounts/two-factor/", {"token": code_for(device, offset=30)})
    assert ok.status_code == 302
    assert again.get("/bulletins/").status_code == 200
    results = list(
        AuditEntry.objects.filter(
            action=AuditAction.SECOND_FACTOR, actor_username="analyst.dcpaf"
        ).values_list("changes__result", flat=True)
    )
    assert {"enrolled", "refused", "verified"} <= set(results)


def test_a_password_cannot_replace_an_enrolled_device(client, persona):
    user = persona("gold.kent")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    assert client.get("/accounts/two-factor/setup/")["Location"] == "/accounts/two-factor/"
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_sessions_end_after_the_absolute_timeout(login):
    client = login("analyst.nca")
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_STARTED] = time.time() - settings.ENTENTE_SESSION_MAX_AGE - 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert "expired=1" in response["Location"]
    assert client.get("/").status_code == 302  # logged out for good


def test_sessions_expire_when_idle():
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 3600


def test_pages_carry_the_security_headers(login):
    response = login("analyst.nca").get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Request-ID"]


def test_logout_is_audited_and_needs_a_post(login):
    client = login("analyst.nca")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert AuditEntry.objects.filter(
        action=AuditAction.LOGOUT, actor_username="analyst.nca"
    ).exists()
    assert client.get("/").status_code == 302


def test_the_login_form_never_redirects_off_site(db):
    client = Client()
    response = client.post(
        LOGIN + "?next=https://evil.example/",
        {"username": "analyst.nca", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.3",
    )
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_language_switch_is_kept_in_the_profile(login, language):
    client = login("analyst.nca")
    client.post("/language/", {"language": language, "next": "/"})
    assert User.objects.get(username="analyst.nca").language == language
    assert f'<html lang="{language}">' in client.get("/").content.decode()
