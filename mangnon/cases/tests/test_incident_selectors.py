"""Incident selectors: one incident (404 outside CASE_VIEW scope, 403 for an action not allowed), the
register (scoped, filtered, no N+1) and the counts, reproduced exactly on a small hand-made set."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from mangnon.accounts.access import forget_cached_scope
from mangnon.accounts.roles import Action
from mangnon.cases import incident_selectors as selectors
from mangnon.cases.codes import LegalStepKind as K
from mangnon.cases.tests.factories_incidents import (
    IncidentChildFactory,
    IncidentFactory,
    LegalStepFactory,
    PerpetratorFactory,
)
from mangnon.registry.tests.factories import ChildFactory, PersonFactory

pytestmark = pytest.mark.django_db

YEAR = (date(2025, 1, 1), date(2025, 12, 31))


@pytest.fixture
def sample(units):
    """Incidents of 2025 in commune A's geography, made by hand so every count is known:

    I1 commune A, 10/3, sexual + physical, family: girl c1 and boy c2; the father p1 (criminal case
       20/3, accused 1/4, tried 1/8, sentenced 15/8) and an uncle p2 (administrative sanction 1/5).
    I2 commune A, 5/5, physical, school: boy c3; a teacher p3 (F), administrative sanction 20/5.
    I3 legacy_a (pre-reform, inside A), 1/2, emotional, community: c1 again; a stranger linked to the
       registered person X, administrative sanction 15/2.
    I4 commune A, 1/6, online, online: girl c4; X again (linked); criminal case 10/6, X accused on
       10/1/2026 (after the year: not an accused person of 2025).
    Outside: I5 in commune B (2025), I6 in commune A on 31/12/2024.
    """
    a, old = units.commune_a, units.legacy_a
    c1 = ChildFactory(admin_unit=a, person__sex="F")
    c2 = ChildFactory(admin_unit=a, person__sex="M")
    c3 = ChildFactory(admin_unit=a, person__sex="M")
    c4 = ChildFactory(admin_unit=a, person__sex="F")
    x = PersonFactory(admin_unit=a, full_name="Lê Văn Xuân")

    i1 = IncidentFactory(
        admin_unit=a, occurred_on=date(2025, 3, 10), forms=["physical", "sexual"], setting="family"
    )
    i2 = IncidentFactory(admin_unit=a, occurred_on=date(2025, 5, 5), forms=["physical"], setting="school")
    i3 = IncidentFactory(
        admin_unit=old, occurred_on=date(2025, 2, 1), forms=["emotional"], setting="community"
    )
    i4 = IncidentFactory(admin_unit=a, occurred_on=date(2025, 6, 1), forms=["online"], setting="online")
    i5 = IncidentFactory(admin_unit=units.commune_b, occurred_on=date(2025, 4, 1))
    i6 = IncidentFactory(admin_unit=a, occurred_on=date(2024, 12, 31))
    for incident, child in ((i1, c1), (i1, c2), (i2, c3), (i3, c1), (i4, c4), (i6, c2)):
        IncidentChildFactory(incident=incident, child=child)
    IncidentChildFactory(incident=i5)

    p1 = PerpetratorFactory(incident=i1, relationship="parent", sex="M", age=40)
    p2 = PerpetratorFactory(incident=i1, relationship="relative", sex="M", age=20)
    p3 = PerpetratorFactory(incident=i2, relationship="teacher", sex="F", age=35)
    p4 = PerpetratorFactory(incident=i3, relationship="stranger", sex="M", person=x)
    p5 = PerpetratorFactory(incident=i4, relationship="stranger", sex="M", person=x)
    PerpetratorFactory(incident=i5)
    PerpetratorFactory(incident=i6)

    LegalStepFactory(incident=i1, kind=K.REPORTED, on=date(2025, 3, 11))
    LegalStepFactory(incident=i1, kind=K.CRIMINAL_CASE, on=date(2025, 3, 20))
    LegalStepFactory(incident=i1, perpetrator=p1, kind=K.ACCUSED, on=date(2025, 4, 1))
    LegalStepFactory(incident=i1, perpetrator=p1, kind=K.TRIED, on=date(2025, 8, 1))
    LegalStepFactory(incident=i1, perpetrator=p1, kind=K.SENTENCED, on=date(2025, 8, 15))
    LegalStepFactory(incident=i1, perpetrator=p2, kind=K.ADMINISTRATIVE, on=date(2025, 5, 1))
    LegalStepFactory(incident=i2, perpetrator=p3, kind=K.ADMINISTRATIVE, on=date(2025, 5, 20))
    LegalStepFactory(incident=i3, perpetrator=p4, kind=K.ADMINISTRATIVE, on=date(2025, 2, 15))
    LegalStepFactory(incident=i4, kind=K.CRIMINAL_CASE, on=date(2025, 6, 10))
    LegalStepFactory(incident=i4, perpetrator=p5, kind=K.ACCUSED, on=date(2026, 1, 10))
    LegalStepFactory(incident=i5, kind=K.CRIMINAL_CASE, on=date(2025, 4, 2))
    return {"i1": i1, "i2": i2, "i3": i3, "i4": i4, "i5": i5, "i6": i6, "x": x}


def test_counts_reproduce_the_hand_made_set(sample, units, personas):
    counts = selectors.incident_counts(
        viewer=personas.officer_a, unit=units.commune_a, start=YEAR[0], end=YEAR[1]
    )
    assert counts.incidents == 4  # I1-I4: I3 at a pre-reform commune that went into A
    assert counts.children == 4  # c1 counted once though abused twice
    assert counts.perpetrators == 4  # p1, p2, p3 and X (named in two incidents)
    assert counts.prosecuted_incidents == 2  # I1, I4
    assert counts.accused_persons == 1  # the father; X only in 2026
    assert counts.administrative_incidents == 3  # I1 (the uncle), I2, I3
    assert counts.administrative_persons == 3  # the uncle, the teacher, X
    assert counts.incidents_by_form == {
        "physical": 2, "sexual": 1, "emotional": 1, "neglect": 0, "exploitation": 0, "trafficking": 0,
        "online": 1, "other": 0,
    }  # fmt: skip
    assert counts.incidents_by_setting == {
        "family": 1,
        "school": 1,
        "community": 1,
        "online": 1,
        "facility": 0,
    }
    assert counts.children_by_sex == {"M": 2, "F": 2, "unknown": 0}
    assert counts.children_by_form["physical"] == 3 and counts.children_by_form["sexual"] == 2
    assert counts.children_by_form["emotional"] == 1 and counts.children_by_form["online"] == 1


def test_legal_counts_are_as_known_at_the_end_of_the_period(sample, units, personas):
    later = selectors.incident_counts(
        viewer=personas.officer_a, unit=units.commune_a, start=YEAR[0], end=date(2026, 6, 30)
    )
    assert later.incidents == 4 and later.accused_persons == 2  # X's accusation of January 2026 now counts
    spring = selectors.incident_counts(
        viewer=personas.officer_a, unit=units.commune_a, start=YEAR[0], end=date(2025, 3, 31)
    )
    assert spring.incidents == 2 and spring.prosecuted_incidents == 1 and spring.accused_persons == 0
    assert spring.administrative_incidents == 1  # I3 only: I1's sanction came in May


def test_counts_for_the_province_and_for_a_pre_reform_unit(sample, units, personas):
    province = selectors.incident_counts(
        viewer=personas.province_officer, unit=units.province, start=YEAR[0], end=YEAR[1]
    )
    assert province.incidents == 5 and province.prosecuted_incidents == 3 and province.perpetrators == 5
    old = selectors.incident_counts(
        viewer=personas.officer_a, unit=units.legacy_a, start=YEAR[0], end=date(2025, 6, 30)
    )
    assert old.incidents == 1 and old.children == 1 and old.administrative_persons == 1


def test_perpetrator_breakdowns_count_persons(sample, units, personas):
    rows = selectors.perpetrators_of(
        selectors.counted_incidents(viewer=personas.viewer, unit=units.commune_a, start=YEAR[0], end=YEAR[1])
    )
    assert selectors.count_persons(rows) == 4
    assert selectors.perpetrators_by_sex(rows) == {"M": 3, "F": 1, "unknown": 0}
    by_relationship = selectors.perpetrators_by_relationship(rows)
    assert by_relationship["parent"] == by_relationship["relative"] == by_relationship["teacher"] == 1
    assert by_relationship["stranger"] == 1 and sum(by_relationship.values()) == 4


def test_counts_scope(sample, units, personas):
    with pytest.raises(Http404):
        selectors.incident_counts(viewer=personas.officer_b, unit=units.commune_a, start=YEAR[0], end=YEAR[1])
    for who in ("hotline", "collaborator_a", "system_admin"):
        with pytest.raises(PermissionDenied):
            selectors.incident_counts(
                viewer=getattr(personas, who), unit=units.commune_a, start=YEAR[0], end=YEAR[1]
            )
    # Leadership counts without reading any incident.
    counts = selectors.incident_counts(
        viewer=personas.viewer, unit=units.province, start=YEAR[0], end=YEAR[1]
    )
    assert counts.incidents == 5


# --- one incident and the register ---------------------------------------------------------------------


def test_get_incident_for_user(sample, personas):
    i1 = sample["i1"]
    for who in ("officer_a", "chair_a", "province_officer", "case_manager", "province_manager"):
        assert selectors.get_incident_for_user(getattr(personas, who), i1.pk) == i1
    assert selectors.get_incident_for_user(personas.officer_a, sample["i3"].pk) == sample["i3"]  # pre-reform
    for who in ("officer_b", "hotline", "collaborator_a", "viewer", "system_admin"):
        with pytest.raises(Http404):
            selectors.get_incident_for_user(getattr(personas, who), i1.pk)
    with pytest.raises(PermissionDenied):
        selectors.get_incident_for_user(personas.chair_a, i1.pk, Action.INCIDENT_RECORD)
    with pytest.raises(Http404):
        selectors.get_incident_for_user(personas.officer_a, "abc")


def test_register_is_scoped_filtered_and_annotated(sample, units, personas):
    ids = [i.pk for i in selectors.incidents_for(personas.officer_a)]
    s = sample
    assert ids == [s["i4"].pk, s["i2"].pk, s["i1"].pk, s["i3"].pk, s["i6"].pk]  # newest first, no commune B
    f = selectors.IncidentFilter(start=YEAR[0], end=YEAR[1], form="physical")
    assert [i.pk for i in selectors.incidents_for(personas.officer_a, f)] == [s["i2"].pk, s["i1"].pk]
    f = selectors.IncidentFilter(setting="community", unit=units.legacy_a)
    assert [i.pk for i in selectors.incidents_for(personas.officer_a, f)] == [s["i3"].pk]
    assert not selectors.incidents_for(personas.officer_a, selectors.IncidentFilter(form="nonsense")).exists()
    row = selectors.incidents_for(personas.officer_a).get(pk=s["i1"].pk)
    assert (row.victim_count, row.perpetrator_count, row.prosecuted, row.sanctioned) == (2, 2, True, True)
    assert row.latest_step == K.SENTENCED
    assert not selectors.incidents_for(personas.hotline).exists()


def test_register_has_no_n_plus_one(sample, personas):
    def run() -> int:
        forget_cached_scope(personas.officer_a)
        with CaptureQueriesContext(connection) as queries:
            rows = list(selectors.incidents_for(personas.officer_a))
            assert all(r.admin_unit.name and r.victim_count >= 0 for r in rows)
        return len(queries)

    before = run()
    for _ in range(5):
        IncidentChildFactory(incident=IncidentFactory())
    assert run() == before


def test_details_are_audited_with_the_children_shown(sample, personas):
    from mangnon.core.models import AuditAction, AuditEvent

    details = selectors.incident_details(viewer=personas.officer_a, incident=sample["i1"])
    assert len(details.victims) == 2 and len(details.perpetrators) == 2 and len(details.legal_steps) == 6
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="cases.incident")
    assert sorted(event.changes["victims"]) == sorted(v.child_id for v in details.victims)
