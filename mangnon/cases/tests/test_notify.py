"""Deadline notifications: who is told (the caseworker and the supervisors whose scope covers the case,
nobody else), once per case, deadline and state; e-mail only when configured; the task and the command;
what a recipient sees and may open; and queries that do not grow with the number of cases."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation

from mangnon.accounts.models import Membership, User
from mangnon.accounts.roles import Role
from mangnon.accounts.tests.factories import MembershipFactory, UserFactory
from mangnon.cases import notify, services, tasks
from mangnon.cases.codes import DeadlineKind
from mangnon.cases.models import Case, Deadline
from mangnon.cases.tests.factories import ContactChildFactory
from mangnon.cases.tests.steps import step_data
from mangnon.cases.workflow import Status
from mangnon.core.calendar import VN_TZ
from mangnon.core.models import AuditAction, AuditEvent, Notification
from mangnon.core.notifications import text_of
from mangnon.geo.models import AdminUnit
from mangnon.registry.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisors(units: Any) -> dict[str, User]:
    """Case managers (CASE_SUPERVISE) working at commune A and at commune B."""
    out = {}
    for name, unit in (("a", units.commune_a), ("b", units.commune_b)):
        user = UserFactory(username=f"sup-{name}")
        MembershipFactory(user=user, role=Role.CASE_MANAGER, admin_unit=unit)
        out[name] = user
    return out


def _open(officer: User, received_at: datetime | None = None) -> Case:
    """A case opened by `officer` (its caseworker) from a contact in the officer's commune."""
    unit = Membership.objects.filter(user=officer).first().admin_unit  # type: ignore[union-attr]
    row = ContactChildFactory(
        contact__admin_unit=unit,
        **({"contact__received_at": received_at} if received_at else {}),
    )
    return services.case_open(actor=officer, contact=row.contact).case


@pytest.fixture
def late_a(personas: Any) -> Case:
    """Received in March 2026: its 12 hours are long gone."""
    return _open(personas.officer_a)


@pytest.fixture
def soon_a(personas: Any) -> Case:
    """Received two hours ago: the safety assessment is due in ten hours."""
    return _open(personas.officer_a, timezone.now() - timedelta(hours=2))


def _told(case: Case, kind: str | None = None) -> set[str]:
    rows = Notification.objects.filter(params__case=case.pk)
    if kind:
        rows = rows.filter(kind=kind)
    return set(rows.values_list("recipient__username", flat=True))


def _in_scope_of_a(personas: Any, supervisors: dict[str, User]) -> set[str]:
    """The caseworker, commune A's supervisor and the province-level supervisors (their scope covers A)."""
    return {
        personas.officer_a.username,
        supervisors["a"].username,
        personas.province_officer.username,
        personas.province_manager.username,
        personas.case_manager.username,
    }


# --- who is told ---------------------------------------------------------------------------------------


def test_overdue_tells_the_caseworker_and_the_supervisors_in_scope_only(personas, supervisors, late_a):
    result = notify.notify_deadlines()
    assert result.cases == 1 and result.notifications == 5
    assert _told(late_a, notify.CASE_OVERDUE) == _in_scope_of_a(personas, supervisors)
    told = _told(late_a)
    for outsider in (
        personas.officer_b,
        supervisors["b"],
        personas.hotline,
        personas.chair_a,
        personas.collaborator_a,
        personas.viewer,
        personas.system_admin,
    ):
        assert outsider.username not in told
    safety = late_a.deadlines.get(kind=DeadlineKind.SAFETY)
    n = Notification.objects.get(recipient=personas.officer_a)
    assert n.kind == "case_overdue" and n.link == f"/cases/{late_a.pk}/"
    assert n.key == f"cases.deadline:{safety.pk}:overdue"
    assert n.params == {
        "case": late_a.pk,
        "number": late_a.number,
        "deadline": "safety",
        "due_at": safety.due_at.isoformat(),
    }


def test_due_soon_tells_the_same_people(personas, supervisors, soon_a):
    notify.notify_deadlines()
    assert _told(soon_a, notify.CASE_DUE_SOON) == _in_scope_of_a(personas, supervisors)
    assert not _told(soon_a, notify.CASE_OVERDUE)


def test_a_case_in_commune_b_is_never_announced_to_commune_a(personas, supervisors, units):
    late_b = _open(personas.officer_b)
    notify.notify_deadlines()
    told = _told(late_b)
    assert personas.officer_b.username in told and supervisors["b"].username in told
    assert personas.province_officer.username in told
    for insider_a in (personas.officer_a, supervisors["a"], personas.chair_a):
        assert not Notification.objects.filter(recipient=insider_a).exists()
    assert not Notification.objects.filter(recipient=personas.officer_a, link=f"/cases/{late_b.pk}/").exists()


def _assess(case: Case, officer: User) -> None:
    services.case_transition(
        actor=officer, case=case, to=Status.ASSESSED, version=case.version,
        data=step_data(case, Status.ASSESSED),
    )  # fmt: skip
    case.refresh_from_db()


def test_nothing_for_cases_not_due_closed_or_met(personas, late_a, soon_a):
    assessed = _open(personas.officer_a, timezone.now() - timedelta(hours=1))
    _assess(assessed, personas.officer_a)  # safety met; the plan is due in 5 working days
    _assess(late_a, personas.officer_a)  # safety met; the plan, due 5 working days after March 6, is late
    Case.objects.filter(pk=soon_a.pk).update(status=Status.CLOSED)
    result = notify.notify_deadlines()
    assert result.cases == 1
    plan = late_a.deadlines.get(kind=DeadlineKind.PLAN)
    keys = set(Notification.objects.filter(params__case=late_a.pk).values_list("key", flat=True))
    assert keys == {f"cases.deadline:{plan.pk}:overdue"}
    assert _told(assessed) == set() and _told(soon_a) == set()


def test_a_caseworker_who_has_left_the_commune_is_not_told(personas, supervisors, late_a):
    Membership.objects.filter(user=personas.officer_a).update(
        valid_to=timezone.localdate() - timedelta(days=1)
    )
    notify.notify_deadlines()
    assert personas.officer_a.username not in _told(late_a)
    assert supervisors["a"].username in _told(late_a)


def test_an_inactive_supervisor_is_not_told(personas, supervisors, late_a):
    User.objects.filter(pk=supervisors["a"].pk).update(is_active=False)
    notify.notify_deadlines()
    assert supervisors["a"].username not in _told(late_a)


def test_a_case_without_a_caseworker_goes_to_its_supervisors(personas, supervisors, late_a):
    Case.objects.filter(pk=late_a.pk).update(caseworker=None)
    notify.notify_deadlines()
    assert _told(late_a) == _in_scope_of_a(personas, supervisors) - {personas.officer_a.username}


def test_a_historic_case_reaches_the_current_communes_supervisor(personas, supervisors, units):
    """A case filed under a pre-reform commune is in the scope of the commune it went into (crosswalk)."""
    case = _open(personas.officer_a)
    Case.objects.filter(pk=case.pk).update(admin_unit=units.legacy_a)
    notify.notify_deadlines()
    assert {personas.officer_a.username, supervisors["a"].username} <= _told(case)
    assert supervisors["b"].username not in _told(case)


# --- once per case, deadline and state -----------------------------------------------------------------


def test_running_again_sends_nothing_new(personas, supervisors, late_a, soon_a):
    first = notify.notify_deadlines()
    assert first.notifications == 10
    events = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="core.notification").count()
    assert notify.notify_deadlines().notifications == 0
    assert notify.notify_deadlines(timezone.now() + timedelta(minutes=59)).notifications == 0
    assert Notification.objects.count() == 10
    # Nothing new, nothing audited.
    assert (
        AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="core.notification").count()
        == events
    )


def test_a_deadline_due_soon_is_announced_again_when_it_passes(personas, supervisors, soon_a):
    notify.notify_deadlines()
    safety = soon_a.deadlines.get(kind=DeadlineKind.SAFETY)
    result = notify.notify_deadlines(safety.due_at + timedelta(minutes=1))
    assert result.notifications == 5
    keys = set(
        Notification.objects.filter(recipient=personas.officer_a).values_list("kind", "key").order_by("key")
    )
    assert keys == {
        ("case_due_soon", f"cases.deadline:{safety.pk}:due_soon"),
        ("case_overdue", f"cases.deadline:{safety.pk}:overdue"),
    }


# --- wording -------------------------------------------------------------------------------------------


def test_worded_with_number_deadline_and_time_in_vietnam(personas, late_a):
    notify.notify_deadlines()
    n = Notification.objects.get(recipient=personas.officer_a)
    due = late_a.deadlines.get(kind=DeadlineKind.SAFETY).due_at.astimezone(VN_TZ)
    when = f"{due:%d/%m/%Y %H:%M}"
    assert when == "07/03/2026 04:30"  # received 06/03/2026 16:30 in Vietnam, plus 12 hours
    with translation.override("en"):
        assert text_of(n) == (
            f"Overdue: case {late_a.number} — Safety assessment and emergency measures (12 hours), due {when}"
        )
    with translation.override("vi"):
        text = text_of(n)
        assert late_a.number in text and when in text
        assert str(DeadlineKind.SAFETY.label) in text  # "Đánh giá an toàn …" from the catalogue


# --- e-mail --------------------------------------------------------------------------------------------


def test_email_goes_to_recipients_with_an_address_only_when_configured(
    personas, late_a, settings, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=personas.officer_a.pk).update(email="a@example.vn")
    settings.MANGNON_NOTIFY_BY_EMAIL = False
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_deadlines()
    assert mail.outbox == []

    Notification.objects.all().delete()
    settings.MANGNON_NOTIFY_BY_EMAIL = True
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_deadlines()
    assert [m.to for m in mail.outbox] == [["a@example.vn"]]
    assert late_a.number in mail.outbox[0].subject and f"/cases/{late_a.pk}/" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify_deadlines()
    assert len(mail.outbox) == 1  # a second run sends nothing again


# --- task and command ----------------------------------------------------------------------------------


def test_task_runs_the_notifications(personas, late_a):
    result = tasks.notify_deadlines.enqueue()  # the test settings run tasks at once
    assert result.return_value == {"cases": 1, "notifications": 4}  # caseworker, 3 province supervisors
    at = (timezone.now() - timedelta(days=400)).isoformat()
    assert tasks.notify_deadlines.enqueue(at).return_value == {"cases": 0, "notifications": 0}


def test_command_enqueues_or_runs_now(personas, late_a):
    out = StringIO()
    call_command("cases", "notify", "--now", stdout=out)
    assert "1 open cases" in out.getvalue() and "4 new notifications" in out.getvalue()
    out = StringIO()
    call_command("cases", "notify", stdout=out)
    assert "enqueued" in out.getvalue()
    assert Notification.objects.count() == 4


# --- what a recipient sees and may open ----------------------------------------------------------------


def test_the_page_lists_the_case_and_its_link_opens_while_in_scope(personas, client_for, units, late_a):
    notify.notify_deadlines()
    client = client_for(personas.officer_a)
    html = client.get("/notifications/").content.decode()
    assert (
        late_a.number in html and f'href="/cases/{late_a.pk}/"' in html and 'data-kind="case_overdue"' in html
    )
    assert 'data-notifications="1"' in html
    assert client.get(f"/cases/{late_a.pk}/").status_code == 200
    # The case moves to commune B: the notification stays, the case page no longer opens for A.
    Case.objects.filter(pk=late_a.pk).update(admin_unit=units.commune_b)
    assert late_a.number in client.get("/notifications/").content.decode()
    assert client.get(f"/cases/{late_a.pk}/").status_code == 404


def test_commune_b_sees_and_marks_nothing_of_commune_a(personas, client_for, late_a):
    notify.notify_deadlines()
    theirs = Notification.objects.get(recipient=personas.officer_a)
    client = client_for(personas.officer_b)
    html = client.get("/notifications/").content.decode()
    assert late_a.number not in html and "data-no-notifications" in html
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    html = client_for(personas.hotline).get("/notifications/").content.decode()
    assert late_a.number not in html


# --- queries -------------------------------------------------------------------------------------------


def _many(n: int, unit: AdminUnit, worker: User, due: datetime, opener: User) -> list[Case]:
    """`n` open cases of one child at `unit`, each with a safety deadline at `due` (rows written directly:
    the job reads them, the rules of opening are tested elsewhere)."""
    child = ChildFactory(admin_unit=unit)
    province = AdminUnit.objects.get(pk=int(unit.path.strip("/").split("/")[0]))
    start = Case.objects.count()
    cases = Case.objects.bulk_create(
        [
            Case(
                number=f"Q-{start + i:06d}",
                child=child,
                admin_unit=unit,
                province=province,
                received_at=due - timedelta(hours=12),
                caseworker=worker,
                next_due_at=due,
                opened_by=opener,
            )
            for i in range(n)
        ]
    )
    Deadline.objects.bulk_create([Deadline(case=c, kind=DeadlineKind.SAFETY, due_at=due) for c in cases])
    return cases


def _queries(django_assert_max_num_queries: Any, limit: int) -> int:
    """Queries of one run, less the inserts of notifications (the database takes a bounded number of
    rows per insert: those grow with the notifications made, as any write must)."""
    with django_assert_max_num_queries(limit) as captured:
        notify.notify_deadlines()
    inserts = 'INSERT INTO "core_notification"'
    return sum(1 for q in captured.captured_queries if not q["sql"].startswith(inserts))


def test_queries_do_not_grow_with_the_cases(personas, supervisors, units, django_assert_max_num_queries):
    late = timezone.now() - timedelta(hours=1)
    _many(3, units.commune_a, personas.officer_a, late, personas.officer_a)
    _many(3, units.commune_b, personas.officer_b, late, personas.officer_b)
    few = _queries(django_assert_max_num_queries, 25)
    Notification.objects.all().delete()
    _many(60, units.commune_a, personas.officer_a, late, personas.officer_a)
    _many(60, units.commune_b, personas.officer_b, late, personas.officer_b)
    many = _queries(django_assert_max_num_queries, 35)
    assert many == few
    assert Notification.objects.count() == 126 * 5  # caseworker, the commune's and 3 province supervisors


def test_cases_are_read_in_batches(personas, units, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(notify, "BATCH", 10)
    late = timezone.now() - timedelta(hours=1)
    _many(35, units.commune_a, personas.officer_a, late, personas.officer_a)
    with django_assert_max_num_queries(60) as captured:
        result = notify.notify_deadlines()
    assert result.cases == 35 and result.notifications == 35 * 4
    # Four batches and an empty read: a dozen queries a batch (cases, deadlines, the existing keys, the
    # insert, the audit event, savepoints and locks) after the scopes, never one per case and person.
    assert len(captured) <= 12 + 4 * 12 + 1
