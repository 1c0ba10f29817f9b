"""The incident figures of the metrics registry: the same numbers as the counts, their breakdowns, scope."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from mangnon.cases import incident_selectors as selectors
from mangnon.cases.codes import AbuseForm, PerpetratorRelationship, Setting
from mangnon.cases.codes import LegalStepKind as K
from mangnon.cases.tests.factories_incidents import (
    IncidentChildFactory,
    IncidentFactory,
    LegalStepFactory,
    PerpetratorFactory,
)
from mangnon.core import metrics
from mangnon.core.metrics import Period

pytestmark = pytest.mark.django_db

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))
CODES = {
    "cases.incidents": ("form", "setting"),
    "cases.abused_children": ("sex", "age_group", "form", "setting"),
    "cases.perpetrators": ("sex", "relationship"),
    "cases.prosecuted_incidents": (),
    "cases.accused_persons": (),
    "cases.administrative_incidents": (),
    "cases.administrative_persons": (),
}


@pytest.fixture
def sample(units):
    """One incident with two children and two perpetrators (one accused, one sanctioned), one more with
    one child, both in commune A in 2025; one in commune B."""
    first = IncidentFactory(
        admin_unit=units.commune_a, occurred_on=date(2025, 3, 1), forms=["sexual", "physical"]
    )
    second = IncidentFactory(admin_unit=units.commune_a, occurred_on=date(2025, 9, 1), setting="school")
    IncidentChildFactory(incident=first, child__person__sex="F")
    IncidentChildFactory(incident=first, child__person__sex="M")
    IncidentChildFactory(incident=second, child__person__sex="F")
    father = PerpetratorFactory(incident=first, relationship="parent", sex="M")
    mother = PerpetratorFactory(incident=first, relationship="parent", sex="F")
    PerpetratorFactory(incident=second, relationship="teacher", sex="")
    LegalStepFactory(incident=first, kind=K.CRIMINAL_CASE, on=date(2025, 3, 5))
    LegalStepFactory(incident=first, perpetrator=father, kind=K.ACCUSED, on=date(2025, 3, 10))
    LegalStepFactory(incident=first, perpetrator=mother, kind=K.ADMINISTRATIVE, on=date(2025, 4, 1))
    IncidentChildFactory(incident=IncidentFactory(admin_unit=units.commune_b, occurred_on=date(2025, 5, 1)))


def _figure(code, viewer, unit, by=()):
    return metrics.get(code).compute(unit=unit, period=YEAR, viewer=viewer, by=by)


def test_elements_are_declared_with_their_disaggregations():
    for code, dims in CODES.items():
        element = metrics.get(code)
        assert element.owner == "cases" and element.disaggregations == dims


def test_figures_equal_the_counts(sample, units, personas):
    counts = selectors.incident_counts(
        viewer=personas.viewer, unit=units.commune_a, start=YEAR.start, end=YEAR.end
    )
    totals = {code: _figure(code, personas.viewer, units.commune_a).total for code in CODES}
    assert totals == {
        "cases.incidents": counts.incidents,
        "cases.abused_children": counts.children,
        "cases.perpetrators": counts.perpetrators,
        "cases.prosecuted_incidents": counts.prosecuted_incidents,
        "cases.accused_persons": counts.accused_persons,
        "cases.administrative_incidents": counts.administrative_incidents,
        "cases.administrative_persons": counts.administrative_persons,
    }
    assert totals == {
        "cases.incidents": 2, "cases.abused_children": 3, "cases.perpetrators": 3,
        "cases.prosecuted_incidents": 1, "cases.accused_persons": 1, "cases.administrative_incidents": 1,
        "cases.administrative_persons": 1,
    }  # fmt: skip


def test_breakdowns(sample, units, personas):
    incidents = _figure("cases.incidents", personas.viewer, units.commune_a, by=["form", "setting"])
    assert list(incidents.by["form"]) == AbuseForm.values and list(incidents.by["setting"]) == Setting.values
    assert incidents.by["form"]["physical"] == 2 and incidents.by["form"]["sexual"] == 1
    assert incidents.by["setting"] == {"family": 1, "school": 1, "community": 0, "online": 0, "facility": 0}
    children = _figure("cases.abused_children", personas.viewer, units.commune_a, by=["sex", "form"])
    assert children.by["sex"] == {"M": 1, "F": 2, "unknown": 0}
    assert children.by["form"]["physical"] == 3 and children.by["form"]["sexual"] == 2
    people = _figure("cases.perpetrators", personas.viewer, units.commune_a, by=["sex", "relationship"])
    assert people.by["sex"] == {"M": 1, "F": 1, "unknown": 1}
    assert list(people.by["relationship"]) == PerpetratorRelationship.values
    assert people.by["relationship"]["parent"] == 2 and people.by["relationship"]["teacher"] == 1


def test_scope(sample, units, personas):
    assert _figure("cases.incidents", personas.province_manager, units.province).total == 3
    with pytest.raises(Http404):
        _figure("cases.incidents", personas.officer_b, units.commune_a)
    for who in ("hotline", "collaborator_a", "system_admin", "survey"):
        with pytest.raises(PermissionDenied):
            _figure("cases.abused_children", getattr(personas, who), units.commune_a)
