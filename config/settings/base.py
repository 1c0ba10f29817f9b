"""Settings shared by every environment. Environment files override only what differs."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("MANGNON_VAR_DIR", BASE_DIR / "var"))

DEBUG = False
ALLOWED_HOSTS: list[str] = [h for h in os.environ.get("MANGNON_ALLOWED_HOSTS", "").split(",") if h]
SECRET_KEY = os.environ.get("MANGNON_SECRET_KEY", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    # Domain apps, in dependency order (DESIGN.md §2): each depends only on those above it.
    "mangnon.core",
    "mangnon.geo",
    "mangnon.accounts",
    "mangnon.orgs",
    "mangnon.registry",
    "mangnon.intake",
    "mangnon.support",
    "mangnon.activities",
    "mangnon.cases",
    "mangnon.participation",
    "mangnon.surveys",
    "mangnon.indicators",
    "mangnon.reports",
    "mangnon.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "mangnon.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mangnon.core.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "mangnon" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mangnon.core.context_processors.navigation",
                "mangnon.core.context_processors.notifications",
            ],
        },
    },
]


def database_from_url(url: str) -> dict[str, Any]:
    """Parse DATABASE_URL; SQLite gets WAL and immediate write transactions (no lock upgrades)."""
    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=0 if url.startswith("sqlite") else 60)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.setdefault("OPTIONS", {}).update(
            {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            }
        )
    return config


DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'mangnon.sqlite3'}")
DATABASES = {"default": database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions: 30 minutes idle timeout, renewed on every request (a sliding window).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Login throttling: 5 failures lock the username for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The lock lasts 15 minutes from the fifth failure, as the lockout page says; retrying does not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "mangnon" / "locale"]
LANGUAGE_COOKIE_NAME = "mangnon_language"
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Off on purpose: with it on, every integer in a template is grouped — record ids in links and data-*
# attributes ("5.593") and years ("2.015") break. Figures are grouped explicitly with `|num` (in the
# interface language) or `|vi_number` (always Vietnamese) from `{% load vn %}`.
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["mangnon.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS: list = [BASE_DIR / "mangnon" / "static"]
# Front-end packages come from the npm registry at install time (package.json); never committed.
_HTMX_DIST = BASE_DIR / "node_modules" / "htmx.org" / "dist"
if _HTMX_DIST.is_dir():
    STATICFILES_DIRS.append(("vendor/htmx", _HTMX_DIST))
_CHARTJS_DIST = BASE_DIR / "node_modules" / "chart.js" / "dist"
if _CHARTJS_DIST.is_dir():
    STATICFILES_DIRS.append(("vendor/chartjs", _CHARTJS_DIST))

# Content-Security-Policy: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Deadline notifications: in the app always; by e-mail only when an SMTP host is configured.
EMAIL_HOST = os.environ.get("MANGNON_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("MANGNON_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("MANGNON_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("MANGNON_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("MANGNON_EMAIL_TLS", "true") == "true"
DEFAULT_FROM_EMAIL = os.environ.get("MANGNON_EMAIL_FROM", "mangnon@localhost")
MANGNON_NOTIFY_BY_EMAIL = bool(EMAIL_HOST)
# The address users open the site at (e.g. https://treem.quangninh.gov.vn): e-mails link to it.
MANGNON_SITE_URL = os.environ.get("MANGNON_SITE_URL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MANGNON_LOG_LEVEL", "WARNING")},
}

# Uploaded files (imports, later attachments) live outside the web root and are served only through
# views that check access.
UPLOAD_DIR = Path(os.environ.get("MANGNON_UPLOAD_DIR", VAR_DIR / "uploads"))
UPLOAD_MAX_BYTES = int(os.environ.get("MANGNON_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
# Case attachments go through Django's storage, rooted in the same directory; nothing routes MEDIA_URL.
MEDIA_ROOT = UPLOAD_DIR
MEDIA_URL = "/no-direct-media/"
MANGNON_ATTACHMENT_MAX_BYTES = int(os.environ.get("MANGNON_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
# An XLSForm uploaded for a school survey (issue 8).
MANGNON_SURVEY_FORM_MAX_BYTES = int(os.environ.get("MANGNON_SURVEY_FORM_MAX_BYTES", 2 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Demo mode (mangnon demo load) is refused unless DEBUG is on.
MANGNON_DEMO_PROVINCE = "22"
# Anonymous survey links: requests per school link per hour (no client address is ever used):
# "submit" stored answers, "page" moves between the form's pages.
MANGNON_SURVEY_LINK_RATE = {"submit": 300, "page": 3000}

# Lockout is by account (AXES_LOCKOUT_PARAMETERS = username). Locking by address as well would lock out
# a whole commune office behind one NAT address after five typos by different people.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
