"""Entente settings, read from the environment.

One settings module for every deployment (Healthchecks style): small typed readers, an
``ImproperlyConfigured`` error on a bad value, no secret in code. ``ENTENTE_MODE`` says what
kind of deployment this is:

- ``development`` (the default): a generated secret key kept in the data directory, HTTP
  allowed, SQLite unless ``DATABASE_URL`` is set. The test suite runs in this mode.
- ``demo``: development plus the demo banner, and no second factor for the demo personas.
- ``production``: ``SECRET_KEY`` and ``ALLOWED_HOSTS`` are required, HTTPS everywhere, a
  connection pool on PostgreSQL; ``entente check --deploy --fail-level WARNING`` is clean.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("ENTENTE_DATA_DIR", str(Path.cwd() / "var"))).resolve()

MODE = env_str("ENTENTE_MODE", "development")
if MODE not in {"development", "demo", "production"}:
    raise ImproperlyConfigured(
        f"ENTENTE_MODE must be development, demo or production, not {MODE!r}"
    )
PRODUCTION = MODE == "production"
DEMO_MODE = MODE == "demo"
DEBUG = env_bool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG cannot be on in production mode")


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production mode")
    # Outside production a key is generated once and kept beside the embedded database,
    # so sessions survive a restart and no key is ever written in code.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production mode")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "ninja",
    "entente.core",
    "entente.control_room",
    "entente.intelligence",
    "entente.investigations",
    "entente.safeguarding",
    "entente.programme",
    "entente.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "entente.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "entente.core.middleware.SessionTimeoutMiddleware",
    "entente.core.middleware.UserPreferencesMiddleware",
    "entente.core.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes wants to be last: it turns a lockout signalled by the backend into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "entente.urls"
WSGI_APPLICATION = "entente.wsgi.application"
ASGI_APPLICATION = "entente.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "entente.core.context_processors.entente",
            ],
        },
    },
]

# Database: SQLite (embedded) unless DATABASE_URL names another.
SQLITE_OPTIONS = {
    # Take the write lock at BEGIN: a read-then-write transaction never fails
    # half-way with "database is locked" (the audit chain reads then writes).
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    _db = dj_database_url.parse(DATABASE_URL)
    if _db["ENGINE"] == "django.db.backends.postgresql":
        _db.setdefault("OPTIONS", {})
        if env_bool("ENTENTE_DB_POOL", PRODUCTION):
            # Django 5.1+ psycopg pool; CONN_MAX_AGE must stay 0 with a pool.
            _db["OPTIONS"]["pool"] = {
                "min_size": env_int("ENTENTE_DB_POOL_MIN", 2),
                "max_size": env_int("ENTENTE_DB_POOL_MAX", 10, minimum=1),
                # Seconds a request waits for a connection before it is answered 503 (the
                # database out of reach) instead of holding its thread for psycopg's 30.
                "timeout": env_int("ENTENTE_DB_POOL_TIMEOUT", 10, minimum=1),
            }
            _db["CONN_MAX_AGE"] = 0
    if _db["ENGINE"] == "django.db.backends.sqlite3":
        # A SQLite file named by URL (e.g. the database of the browser tests' server) is
        # opened like the embedded one.
        _db["OPTIONS"] = {**SQLITE_OPTIONS, **(_db.get("OPTIONS") or {})}
    DATABASES = {"default": _db}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "entente.sqlite3"),
            "OPTIONS": SQLITE_OPTIONS,
            # Tests use a file too: threads of the live server and the MQTT bridge then wait
            # for the write lock (busy timeout) instead of failing on shared-cache table locks.
            "TEST": {"NAME": str(DATA_DIR / "test-entente.sqlite3")},
        }
    }
    DATA_DIR.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:login"

# Second factor: required for every interactive account outside demo mode.
ENTENTE_REQUIRE_2FA = not DEMO_MODE
OTP_TOTP_ISSUER = "Entente"

# Lockout by (username, address): one address cannot lock a user out everywhere, and one
# username guessed from many addresses locks only those addresses.
AXES_FAILURE_LIMIT = env_int("ENTENTE_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ENTENTE_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("ENTENTE_PROXY_COUNT", 0)
AXES_VERBOSE = False

# Sessions: an idle timeout (renewed on every request) and an absolute one (middleware).
SESSION_COOKIE_AGE = env_int("ENTENTE_SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
ENTENTE_SESSION_MAX_AGE = env_int("ENTENTE_SESSION_MAX_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Transport and headers. Outside production the site is served over plain HTTP on loopback.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("ENTENTE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("ENTENTE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    if env_bool("ENTENTE_BEHIND_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Languages: English and French, complete catalogues for both.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "entente_language"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]  # the layout's assets and the vendored libraries
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production whitenoise serves straight from the apps' static folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
# Source maps (5 MB of the vendored API docs' and Bootstrap's) are read only by a browser's
# developer tools: not worth compressing at every collectstatic (measured: 34 s of CPU
# down to 13 s).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
WHITENOISE_AUTOREFRESH = DEBUG
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# API
ENTENTE_API_MAX_PAGE = env_int("ENTENTE_API_MAX_PAGE", 500, minimum=1)
NINJA_PAGINATION_PER_PAGE = 50

# Control room: largest alert batch accepted in one request; alerts of a zone closer in time
# than the correlation window join the same incident.
ENTENTE_ALERT_BATCH_MAX = env_int("ENTENTE_ALERT_BATCH_MAX", 1000, minimum=1)
ENTENTE_CORRELATION_SECONDS = env_int("ENTENTE_CORRELATION_SECONDS", 300, minimum=1)
# An alert stamped further in the future than this (a sensor's clock running fast) is refused.
ENTENTE_ALERT_MAX_SKEW_SECONDS = env_int("ENTENTE_ALERT_MAX_SKEW_SECONDS", 300)
# Intelligence: the largest file attached to a report.
ENTENTE_ATTACHMENT_MAX_BYTES = env_int("ENTENTE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
# The MQTT bridge (entente mqtt_bridge): broker, topic pattern, and the service account the
# alerts are recorded under.
ENTENTE_MQTT_URL = env_str("ENTENTE_MQTT_URL", "mqtt://127.0.0.1:1883")
ENTENTE_MQTT_TOPIC = env_str("ENTENTE_MQTT_TOPIC", "entente/alerts/#")
ENTENTE_MQTT_USER = env_str("ENTENTE_MQTT_USER")
ENTENTE_MQTT_CLIENT_ID = env_str("ENTENTE_MQTT_CLIENT_ID", "entente-bridge")
# The live board (control_room.hub): the stream is served by the live listener that
# `entente serve` starts on LIVE_PORT (default PORT + 1). ENTENTE_LIVE_URL is where browsers
# reach it: empty for "the page's host, port LIVE_PORT"; "/control-room/live/stream" when a
# reverse proxy routes that path to the live listener.
ENTENTE_LIVE_URL = env_str("ENTENTE_LIVE_URL")
ENTENTE_LIVE_PORT = env_int("LIVE_PORT", env_int("PORT", 8000) + 1, minimum=1)
# A stream ends after this long (the browser reconnects, is authenticated again, resyncs).
ENTENTE_LIVE_STREAM_SECONDS = env_int("ENTENTE_LIVE_STREAM_SECONDS", 300, minimum=5)
ENTENTE_LIVE_HEARTBEAT_SECONDS = env_int("ENTENTE_LIVE_HEARTBEAT_SECONDS", 15, minimum=1)
# Ticks (one round of database work for every board of a worker) no more often than this.
ENTENTE_LIVE_TICK_MS = env_int("ENTENTE_LIVE_TICK_MS", 50)
# SQLite only: how often the live workers read the event log.
ENTENTE_LIVE_POLL_MS = env_int("ENTENTE_LIVE_POLL_MS", 100, minimum=10)

# Services the test suite must find (CI): PostgreSQL, Mosquitto, Chromium.
ENTENTE_REQUIRE_SERVICES = env_bool("ENTENTE_REQUIRE_SERVICES", False)
ENTENTE_CHROMIUM = env_str("ENTENTE_CHROMIUM", "/usr/bin/chromium")
ENTENTE_DEMO_PASSWORD = env_str("ENTENTE_DEMO_PASSWORD", "entente-demo")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("ENTENTE_LOG_LEVEL", "WARNING")},
}
