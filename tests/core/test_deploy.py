"""Production settings: `entente check --deploy` is clean, and missing secrets stop the start."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest


def entente(*args: str, tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ENTENTE_", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"))
    }
    clean.update({"ENTENTE_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "entente.settings"})
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "entente", *args],
        env=clean,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "ENTENTE_MODE": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "entente.example.org",
}


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = entente(
        "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, **PRODUCTION
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = entente("check", tmp_path=tmp_path, **env)
    assert result.returncode != 0
    assert f"{missing} must be set in production mode" in result.stderr


def test_production_turns_on_https_everywhere(tmp_path):
    script = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.DEBUG, s.ENTENTE_REQUIRE_2FA)"
    )
    result = entente("shell", "--no-imports", "-c", script, tmp_path=tmp_path, **PRODUCTION)
    assert result.stdout.split() == ["31536000", "True", "True", "True", "False", "True"], (
        result.stderr
    )


def test_a_bad_setting_is_a_clear_error(tmp_path):
    result = entente("check", tmp_path=tmp_path, ENTENTE_MODE="staging")
    assert result.returncode != 0
    assert "ENTENTE_MODE must be development, demo or production" in result.stderr
