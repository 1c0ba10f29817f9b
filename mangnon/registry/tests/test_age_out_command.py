import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from mangnon.core.models import AuditEvent
from mangnon.registry.codes import ChildStatus
from mangnon.registry.models import Child

from .factories import ChildFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("registry", *args, stdout=out)
    return out.getvalue()


def test_age_out_marks_only_children_who_turned_16(units):
    older = ChildFactory(person__full_name="Bàn Văn Sơn", person__date_of_birth=date(2010, 3, 1))
    younger = ChildFactory(person__full_name="Bàn Thị Hoa", person__date_of_birth=date(2010, 3, 2))
    assert "1 child(ren) aged out." in run("age-out", "--on", "01/03/2026")
    older.refresh_from_db()
    younger.refresh_from_db()
    assert older.status == ChildStatus.AGED_OUT and older.aged_out_on == date(2026, 3, 1)
    assert younger.status == ChildStatus.ACTIVE
    event = AuditEvent.objects.get(object_type="registry.child", object_id=str(older.pk), action="update")
    assert event.actor_username == "" and event.changes["status"] == ["active", "aged_out"]
    # Running again the same day changes nothing: the aged-out child is kept, not counted twice.
    assert "0 child(ren) aged out." in run("age-out", "--on", "2026-03-01")
    assert Child.objects.count() == 2


def test_age_out_refuses_a_bad_date():
    with pytest.raises(CommandError, match="not a date"):
        run("age-out", "--on", "31/02/2026")
