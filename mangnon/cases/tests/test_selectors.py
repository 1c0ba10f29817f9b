"""Case reads: scoped first, filtered, soonest deadline first, in a fixed number of queries; the caseload
and the supervisor's figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from mangnon.accounts.roles import Role
from mangnon.accounts.tests.factories import MembershipFactory, UserFactory
from mangnon.cases import selectors
from mangnon.cases.tests.factories import CaseFactory
from mangnon.cases.workflow import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(personas, units):
    now = timezone.now()
    return {
        "late_a": CaseFactory(next_due_at=now - timedelta(hours=3), caseworker=personas.officer_a),
        "soon_a": CaseFactory(status=Status.ASSESSED, next_due_at=now + timedelta(hours=5)),
        "later_a": CaseFactory(status=Status.PLAN_DRAFTED, next_due_at=now + timedelta(days=6)),
        "closed_a": CaseFactory(status=Status.CLOSED, closed_at=now),
        "late_b": CaseFactory(admin_unit=units.commune_b, next_due_at=now - timedelta(days=1)),
    }


def _pks(qs):
    return [c.pk for c in qs]


def test_cases_for_is_scoped_and_soonest_first(personas, cases):
    a = [cases[k].pk for k in ("late_a", "soon_a", "later_a", "closed_a")]
    assert _pks(selectors.cases_for(personas.officer_a)) == a
    assert _pks(selectors.cases_for(personas.chair_a)) == a
    assert _pks(selectors.cases_for(personas.officer_b)) == [cases["late_b"].pk]
    assert len(_pks(selectors.cases_for(personas.province_officer))) == 5
    for outsider in (personas.hotline, personas.viewer, personas.collaborator_a, personas.system_admin):
        assert _pks(selectors.cases_for(outsider)) == []


def test_cases_for_filters(personas, units, cases):
    viewer = personas.province_officer
    assert _pks(selectors.cases_for(viewer, status="open", unit=units.commune_a)) == [
        cases["late_a"].pk,
        cases["soon_a"].pk,
        cases["later_a"].pk,
    ]
    assert _pks(selectors.cases_for(viewer, status=Status.CLOSED)) == [cases["closed_a"].pk]
    assert set(_pks(selectors.cases_for(viewer, overdue=True))) == {cases["late_a"].pk, cases["late_b"].pk}
    assert cases["late_a"].pk not in _pks(selectors.cases_for(viewer, overdue=False))
    assert _pks(selectors.cases_for(viewer, due_soon=True)) == [cases["soon_a"].pk]
    assert _pks(selectors.cases_for(viewer, caseworker=personas.officer_a)) == [cases["late_a"].pk]
    assert _pks(selectors.cases_for(viewer, unit=units.commune_b)) == [cases["late_b"].pk]


def test_lists_take_a_fixed_number_of_queries(personas, units, django_assert_num_queries):
    for _ in range(12):
        CaseFactory(caseworker=personas.officer_a, next_due_at=timezone.now())
    viewer = personas.officer_a
    selectors.cases_for(viewer).count()  # memberships and scope are read once per request and cached
    with django_assert_num_queries(1):
        rows = [
            (c.child.person.full_name, c.admin_unit.name, str(c.caseworker))
            for c in selectors.cases_for(viewer)
        ]
    assert len(rows) == 12


def test_caseload(personas, units, cases):
    load = selectors.caseload(personas.officer_a)
    assert _pks(load.mine) == [cases["late_a"].pk]
    assert _pks(load.unassigned) == [cases["soon_a"].pk, cases["later_a"].pk]
    assert _pks(load.to_approve) == []
    chair = selectors.caseload(personas.chair_a)
    assert _pks(chair.to_approve) == [cases["later_a"].pk] and _pks(chair.unassigned) == []
    assert _pks(selectors.caseload(personas.officer_b).unassigned) == [cases["late_b"].pk]


def test_supervisor_summary(personas, units, cases):
    summary = selectors.supervisor_summary(personas.province_manager, units.province)
    assert summary.open == 4 and summary.overdue == 2 and summary.due_soon == 1
    assert summary.by_status["received"] == 2 and summary.by_status["closed"] == 1
    assert summary.by_status["in_service"] == 0
    rows = {r.code: (r.open, r.overdue, r.due_soon) for r in summary.by_commune}
    assert rows == {units.commune_a.code: (3, 1, 1), units.commune_b.code: (1, 1, 0)}
    # Leadership counts without reading cases; a commune counts its own.
    assert selectors.supervisor_summary(personas.viewer, units.province).open == 4
    own = selectors.supervisor_summary(personas.officer_a, units.commune_a)
    assert own.open == 3 and [r.code for r in own.by_commune] == [units.commune_a.code]


def test_supervisor_summary_outside_the_scope_is_404(personas, units, cases):
    with pytest.raises(Http404):
        selectors.supervisor_summary(personas.officer_a, units.province)
    with pytest.raises(Http404):
        selectors.supervisor_summary(personas.officer_b, units.commune_a)
    with pytest.raises(Http404):
        selectors.supervisor_summary(personas.hotline, units.province)


def test_summary_units_and_caseworkers(personas, units, cases):
    assert selectors.summary_units(personas.officer_a) == [units.commune_a]
    assert selectors.summary_units(personas.hotline) == []
    colleague = UserFactory()
    MembershipFactory(user=colleague, role=Role.COMMUNE_OFFICER, admin_unit=units.commune_a)
    workers = set(selectors.caseworkers_for(cases["late_a"]))
    assert {personas.officer_a, colleague, personas.province_officer, personas.case_manager} == workers
