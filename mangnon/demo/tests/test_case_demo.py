"""The demo's intake and case work: Quảng Ninh 2020 as the province published it ("26 vụ, 30 trẻ em bị
xâm hại"), counted by the system's own figures; every state of the Decree 56 cycle, with cases overdue
and due soon whenever the demo is loaded; contacts of every kind; and a second load that changes nothing.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.test import override_settings
from django.utils import timezone

from mangnon.accounts.models import Membership, User
from mangnon.cases import deadlines, selectors
from mangnon.cases import demo_data as cases_demo
from mangnon.cases.codes import DeadlineKind
from mangnon.cases.incident_selectors import count_incidents, counted_incidents
from mangnon.cases.models import Case, CaseStep, Deadline, Incident, IncidentChild, LegalStep, Perpetrator
from mangnon.cases.workflow import TRANSITIONS, Status
from mangnon.core import metrics
from mangnon.core.audit import verify
from mangnon.core.metrics import Period
from mangnon.core.models import AuditEvent
from mangnon.geo.models import REFORM_DATE
from mangnon.intake import demo_data as intake_demo
from mangnon.intake.codes import Channel, ContactKind, NonDataType, Outcome, Urgency
from mangnon.intake.models import Contact, ContactChild
from mangnon.registry.models import Child

YEAR_2020 = Period(date(2020, 1, 1), date(2020, 12, 31))


def _load() -> str:
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("demo", "load", stdout=out)
    return out.getvalue()


def _figure(code: str, viewer: User, unit: Any, period: Period = YEAR_2020) -> metrics.Figure:
    element = metrics.get(code)
    return element.compute(unit=unit, period=period, viewer=viewer, by=element.disaggregations)


def _counts() -> dict[str, int]:
    models = (User, Membership, Child, Contact, ContactChild, Case, CaseStep, Deadline, Incident,
              IncidentChild, Perpetrator, LegalStep, AuditEvent)  # fmt: skip
    return {m.__name__: m.objects.count() for m in models}


def test_the_2020_table_adds_up_to_the_published_figures() -> None:
    table = cases_demo.INCIDENTS_2020
    assert len(table) == 26
    assert sum(len(i.victims) for i in table) == 30
    assert all(i.day.year == 2020 for i in table)
    assert len({i.no for i in table}) == 26


def test_the_clock_sets_the_services_time_and_never_the_future() -> None:
    moment = datetime(2020, 3, 9, 8, 30, tzinfo=timezone.get_current_timezone())
    with intake_demo.clock(moment):
        assert timezone.now() == moment and timezone.localdate() == date(2020, 3, 9)
    assert timezone.now() > moment
    with pytest.raises(ValueError), intake_demo.clock(timezone.now() + timedelta(hours=1)):
        pass


@pytest.mark.django_db
def test_the_demo_case_work(units: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MANGNON_DEMO_PASSWORD", "demo-pass-phrase-1")
    said = _load()
    assert "26 incidents of 2020 with 30 cases" in said
    province, officer_a = units.province, User.objects.get(username="demo-commune-a")
    viewer = User.objects.get(username="demo-province")

    # Quảng Ninh 2020 (seed 003), from the system's own figures: 26 incidents, 30 abused children.
    incidents = _figure("cases.incidents", viewer, province)
    children = _figure("cases.abused_children", viewer, province)
    perpetrators = _figure("cases.perpetrators", viewer, province)
    assert incidents.total == 26 and children.total == 30 and perpetrators.total == 28
    forms = {k: v for k, v in incidents.by["form"].items() if v}
    assert forms == {"sexual": 17, "physical": 7, "emotional": 2, "neglect": 1, "exploitation": 1}
    settings = {k: v for k, v in incidents.by["setting"].items() if v}
    assert settings == {"family": 10, "community": 11, "school": 2, "online": 3}
    assert children.by["sex"] == {"M": 7, "F": 23, "unknown": 0}
    assert perpetrators.by["sex"] == {"M": 27, "F": 1, "unknown": 0}
    relationships = {k: v for k, v in perpetrators.by["relationship"].items() if v}
    assert relationships == {
        "acquaintance": 11, "relative": 4, "step_parent": 3, "parent": 3, "stranger": 4, "peer": 2,
        "teacher": 1,
    }  # fmt: skip
    legal_codes = (
        "prosecuted_incidents",
        "accused_persons",
        "administrative_incidents",
        "administrative_persons",
    )
    legal = {code: _figure(f"cases.{code}", viewer, province).total for code in legal_codes}
    assert legal == {
        "prosecuted_incidents": 16, "accused_persons": 17, "administrative_incidents": 6,
        "administrative_persons": 7,
    }  # fmt: skip
    # "2 incidents fewer than 2019"
    year_2019 = Period(date(2019, 1, 1), date(2019, 12, 31))
    assert _figure("cases.incidents", viewer, province, year_2019).total == 28 == incidents.total + 2
    # The cohort as known today: the incident of 12/12/2020 was prosecuted in January 2021.
    cohort = counted_incidents(viewer=viewer, unit=province, start=YEAR_2020.start, end=YEAR_2020.end)
    today = count_incidents(cohort, timezone.localdate())
    assert (today.prosecuted_incidents, today.accused_persons) == (17, 18)
    # every abused child of 2020 has a case of 2020, at a pre-reform commune
    victims = IncidentChild.objects.filter(incident__in=cohort)
    assert not victims.filter(case__isnull=True).exists()
    cases_2020 = Case.objects.filter(received_at__year=2020)
    assert cases_2020.count() == 30
    assert all(c.admin_unit.valid_to is not None for c in cases_2020.select_related("admin_unit"))

    # Every state of the cycle, and every step of the transition table.
    assert set(Case.objects.values_list("status", flat=True)) == set(Status.values)
    names = set(CaseStep.objects.values_list("name", flat=True))
    assert names == {"open", *(t.name for t in TRANSITIONS)}

    # Overdue and due soon at "now", on the commune officer's and the province's pages.
    assert selectors.cases_for(officer_a, overdue=True).exists()
    assert selectors.cases_for(officer_a, due_soon=True).exists()
    summary = selectors.supervisor_summary(viewer, province)
    assert summary.overdue >= 5 and summary.due_soon >= 1 and len(summary.by_commune) >= 6
    caseload = selectors.caseload(officer_a)
    assert caseload.mine.count() >= 10 and caseload.unassigned.exists()
    assert selectors.caseload(User.objects.get(username="demo-chair-a")).to_approve.exists()
    current = Case.objects.exclude(received_at__year=2020)
    assert current.count() >= 30
    assert not current.filter(received_at__lt=datetime(2025, 7, 1, tzinfo=timezone.get_current_timezone()))
    assert current.filter(received_at__year=2025).exists() and current.filter(received_at__year=2026).exists()
    assert not current.filter(admin_unit__valid_from__lt=REFORM_DATE).exists()
    assert Case.objects.filter(caseworker__username="demo-casemanager").exists()

    # The deadlines are the services' own, from the time of receipt; nothing happened in the future.
    now = timezone.now()
    for case in Case.objects.prefetch_related("deadlines", "steps"):
        by_kind = {d.kind: d for d in sorted(case.deadlines.all(), key=lambda d: d.pk)}
        assert by_kind[DeadlineKind.SAFETY].due_at == deadlines.safety_due(case.received_at)
        first_plan = min((d for d in case.deadlines.all() if d.kind == DeadlineKind.PLAN), key=lambda d: d.pk)
        assert first_plan.due_at == deadlines.plan_due(case.received_at)
        moments = [s.at for s in sorted(case.steps.all(), key=lambda s: (s.at, s.pk))]
        assert moments == sorted(moments) and moments[-1] <= now
        assert all(m >= case.received_at for m in moments)
    assert Deadline.objects.filter(met_at__gt=F("due_at")).exists()  # some were met late, as in life
    assert not Contact.objects.filter(received_at__gt=now).exists()

    # Contacts of every kind, channel, line, non-data type and outcome, in both periods.
    for period in (YEAR_2020, Period(REFORM_DATE, timezone.localdate())):
        contacts = _figure("intake.contacts", viewer, province, period)
        assert all(contacts.by["channel"][c] for c in Channel.values), contacts.by["channel"]
        assert all(contacts.by["kind"][k] for k in ContactKind.values)
        assert contacts.by["line"]["111"] and contacts.by["line"]["18001769"]
        non_data = _figure("intake.non_data_contacts", viewer, province, period)
        assert all(non_data.by["type"][t] for t in NonDataType.values), non_data.by
    assert set(Contact.objects.values_list("outcome", flat=True)) == {"", *Outcome.values}
    assert Contact.objects.filter(caller_anonymous=True).exists()
    repeat = Contact.objects.exclude(caller_phone="").values("caller_phone").annotate(n=Count("pk"))
    assert repeat.filter(n__gte=3).exists()
    assert ContactChild.objects.filter(child__isnull=False).exists()
    assert ContactChild.objects.filter(child__isnull=True).exists()
    assert Contact.objects.filter(urgency=Urgency.EMERGENCY).exclude(outcome=Outcome.CASE_OPENED).exists()
    takers = Counter(Contact.objects.values_list("counsellor__username", flat=True))
    assert takers["demo-hotline"] and takers["demo-2020-hotline-1"] and takers["demo-commune-a"]
    # the staff of 2020 are no logins and no longer hold their posts
    staff_2020 = User.objects.filter(username__startswith="demo-2020-")
    assert staff_2020.exists() and not any(u.has_usable_password() for u in staff_2020)
    assert not Membership.objects.active().filter(user__in=staff_2020).exists()
    assert verify().ok

    # A second load changes nothing (not even the audit trail).
    before = _counts()
    assert "0 incidents of 2020 with 0 cases, 0 current cases, 0 incidents of 2019 created" in _load()
    assert _counts() == before
