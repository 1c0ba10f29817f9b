from io import StringIO

import pytest
from django.test import override_settings

from mangnon.core.models import AuditEvent
from mangnon.demo.loader import DemoContext
from mangnon.geo import demo_data
from mangnon.geo.models import AdminUnit

pytestmark = pytest.mark.django_db


@override_settings(MANGNON_DEMO_PROVINCE="22")
def test_demo_loads_the_demo_province_idempotently():
    out = StringIO()
    units, events = AdminUnit.objects.count(), AuditEvent.objects.count()
    demo_data.load(DemoContext(scale="sample", password="x", out=out))
    assert AdminUnit.objects.count() == units
    assert AuditEvent.objects.count() == events
    assert "province 22: 0 units created, 0 updated, 239 unchanged" in out.getvalue()


@override_settings(MANGNON_DEMO_PROVINCE="12")
def test_demo_loads_the_configured_province():
    out = StringIO()
    demo_data.load(DemoContext(scale="sample", password="x", out=out))
    assert AdminUnit.objects.filter(code="12", level="province").exists()
    assert "province 12:" in out.getvalue()
