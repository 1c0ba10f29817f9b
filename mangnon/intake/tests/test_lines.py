"""Lines: 111 from the migration, the demo's provincial lines (idempotent), the operator's command."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from mangnon.core.models import AuditEvent
from mangnon.intake import demo_data
from mangnon.intake.models import Line

pytestmark = pytest.mark.django_db


class Ctx:
    def __init__(self) -> None:
        self.out = io.StringIO()

    def say(self, message: str) -> None:
        self.out.write(message + "\n")


def test_demo_adds_the_provincial_lines_once(units):
    demo_data.load(Ctx())  # type: ignore[arg-type]
    demo_data.load(Ctx())  # type: ignore[arg-type]
    lines = {line.number: line for line in Line.objects.all()}
    assert set(lines) == {"111", "18001769", "18001776"}
    assert lines["111"].province is None and lines["18001769"].province == units.province
    assert "Quảng Ninh" in lines["18001776"].name
    assert AuditEvent.objects.filter(object_type="intake.line", action="create").count() == 2


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("intake", *args, stdout=out)
    return out.getvalue()


def test_command_adds_lists_and_deactivates(units):
    assert "18001769" in run("line-add", "18001769", "Tư vấn Quảng Ninh", "--province", "22")
    listing = run("lines")
    assert "111" in listing and "Tỉnh Quảng Ninh, in use" in listing
    assert "out of use" in run("line-deactivate", "18001769")
    assert not Line.objects.get(number="18001769").active
    with pytest.raises(CommandError):
        run("line-add", "18001769", "x", "--province", "99")
    with pytest.raises(CommandError):
        run("line-add", "12ab", "x")
    with pytest.raises(CommandError):
        run("line-deactivate", "000")
