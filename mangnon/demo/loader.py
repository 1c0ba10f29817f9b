"""The demo: synthetic Quảng Ninh data, loaded app by app.

Each app that has demo records puts a `demo_data.py` beside its models with `load(ctx)`; they run in
INSTALLED_APPS order (which is dependency order), so geography exists before users, users before
children. Every loader is idempotent: a second run changes nothing.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Protocol

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...
    def flush(self) -> object: ...


@dataclass
class DemoLogin:
    username: str
    role: str
    unit: str


@dataclass
class DemoContext:
    scale: str  # "sample" (default, quick) or "full" (realistic volumes)
    password: str
    out: Writer
    seed: int = 20200601
    logins: list[DemoLogin] = field(default_factory=list)

    def say(self, message: str) -> None:
        self.out.write(message + "\n")
        self.out.flush()


def demo_password() -> str:
    """MANGNON_DEMO_PASSWORD, else one generated on the first run and kept in var/ (never in git)."""
    from_env = os.environ.get("MANGNON_DEMO_PASSWORD")
    if from_env:
        return from_env
    path = Path(settings.VAR_DIR) / "demo-password"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


def loaders() -> list[tuple[str, ModuleType]]:
    found: list[tuple[str, ModuleType]] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("mangnon."):
            continue
        module_name = f"{config.name}.demo_data"
        if importlib.util.find_spec(module_name) is not None:
            found.append((config.label, importlib.import_module(module_name)))
    return found


def load_demo(*, scale: str, out: Writer) -> DemoContext:
    if not settings.DEBUG:
        raise ImproperlyConfigured("Demo data is refused when DEBUG is off: never load it into production.")
    ctx = DemoContext(scale=scale, password=demo_password(), out=out)
    for label, module in loaders():
        ctx.say(f"· {label}")
        module.load(ctx)
    _refresh_statistics()
    return ctx


def _refresh_statistics() -> None:
    """PostgreSQL plans from table statistics that autovacuum refreshes only some time after a bulk
    load; until then a roll-up over the freshly loaded rows can pick a plan that takes minutes instead
    of milliseconds. The demo is a bulk load: refresh them at once."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
