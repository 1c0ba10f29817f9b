"""Test settings: fast hashing, tasks run at once, no throttling between unrelated tests."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import PASSWORD_HASHERS

DEBUG = False
SECRET_KEY = "test-only-insecure-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# Argon2 stays available (a test asserts it is the default in base settings); MD5 keeps factories fast.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files come straight from the finders in tests (no collectstatic).
STATIC_ROOT = None  # type: ignore[assignment]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The registry demo lays out a smaller province in tests (all of Quảng Ninh's children take a minute).
MANGNON_DEMO_CHILDREN = 2000
