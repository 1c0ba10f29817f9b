"""The case services: opening (from a contact, for a child, registering a child named only on the
contact), the cycle's transitions with every refusal, and assignment. Each write is audited; a refusal
writes nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from mangnon.accounts.roles import Role
from mangnon.accounts.tests.factories import MembershipFactory, UserFactory
from mangnon.cases import services
from mangnon.cases.codes import ServiceStatus
from mangnon.cases.models import Case, CaseService, CaseStep
from mangnon.cases.tests.factories import ContactChildFactory, ContactFactory
from mangnon.cases.tests.steps import advance, step_data
from mangnon.cases.workflow import Status
from mangnon.core import idempotency
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.intake.codes import CallerRelationship, Outcome
from mangnon.intake.models import ContactChild
from mangnon.registry import matching
from mangnon.registry import services as registry_services
from mangnon.registry.models import Child
from mangnon.registry.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def contact_row(personas):
    return ContactChildFactory(
        contact__counsellor=personas.hotline, child__person__full_name="Đặng Minh Khôi"
    )


def _case_events(case: Case, action: str = AuditAction.UPDATE) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk), action=action))


# --- opening -----------------------------------------------------------------------------------------


def test_open_from_a_contact_carries_its_child_commune_and_time(personas, units, contact_row):
    contact = contact_row.contact
    opening = services.case_open(actor=personas.officer_a, contact=contact)
    case = opening.case
    assert opening.created
    assert case.number == "22-2026-000001"
    assert (case.child, case.admin_unit, case.province) == (
        contact_row.child,
        units.commune_a,
        units.province,
    )
    assert case.received_at == contact.received_at and case.status == Status.RECEIVED
    assert case.caseworker == personas.officer_a and case.opened_by == personas.officer_a
    step = case.steps.get()
    assert (step.name, step.form, step.target) == ("open", "01", Status.RECEIVED)
    assert step.data["source"] == "phone" and step.data["child_name"] == "Đặng Minh Khôi"
    assert step.data["child_condition"] == contact.narrative
    assert step.data["received_at"] == "2026-03-06T16:30:00+07:00"
    assert step.data["reporter_name"] == ""  # the caller did not agree to be named
    contact.refresh_from_db()
    assert contact.outcome == Outcome.CASE_OPENED and contact.version == 2
    event = _case_events(case, AuditAction.CREATE)[0]
    assert event.changes["number"] == case.number and event.unit_code == units.commune_a.code
    assert AuditEvent.objects.filter(object_type="intake.contact", object_id=str(contact.pk)).exists()


def test_opening_links_the_child_s_earlier_incidents(personas, contact_row):
    from mangnon.cases.models import IncidentChild
    from mangnon.cases.tests.factories_incidents import IncidentChildFactory

    victim = IncidentChildFactory(child=contact_row.child)
    case = services.case_open(actor=personas.officer_a, contact=contact_row.contact).case
    assert IncidentChild.objects.get(pk=victim.pk).case == case
    assert _case_events(case, AuditAction.CREATE)[0].changes["incidents"] == [victim.incident_id]


def test_case_numbers_run_per_province_and_year(personas):
    first = services.case_open(actor=personas.officer_a, contact=ContactChildFactory().contact).case
    second = services.case_open(actor=personas.officer_a, contact=ContactChildFactory().contact).case
    earlier = ContactChildFactory(contact__received_at=datetime(2025, 12, 31, 23, 0, tzinfo=VN))
    older = services.case_open(actor=personas.officer_a, contact=earlier.contact).case
    assert [first.number, second.number, older.number] == [
        "22-2026-000001",
        "22-2026-000002",
        "22-2025-000001",
    ]


def test_the_reporter_is_named_only_with_consent(personas):
    row = ContactChildFactory(
        contact__caller_name="Nguyễn Thị Hoa", contact__caller_phone="0912345678",
        contact__caller_relationship=CallerRelationship.NEIGHBOUR, contact__caller_consents_to_identity=True,
    )  # fmt: skip
    data = services.case_open(actor=personas.officer_a, contact=row.contact).case.steps.get().data
    assert data["reporter_consents"] is True and data["reporter_name"] == "Nguyễn Thị Hoa"
    assert data["reporter_address"] == "Neighbour"


def test_a_counsellor_opens_from_their_own_contact_without_becoming_caseworker(personas, contact_row):
    case = services.case_open(actor=personas.hotline, contact=contact_row.contact).case
    assert case.caseworker is None and case.opened_by == personas.hotline


def test_who_may_not_open_from_a_contact(personas, contact_row):
    other_counsellor = UserFactory()
    MembershipFactory(
        user=other_counsellor, role=Role.HOTLINE_COUNSELLOR, admin_unit=contact_row.contact.province
    )
    for actor in (personas.officer_b, personas.chair_a, personas.viewer, other_counsellor):
        with pytest.raises(PermissionDenied):
            services.case_open(actor=actor, contact=contact_row.contact)
    assert Case.objects.count() == 0


def test_open_directly_for_a_registered_child(personas, units):
    child = ChildFactory(admin_unit=units.commune_a)
    received = datetime(2026, 3, 2, 8, 0, tzinfo=VN)
    case = services.case_open(
        actor=personas.officer_a, child=child, received_at=received, form01={"child_condition": "Bỏ học"}
    ).case
    assert case.admin_unit == units.commune_a and case.received_at == received and case.contact is None
    data = case.steps.get().data
    assert data["source"] == "in_person" and data["child_condition"] == "Bỏ học"
    with pytest.raises(PermissionDenied):
        services.case_open(actor=personas.officer_b, child=ChildFactory(admin_unit=units.commune_a))


def test_a_child_named_only_on_the_contact_is_registered_and_linked(personas, units):
    contact = ContactFactory(counsellor=personas.hotline)
    row = ContactChild.objects.create(contact=contact, name="Lò Văn Páo", sex="M", age=9)
    case = services.case_open(actor=personas.officer_a, contact=contact).case
    row.refresh_from_db()
    assert row.child == case.child
    person = case.child.person
    assert (person.full_name, person.birth_year, person.birth_year_estimated) == ("Lò Văn Páo", 2017, True)
    assert case.child.admin_unit == units.commune_a
    assert case.steps.get().data["child_age"] == 9


def test_a_contact_s_child_without_enough_details_is_refused_plainly(personas):
    contact = ContactFactory(counsellor=personas.hotline)
    ContactChild.objects.create(contact=contact, name="Páo")
    with pytest.raises(ValidationError) as exc:
        services.case_open(actor=personas.officer_a, contact=contact)
    assert "contact_child" in exc.value.message_dict
    assert Case.objects.count() == 0 and Child.objects.count() == 0


def test_a_possible_duplicate_is_decided_before_anything_is_written(personas, units, monkeypatch):
    known = ChildFactory(admin_unit=units.commune_a, person__full_name="Lò Văn Páo")
    contact = ContactFactory(counsellor=personas.hotline)
    ContactChild.objects.create(contact=contact, name="Lò Văn Páo", sex="M", age=9)
    likely = [
        matching.Candidate(child_id=known.pk, score=0.95, level=matching.LIKELY, reasons=["name_exact"])
    ]
    monkeypatch.setattr(registry_services, "duplicate_candidates", lambda **kw: likely)
    with pytest.raises(services.PossibleDuplicate):
        services.case_open(actor=personas.officer_a, contact=contact)
    assert Case.objects.count() == 0 and Child.objects.count() == 1
    # The officer says it is the same child: the contact's entry is linked to it.
    case = services.case_open(actor=personas.officer_a, contact=contact, child=known).case
    assert case.child == known and contact.children.get().child == known


def test_a_possible_duplicate_confirmed_as_new(personas, units, monkeypatch):
    known = ChildFactory(admin_unit=units.commune_a, person__full_name="Lò Văn Páo")
    contact = ContactFactory(counsellor=personas.hotline)
    ContactChild.objects.create(contact=contact, name="Lò Văn Páo", sex="M", age=9)
    likely = [
        matching.Candidate(child_id=known.pk, score=0.95, level=matching.LIKELY, reasons=["name_exact"])
    ]
    monkeypatch.setattr(registry_services, "duplicate_candidates", lambda **kw: likely)
    case = services.case_open(actor=personas.officer_a, contact=contact, register_new=True).case
    assert case.child != known and Child.objects.count() == 2


def test_a_contact_about_several_children_names_the_one(personas):
    contact = ContactFactory(counsellor=personas.hotline)
    first = ContactChildFactory(contact=contact)
    second = ContactChildFactory(contact=contact)
    with pytest.raises(ValidationError) as exc:
        services.case_open(actor=personas.officer_a, contact=contact)
    assert "contact_child" in exc.value.message_dict
    case = services.case_open(actor=personas.officer_a, contact=contact, contact_child=second.pk).case
    assert case.child == second.child
    case = services.case_open(actor=personas.officer_a, contact=contact, child=first.child).case
    assert case.child == first.child
    with pytest.raises(ValidationError):
        services.case_open(actor=personas.officer_a, contact=contact, contact_child=999999)


def test_a_contact_without_a_child_is_refused(personas):
    with pytest.raises(ValidationError) as exc:
        services.case_open(actor=personas.officer_a, contact=ContactFactory(counsellor=personas.hotline))
    assert "contact" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.case_open(actor=personas.officer_a)


def test_one_open_case_per_child(personas, contact_row):
    case = services.case_open(actor=personas.officer_a, contact=contact_row.contact).case
    with pytest.raises(services.CaseExists) as exc:
        services.case_open(actor=personas.officer_a, child=contact_row.child)
    assert exc.value.case == case


def test_bad_form01_writes_nothing(personas, units):
    child = ChildFactory(admin_unit=units.commune_a)
    with pytest.raises(ValidationError) as exc:
        services.case_open(actor=personas.officer_a, child=child, form01={"source": "fax", "place": ""})
    assert {"source", "place"} <= set(exc.value.message_dict)
    assert Case.objects.count() == 0 and CaseStep.objects.count() == 0


def test_the_same_idempotency_key_opens_one_case(personas, contact_row):
    def go(key, body_hash="h1"):
        return services.case_open(
            actor=personas.officer_a, contact=contact_row.contact, idempotency_key=key, request_hash=body_hash
        )

    first, again = go("k-1"), go("k-1")
    assert first.created and not again.created and first.case == again.case
    assert Case.objects.count() == 1
    with pytest.raises(idempotency.KeyReused):
        go("k-1", "another body")


# --- transitions -------------------------------------------------------------------------------------


@pytest.fixture
def case(personas, contact_row):
    return services.case_open(actor=personas.officer_a, contact=contact_row.contact).case


def test_a_step_the_table_does_not_allow_lists_the_allowed_ones(personas, case):
    with pytest.raises(services.TransitionNotAllowed) as exc:
        services.case_transition(actor=personas.officer_a, case=case, to=Status.CLOSED, version=case.version)
    assert exc.value.allowed == ["assessed", "emergency"]
    with pytest.raises(services.TransitionNotAllowed):
        services.case_transition(actor=personas.officer_a, case=case, to="nowhere", version=case.version)


def test_a_stale_version_is_a_conflict_and_writes_nothing(personas, case):
    read = case.version
    services.case_transition(
        actor=personas.officer_a, case=case, to=Status.ASSESSED, version=read,
        data=step_data(case, Status.ASSESSED),
    )  # fmt: skip
    stale = Case.objects.get(pk=case.pk)
    stale.status, stale.version = Status.RECEIVED, read  # what the second officer's page still shows
    with pytest.raises(services.Conflict) as exc:
        services.case_transition(
            actor=personas.officer_a, case=stale, to=Status.EMERGENCY, version=read,
            data=step_data(stale, Status.EMERGENCY),
        )  # fmt: skip
    assert exc.value.current_version == read + 1
    case.refresh_from_db()
    assert case.status == Status.ASSESSED and not case.emergency
    assert list(case.steps.values_list("name", flat=True)) == ["open", "assess"]


def test_only_the_chairperson_approves_or_returns_the_plan(personas, case):
    advance(case, Status.PLAN_DRAFTED, officer=personas.officer_a, chair=personas.chair_a)
    for actor in (personas.officer_a, personas.province_officer, personas.case_manager):
        with pytest.raises(PermissionDenied):
            services.case_transition(
                actor=actor, case=case, to=Status.PLAN_APPROVED, version=case.version,
                data=step_data(case, Status.PLAN_APPROVED),
            )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.case_transition(
            actor=personas.chair_a, case=case, to=Status.INVESTIGATING, version=case.version
        )
    assert exc.value.message_dict == {"reason": ["Give the reason for this step."]}
    step = services.case_transition(
        actor=personas.chair_a, case=case, to=Status.PLAN_APPROVED, version=case.version,
        data=step_data(case, Status.PLAN_APPROVED),
    )  # fmt: skip
    assert step.form == "05" and step.actor == personas.chair_a


def test_the_chairperson_does_not_work_the_case_and_commune_b_cannot_touch_it(personas, case):
    for actor in (personas.chair_a, personas.officer_b, personas.hotline):
        with pytest.raises(PermissionDenied):
            services.case_transition(
                actor=actor, case=case, to=Status.ASSESSED, version=case.version,
                data=step_data(case, Status.ASSESSED),
            )  # fmt: skip
    assert case.steps.count() == 1


def test_an_invalid_form_writes_nothing(personas, case):
    with pytest.raises(ValidationError) as exc:
        services.case_transition(
            actor=personas.officer_a, case=case, to=Status.ASSESSED, version=case.version
        )
    assert "safety_assessment" in exc.value.message_dict
    case.refresh_from_db()
    assert case.status == Status.RECEIVED and case.version == 1


def test_the_plan_creates_services_and_a_new_plan_replaces_those_not_started(personas, case):
    advance(case, Status.PLAN_DRAFTED, officer=personas.officer_a, chair=personas.chair_a)
    assert sorted(CaseService.objects.filter(case=case).values_list("service_type", flat=True)) == [
        "medical",
        "psychological",
    ]
    services.case_transition(
        actor=personas.chair_a, case=case, to=Status.INVESTIGATING, version=case.version, reason="Bổ sung"
    )
    data = {**step_data(case, Status.PLAN_DRAFTED), "services": [{"service_type": "legal_aid"}]}
    services.case_transition(
        actor=personas.officer_a, case=case, to=Status.PLAN_DRAFTED, version=case.version, data=data
    )
    rows = dict(CaseService.objects.filter(case=case).values_list("service_type", "status"))
    assert rows == {
        "medical": ServiceStatus.CANCELLED,
        "psychological": ServiceStatus.CANCELLED,
        "legal_aid": ServiceStatus.PLANNED,
    }


def test_closing_needs_a_review_saying_the_child_is_safe(personas, case):
    advance(case, Status.REVIEWED, officer=personas.officer_a, chair=personas.chair_a, safe=False)
    with pytest.raises(services.StillAtRisk):
        services.case_transition(actor=personas.officer_a, case=case, to=Status.CLOSED, version=case.version)
    case.refresh_from_db()
    assert case.status == Status.REVIEWED and case.closed_at is None
    services.case_transition(
        actor=personas.officer_a, case=case, to=Status.PLAN_DRAFTED, version=case.version,
        data=step_data(case, Status.PLAN_DRAFTED), reason="Trẻ còn nguy cơ",
    )  # fmt: skip
    advance(case, Status.CLOSED, officer=personas.officer_a, chair=personas.chair_a)
    assert case.status == Status.CLOSED and case.closed_at is not None


def test_every_step_is_audited_with_its_status_change(personas, case):
    advance(case, Status.CLOSED, officer=personas.officer_a, chair=personas.chair_a)
    steps = [e.changes["step"] for e in _case_events(case)]
    assert steps == [
        "assess",
        "investigate",
        "draft_plan",
        "approve_plan",
        "start_services",
        "review",
        "close",
    ]
    approve = next(e for e in _case_events(case) if e.changes["step"] == "approve_plan")
    assert approve.actor_id == personas.chair_a.pk and approve.changes["status"] == [
        "plan_drafted",
        "plan_approved",
    ]


# --- assignment --------------------------------------------------------------------------------------


def test_assign_a_caseworker_of_the_commune(personas, units, case):
    colleague = UserFactory()
    MembershipFactory(user=colleague, role=Role.COMMUNE_OFFICER, admin_unit=units.commune_a)
    services.case_assign(actor=personas.officer_a, case=case, caseworker=colleague, version=case.version)
    assert case.caseworker == colleague and case.version == 2
    event = _case_events(case)[-1]
    assert event.changes == {"caseworker": [personas.officer_a.pk, colleague.pk]}
    services.case_assign(actor=personas.province_manager, case=case, caseworker=personas.officer_a)
    with pytest.raises(services.Conflict):
        services.case_assign(actor=personas.officer_a, case=case, caseworker=colleague, version=1)


def test_assignment_refusals(personas, case):
    with pytest.raises(PermissionDenied):
        services.case_assign(actor=personas.chair_a, case=case, caseworker=personas.officer_a)
    with pytest.raises(PermissionDenied):
        services.case_assign(actor=personas.officer_b, case=case, caseworker=personas.officer_b)
    for worker in (personas.officer_b, personas.chair_a, None):
        with pytest.raises(ValidationError):
            services.case_assign(actor=personas.officer_a, case=case, caseworker=worker)
