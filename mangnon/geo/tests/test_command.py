from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.geo.management.commands.geo import _province_code
from mangnon.geo.models import AdminUnit, Level

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("geo", *args, stdout=out)
    return out.getvalue()


def test_load_province_prints_stats_and_time():
    output = _run("load", "--province", "22")
    assert (
        "Loaded province(s) 22: 0 units created, 0 updated, 239 unchanged; 0 crosswalk links created"
        in output
    )
    assert output.rstrip().endswith(" s")


def test_load_repeated_province_option_loads_each_and_audits_once():
    events = AuditEvent.objects.count()
    output = _run("load", "--province", "22", "--province", "12")  # Lai Châu, beside Quảng Ninh
    assert "province(s) 12, 22" in output
    lai_chau = AdminUnit.objects.get(code="12", level=Level.PROVINCE)
    assert AdminUnit.objects.filter(path__startswith=lai_chau.path).count() > 100
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.order_by("-pk").first()
    assert event.action == AuditAction.IMPORT
    assert event.actor_id is None
    assert event.object_type == "geo.adminunit"
    assert event.changes["provinces"] == [None, ["12", "22"]]
    assert event.changes["created"][1] > 100
    # Nothing changed the second time, so nothing is audited.
    assert "0 units created" in _run("load", "--province", "12")
    assert AuditEvent.objects.count() == events + 1


def test_unknown_code_is_a_command_error_and_writes_nothing():
    count = AdminUnit.objects.count()
    with pytest.raises(CommandError, match="99"):
        _run("load", "--province", "99")
    with pytest.raises(CommandError, match="99"):
        _run("load", "--province", "22", "--province", "99")
    assert AdminUnit.objects.count() == count


def test_province_or_all_is_required_and_exclusive():
    with pytest.raises(CommandError):
        _run("load")
    with pytest.raises(CommandError):
        _run("load", "--all", "--province", "22")
    with pytest.raises(CommandError):
        _run()


def test_province_code_accepts_a_single_digit():
    assert _province_code("1") == "01"
    assert _province_code(" 22 ") == "22"
    assert _province_code("x") == "x"
