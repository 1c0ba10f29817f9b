"""Incident services: recording with victims and perpetrators (checked, scoped, audited with the
narratives masked), editing with a version, adding victims and perpetrators, linking victims to their
cases, and the order of the legal track."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mangnon.accounts.tests.factories import UserFactory
from mangnon.cases import incident_services as services
from mangnon.cases.codes import LegalStepKind
from mangnon.cases.models import Case, Incident, IncidentChild, LegalStep, Perpetrator
from mangnon.cases.tests.factories_incidents import IncidentFactory, PerpetratorFactory
from mangnon.cases.workflow import Status
from mangnon.core.audit import MASK
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.registry.services import Conflict, province_of
from mangnon.registry.tests.factories import ChildFactory, PersonFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)


@pytest.fixture
def child_a(units):
    return ChildFactory(admin_unit=units.commune_a, person__full_name="Nguyễn Thị Lan", person__sex="F")


@pytest.fixture
def child_b(units):
    return ChildFactory(admin_unit=units.commune_b)


def _record(actor, unit, victims, **kwargs):
    fields = {
        "occurred_on": DAY,
        "admin_unit": unit,
        "forms": ["physical"],
        "setting": "family",
        "place_text": "Tổ 3",
        "description": "Bị đánh",
        "victims": victims,
        "perpetrators": [{"relationship": "parent", "sex": "M", "age": 40}],
    }
    return services.incident_record(actor=actor, **{**fields, **kwargs})


def _case(child, status=Status.IN_SERVICE, received=datetime(2026, 3, 11, 8, tzinfo=UTC), number="C-1"):
    return Case.objects.create(
        number=number, child=child, admin_unit=child.admin_unit, province=province_of(child.admin_unit),
        status=status, received_at=received, opened_by=UserFactory(),
    )  # fmt: skip


# --- record ------------------------------------------------------------------------------------------


def test_record_creates_the_incident_victims_and_perpetrators(personas, units, child_a):
    other = ChildFactory(admin_unit=units.commune_a)
    recorded = _record(
        personas.officer_a,
        units.commune_a,
        [child_a.pk, other.pk, child_a.pk],
        forms=["sexual", "physical", "sexual"],
        perpetrators=[
            {"relationship": "parent", "sex": "M", "age": 40},
            {"relationship": "relative", "sex": "", "age": None},
        ],
    )
    incident = recorded.incident
    assert recorded.created
    assert incident.forms == ["physical", "sexual"]  # codes in one order, once each
    assert incident.province == units.province and incident.recorded_by == personas.officer_a
    assert set(incident.victims.values_list("child_id", flat=True)) == {child_a.pk, other.pk}
    assert list(incident.perpetrators.order_by("pk").values_list("relationship", "age")) == [
        ("parent", 40),
        ("relative", None),
    ]


def test_record_is_audited_with_the_narratives_and_sexual_abuse_masked(personas, units, child_a):
    incident = _record(personas.officer_a, units.commune_a, [child_a.pk], forms=["sexual"]).incident
    event = AuditEvent.objects.get(
        action=AuditAction.CREATE, object_type="cases.incident", object_id=str(incident.pk)
    )
    assert event.unit_id == units.commune_a.pk
    assert event.changes["place_text"] == event.changes["description"] == event.changes["forms"] == MASK
    assert event.changes["victims"] == [child_a.pk]
    assert event.changes["perpetrators"][0]["relationship"] == "parent"
    plain = _record(personas.officer_a, units.commune_a, [child_a.pk], forms=["neglect"]).incident
    event = AuditEvent.objects.get(
        action=AuditAction.CREATE, object_type="cases.incident", object_id=str(plain.pk)
    )
    assert event.changes["forms"] == ["neglect"] and event.changes["description"] == MASK


def test_record_refuses_bad_input_with_every_problem_and_writes_nothing(personas, units, child_a):
    with pytest.raises(ValidationError) as exc:
        future = date(2099, 1, 1)
        _record(
            personas.officer_a,
            units.commune_a,
            [child_a.pk],
            occurred_on=future,
            forms=["x"],
            setting="street",
        )
    errors = exc.value.message_dict
    assert set(errors) == {"occurred_on", "forms", "setting"}
    with pytest.raises(ValidationError) as exc:
        _record(personas.officer_a, units.commune_a, [child_a.pk], forms=[])
    assert "forms" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _record(personas.officer_a, units.commune_a, [])
    assert "victims" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _record(
            personas.officer_a, units.commune_a, [child_a.pk], perpetrators=[{"relationship": "x", "age": 0}]
        )
    assert len(exc.value.message_dict["perpetrators"]) == 2
    assert exc.value.message_dict["perpetrators"][0].startswith("Đối tượng 1")
    assert not Incident.objects.exists() and not Perpetrator.objects.exists()


def test_record_needs_a_commune_valid_on_the_day(personas, units, child_a):
    with pytest.raises(ValidationError) as exc:
        _record(personas.officer_a, units.province, [child_a.pk])
    assert "admin_unit" in exc.value.message_dict
    # A pre-reform commune: only for a day before the reform.
    with pytest.raises(ValidationError):
        _record(personas.officer_a, units.legacy_a, [child_a.pk])
    old = _record(personas.officer_a, units.legacy_a, [child_a.pk], occurred_on=date(2020, 5, 1)).incident
    assert old.admin_unit == units.legacy_a


def test_record_victims_must_be_children_the_actor_may_see(personas, units, child_a, child_b):
    with pytest.raises(ValidationError) as exc:
        _record(personas.officer_a, units.commune_a, [child_a.pk, child_b.pk])
    assert str(child_b.pk) in exc.value.message_dict["victims"][0]
    with pytest.raises(ValidationError):
        _record(personas.officer_a, units.commune_a, [999_999])
    assert not Incident.objects.exists()


def test_record_a_perpetrator_linked_to_a_person_in_scope(personas, units, child_a):
    person = PersonFactory(admin_unit=units.commune_a, full_name="Trần Văn Hùng")
    elsewhere = PersonFactory(admin_unit=units.commune_b)
    incident = _record(
        personas.officer_a,
        units.commune_a,
        [child_a.pk],
        perpetrators=[{"relationship": "parent", "person": person.pk}],
    ).incident
    assert incident.perpetrators.get().person == person
    with pytest.raises(ValidationError):
        _record(
            personas.officer_a, units.commune_a, [child_a.pk],
            perpetrators=[{"relationship": "parent", "person": elsewhere.pk}],
        )  # fmt: skip


@pytest.mark.parametrize("who", ["officer_b", "chair_a", "hotline", "collaborator_a", "viewer"])
def test_record_forbidden_outside_incident_record_scope(personas, units, child_a, who):
    with pytest.raises(PermissionDenied):
        _record(getattr(personas, who), units.commune_a, [child_a.pk])


def test_record_province_officer_anywhere_in_the_province(personas, units, child_b):
    incident = _record(personas.province_officer, units.commune_b, [child_b.pk]).incident
    assert incident.admin_unit == units.commune_b


def test_record_with_an_idempotency_key_once(personas, units, child_a):
    first = _record(personas.officer_a, units.commune_a, [child_a.pk], idempotency_key="k1", request_hash="h")
    again = _record(personas.officer_a, units.commune_a, [child_a.pk], idempotency_key="k1", request_hash="h")
    assert first.created and not again.created and first.incident.pk == again.incident.pk
    assert Incident.objects.count() == 1


def test_record_links_each_victim_to_their_case(personas, units, child_a):
    open_case = _case(child_a, number="C-open")
    other = ChildFactory(admin_unit=units.commune_a)
    closed_after = _case(other, status=Status.CLOSED, number="C-closed")
    third = ChildFactory(admin_unit=units.commune_a)
    _case(third, status=Status.CLOSED, received=datetime(2025, 1, 1, tzinfo=UTC), number="C-old")
    incident = _record(personas.officer_a, units.commune_a, [child_a.pk, other.pk, third.pk]).incident
    links = dict(incident.victims.values_list("child_id", "case_id"))
    assert links == {child_a.pk: open_case.pk, other.pk: closed_after.pk, third.pk: None}


# --- update, add victim and perpetrator --------------------------------------------------------------


def test_update_with_the_version_read(personas, units, child_a):
    incident = _record(personas.officer_a, units.commune_a, [child_a.pk]).incident
    updated = services.incident_update(
        actor=personas.officer_a,
        incident=incident,
        version=1,
        changes={"setting": "school", "forms": ["emotional"]},
    )
    assert updated.version == 2 and updated.setting == "school" and updated.forms == ["emotional"]
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(incident.pk)).last()
    assert event.changes["setting"] == ["family", "school"]
    with pytest.raises(Conflict) as exc:
        services.incident_update(
            actor=personas.officer_a, incident=incident, version=1, changes={"setting": "online"}
        )
    assert exc.value.current_version == 2
    assert Incident.objects.get(pk=incident.pk).setting == "school"


def test_update_refuses_unknown_fields_a_commune_outside_scope_and_a_date_after_a_step(
    personas, units, child_a
):
    incident = _record(personas.officer_a, units.commune_a, [child_a.pk]).incident
    with pytest.raises(ValidationError):
        services.incident_update(
            actor=personas.officer_a, incident=incident, version=1, changes={"province": 1}
        )
    with pytest.raises(PermissionDenied):
        services.incident_update(
            actor=personas.officer_a, incident=incident, version=1, changes={"admin_unit": units.commune_b}
        )
    services.legal_step_add(
        actor=personas.officer_a, incident=incident, kind="reported", on=date(2026, 3, 12)
    )
    with pytest.raises(ValidationError) as exc:
        services.incident_update(
            actor=personas.officer_a, incident=incident, version=1, changes={"occurred_on": date(2026, 3, 20)}
        )
    assert "occurred_on" in exc.value.message_dict


def test_add_victim_and_perpetrator(personas, units, child_a):
    incident = _record(personas.officer_a, units.commune_a, [child_a.pk]).incident
    other = ChildFactory(admin_unit=units.commune_a)
    case = _case(other)
    link = services.incident_add_victim(actor=personas.officer_a, incident=incident, child_id=other.pk)
    assert link.case == case
    with pytest.raises(ValidationError):
        services.incident_add_victim(actor=personas.officer_a, incident=incident, child_id=other.pk)
    with pytest.raises(ValidationError):
        services.incident_add_victim(
            actor=personas.officer_a, incident=incident, child_id=ChildFactory(admin_unit=units.commune_b).pk
        )
    row = services.incident_add_perpetrator(
        actor=personas.officer_a, incident=incident, relationship="teacher", sex="F", age=30
    )
    assert row.incident == incident and incident.perpetrators.count() == 2
    with pytest.raises(ValidationError):
        services.incident_add_perpetrator(actor=personas.officer_a, incident=incident, relationship="boss")
    with pytest.raises(PermissionDenied):
        services.incident_add_perpetrator(actor=personas.officer_b, incident=incident, relationship="parent")
    assert IncidentChild.objects.filter(incident=incident).count() == 2
    changes = [
        e.changes for e in AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(incident.pk))
    ]
    assert {"victim_added": other.pk, "case": case.pk} in changes
    assert any("perpetrator_added" in c for c in changes)


# --- the legal track ---------------------------------------------------------------------------------


@pytest.fixture
def incident(personas, units, child_a):
    return _record(
        personas.officer_a,
        units.commune_a,
        [child_a.pk],
        perpetrators=[{"relationship": "parent", "sex": "M"}, {"relationship": "relative", "sex": "M"}],
    ).incident


def _step(personas, incident, kind, on, perpetrator=None, detail=""):
    return services.legal_step_add(
        actor=personas.officer_a, incident=incident, kind=kind, on=on, perpetrator=perpetrator, detail=detail
    )


def test_legal_track_in_order(personas, incident):
    father, uncle = incident.perpetrators.order_by("pk")
    _step(personas, incident, "reported", date(2026, 3, 11))
    _step(personas, incident, "criminal_case", date(2026, 3, 20))
    _step(personas, incident, "accused", date(2026, 4, 1), father)
    _step(personas, incident, "tried", date(2026, 8, 1), father)
    step = _step(personas, incident, "sentenced", date(2026, 8, 15), father, detail="7 năm tù")
    _step(personas, incident, "administrative", date(2026, 5, 1), uncle, detail="Phạt 5.000.000 đồng")
    assert step.detail == "7 năm tù"
    kinds = list(incident.legal_steps.order_by("on").values_list("kind", flat=True))
    assert kinds == ["reported", "criminal_case", "accused", "administrative", "tried", "sentenced"]
    event = AuditEvent.objects.get(
        action=AuditAction.CREATE, object_type="cases.legalstep", object_id=str(step.pk)
    )
    assert event.changes["kind"] == "sentenced" and event.changes["detail"] == MASK


def test_legal_track_order_errors_say_what_to_record_first(personas, incident):
    father, uncle = incident.perpetrators.order_by("pk")
    with pytest.raises(ValidationError) as exc:
        _step(personas, incident, "accused", date(2026, 4, 1))
    assert "đối tượng" in exc.value.message_dict["perpetrator"][0]
    with pytest.raises(ValidationError) as exc:
        _step(personas, incident, "accused", date(2026, 4, 1), father)
    assert "Khởi tố vụ án" in exc.value.message_dict["kind"][0]
    with pytest.raises(ValidationError) as exc:
        _step(personas, incident, "sentenced", date(2026, 4, 1), father)
    assert "xét xử" in exc.value.message_dict["kind"][0]
    _step(personas, incident, "criminal_case", date(2026, 3, 20))
    with pytest.raises(ValidationError):  # accused before the criminal case was opened
        _step(personas, incident, "accused", date(2026, 3, 19), father)
    _step(personas, incident, "accused", date(2026, 4, 1), father)
    with pytest.raises(ValidationError) as exc:  # the uncle was never accused
        _step(personas, incident, "tried", date(2026, 8, 1), uncle)
    assert "khởi tố bị can" in exc.value.message_dict["kind"][0]
    with pytest.raises(ValidationError) as exc:
        _step(personas, incident, "accused", date(2026, 4, 2), father)
    assert "đã được ghi" in exc.value.message_dict["kind"][0]
    with pytest.raises(ValidationError):
        _step(personas, incident, "criminal_case", date(2026, 4, 2))
    with pytest.raises(ValidationError):
        _step(personas, incident, "administrative", date(2026, 4, 2))
    assert LegalStep.objects.filter(incident=incident).count() == 2


def test_legal_step_dates_kind_and_perpetrator_checked(personas, units, incident, child_a):
    with pytest.raises(ValidationError):
        _step(personas, incident, "reported", date(2026, 3, 9))  # before the incident
    with pytest.raises(ValidationError):
        _step(personas, incident, "reported", date(2099, 1, 1))
    with pytest.raises(ValidationError):
        _step(personas, incident, "arrested", date(2026, 3, 11))
    stranger = PerpetratorFactory(incident=IncidentFactory(admin_unit=units.commune_a))
    with pytest.raises(ValidationError):
        _step(personas, incident, "administrative", date(2026, 3, 11), stranger)
    with pytest.raises(PermissionDenied):
        services.legal_step_add(
            actor=personas.chair_a, incident=incident, kind="reported", on=date(2026, 3, 11)
        )
    assert not LegalStep.objects.filter(kind=LegalStepKind.REPORTED).exists()


def test_a_case_opened_later_links_the_earlier_incidents(personas, units, child_a):
    incident = _record(personas.officer_a, units.commune_a, [child_a.pk]).incident
    later = IncidentFactory(admin_unit=units.commune_a, occurred_on=date(2026, 4, 1))
    IncidentChild.objects.create(incident=later, child=child_a)
    case = _case(child_a, received=datetime(2026, 3, 12, 8, tzinfo=UTC))
    assert services.incident_victims_link_case(actor=personas.officer_a, case=case) == [incident.pk]
    assert incident.victims.get().case == case
    assert later.victims.get().case is None  # after the case was received: not about it
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(incident.pk)).last()
    assert event.changes == {"victim_case": {"child": child_a.pk, "case": case.pk}}
    assert services.incident_victims_link_case(actor=personas.officer_a, case=case) == []
