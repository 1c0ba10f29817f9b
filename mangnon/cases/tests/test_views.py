"""The case pages: allowed, forbidden (another commune → 404, wrong role → 403, anonymous → login) and
audited, for every page; each step's form with its errors; two officers on one case (409, input kept)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mangnon.cases import services
from mangnon.cases.models import Case
from mangnon.cases.tests.factories import CaseFactory, ContactChildFactory
from mangnon.cases.tests.steps import advance, step_data
from mangnon.cases.workflow import Status
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.core.navigation import items_for
from mangnon.registry.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def row(personas):
    return ContactChildFactory(
        contact__counsellor=personas.hotline, child__person__full_name="Đặng Minh Khôi"
    )


@pytest.fixture
def case(personas, row):
    return services.case_open(actor=personas.officer_a, contact=row.contact).case


def _views(case: Case, page: str) -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="cases.case", object_id=str(case.pk), changes__page=page
    ).count()


def _list_views(page: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="cases.case", object_id=page))


def test_url_names():
    assert reverse("cases:caseload") == "/cases/"
    assert reverse("cases:list") == "/cases/all/"
    assert reverse("cases:dashboard") == "/cases/dashboard/"
    assert reverse("cases:open") == "/cases/open/"
    assert reverse("cases:detail", args=[7]) == "/cases/7/"
    assert reverse("cases:print", args=[7]) == "/cases/7/print/"
    assert reverse("cases:step", args=[7, "assessed"]) == "/cases/7/steps/assessed/"
    assert reverse("cases:assign", args=[7]) == "/cases/7/assign/"


def test_menu_entries(personas):
    def keys(user):
        return [i["key"] for i in items_for(user)]

    for user in (personas.officer_a, personas.chair_a, personas.province_officer, personas.case_manager):
        assert {"cases", "cases_dashboard"} <= set(keys(user))
    assert "cases" not in keys(personas.viewer) and "cases_dashboard" in keys(personas.viewer)
    for user in (personas.hotline, personas.collaborator_a, personas.system_admin):
        assert "cases" not in keys(user) and "cases_dashboard" not in keys(user)


def test_anonymous_is_sent_to_login_everywhere(client, case):
    login = reverse("accounts:login")
    for url in (
        "/cases/",
        "/cases/all/",
        "/cases/dashboard/",
        "/cases/open/",
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/print/",
        f"/cases/{case.pk}/steps/assessed/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(login), url
    assert client.post(f"/cases/{case.pk}/assign/").status_code == 302


# --- caseload, list, dashboard -----------------------------------------------------------------------


def test_caseload_shows_my_cases_with_the_deadline_badge_and_is_audited(personas, client_for, case):
    html = client_for(personas.officer_a).get("/cases/").content.decode()
    assert f'data-case-id="{case.pk}"' in html and "Đặng Minh Khôi" in html
    assert 'data-due="overdue"' in html  # received in March 2026, the 12 hours are long gone
    assert _list_views("caseload")[-1].changes["shown"] == [case.pk]


def test_caseload_of_the_chairperson_lists_plans_to_approve(personas, client_for, case):
    advance(case, Status.PLAN_DRAFTED, officer=personas.officer_a, chair=personas.chair_a)
    html = client_for(personas.chair_a).get("/cases/").content.decode()
    assert "data-to-approve" in html and f'data-case-id="{case.pk}"' in html


def test_caseload_and_list_forbidden_or_empty_outside(personas, client_for, case):
    for user in (personas.hotline, personas.viewer, personas.collaborator_a):
        assert client_for(user).get("/cases/").status_code == 403
        assert client_for(user).get("/cases/all/").status_code == 403
    html = client_for(personas.officer_b).get("/cases/").content.decode()
    assert f'data-case-id="{case.pk}"' not in html
    html = client_for(personas.officer_b).get("/cases/all/").content.decode()
    assert f'data-case-id="{case.pk}"' not in html and "Đặng Minh Khôi" not in html


def test_list_filters_paginates_and_is_audited(personas, client_for, units, case):
    CaseFactory.create_batch(26, admin_unit=units.commune_b, next_due_at=timezone.now() + timedelta(days=3))
    client = client_for(personas.province_officer)
    html = client.get("/cases/all/").content.decode()
    assert html.count("data-case-id=") == 25 and "data-pagination" in html
    html = client.get("/cases/all/", {"overdue": "on"}).content.decode()
    assert html.count("data-case-id=") == 1 and f'data-case-id="{case.pk}"' in html
    html = client.get("/cases/all/", {"commune": units.commune_a.code}).content.decode()
    assert html.count("data-case-id=") == 1
    event = _list_views("list")[-1]
    assert event.changes["shown"] == [case.pk] and event.changes["filters"] == {
        "commune": units.commune_a.code
    }
    assert client.get("/cases/all/", {"status": "nonsense"}).status_code == 400


def test_dashboard_for_supervisors_and_leadership(personas, client_for, units, case):
    CaseFactory(admin_unit=units.commune_b, next_due_at=timezone.now() + timedelta(hours=2))
    html = client_for(personas.province_manager).get("/cases/dashboard/").content.decode()
    assert 'data-figure="open">2<' in html and 'data-figure="overdue">1<' in html
    assert 'data-figure="due_soon">1<' in html
    assert (
        f'data-commune="{units.commune_a.code}"' in html and f'data-commune="{units.commune_b.code}"' in html
    )
    assert f'data-case-id="{case.pk}"' in html  # the overdue list names the case
    event = _list_views("dashboard")[-1]
    assert event.unit_code == units.province.code and case.pk in event.changes["shown"]
    # Leadership reads the figures, never a child's name.
    html = client_for(personas.viewer).get("/cases/dashboard/").content.decode()
    assert 'data-figure="open">2<' in html and "Đặng Minh Khôi" not in html and "data-case-id" not in html


def test_dashboard_of_a_commune_and_its_limits(personas, client_for, units, case):
    CaseFactory(admin_unit=units.commune_b)
    client = client_for(personas.officer_b)
    html = client.get("/cases/dashboard/").content.decode()
    assert 'data-figure="open">1<' in html and f'data-commune="{units.commune_a.code}"' not in html
    assert client.get("/cases/dashboard/", {"unit": units.commune_a.code}).status_code == 404
    assert client.get("/cases/dashboard/", {"unit": units.province.code}).status_code == 404
    assert client_for(personas.hotline).get("/cases/dashboard/").status_code == 403
    assert client_for(personas.collaborator_a).get("/cases/dashboard/").status_code == 403


# --- the case page -----------------------------------------------------------------------------------


def test_case_page_shows_the_child_deadlines_timeline_and_next_steps(personas, client_for, case):
    response = client_for(personas.officer_a).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đặng Minh Khôi" in html and case.number in html
    assert 'data-deadline="safety"' in html and 'data-deadline="plan"' in html
    assert 'data-step="open"' in html and 'data-due="overdue"' in html
    assert (
        f'href="/cases/{case.pk}/steps/assessed/"' in html
        and f'href="/cases/{case.pk}/steps/emergency/"' in html
    )
    assert "data-assign" in html and 'data-section="services"' in html
    assert _views(case, "case") == 1


def test_case_page_offers_each_role_only_its_steps(personas, client_for, case):
    html = client_for(personas.chair_a).get(f"/cases/{case.pk}/").content.decode()
    assert "data-next-step" not in html and "data-assign" not in html
    advance(case, Status.PLAN_DRAFTED, officer=personas.officer_a, chair=personas.chair_a)
    html = client_for(personas.chair_a).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-next-step="plan_approved"' in html and 'data-next-step="investigating"' in html
    html = client_for(personas.officer_a).get(f"/cases/{case.pk}/").content.decode()
    assert "data-next-step" not in html
    assert 'data-service="psychological"' in html


def test_case_page_and_print_are_404_outside_the_scope(personas, client_for, case):
    for user in (personas.officer_b, personas.hotline, personas.viewer, personas.collaborator_a):
        assert client_for(user).get(f"/cases/{case.pk}/").status_code == 404
        assert client_for(user).get(f"/cases/{case.pk}/print/").status_code == 404
    assert client_for(personas.officer_a).get("/cases/999999/").status_code == 404
    assert _views(case, "case") == 0


def test_printable_case(personas, client_for, case):
    advance(case, Status.PLAN_APPROVED, officer=personas.officer_a, chair=personas.chair_a)
    response = client_for(personas.chair_a).get(f"/cases/{case.pk}/print/")
    html = response.content.decode()
    assert response.status_code == 200 and "data-print-page" in html and "15/QĐ-UBND" in html
    assert _views(case, "print") == 1


# --- steps -------------------------------------------------------------------------------------------


def _post_step(client, case, to, data, version=None):
    payload = {"version": version or case.version, **data}
    return client.post(f"/cases/{case.pk}/steps/{to}/", payload)


def test_step_form_records_the_step(personas, client_for, case):
    client = client_for(personas.officer_a)
    response = client.get(f"/cases/{case.pk}/steps/assessed/")
    assert response.status_code == 200 and 'data-step-form="assess"' in response.content.decode()
    response = _post_step(client, case, "assessed", step_data(case, Status.ASSESSED))
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.status == Status.ASSESSED and case.steps.last().data["safety_assessment"]
    assert _views(case, "step:assess") == 1  # the form page showed the case


def test_emergency_form_from_the_page(personas, client_for, case):
    data = step_data(case, Status.EMERGENCY)
    page = {**data, "measures_applied_at": "06/03/2026 21:00", "serious_danger": "on"}
    response = _post_step(client_for(personas.officer_a), case, "emergency", page)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.emergency and case.steps.last().data["measures_applied_at"] == "2026-03-06T21:00:00+07:00"


def test_step_form_errors_are_shown_and_nothing_is_written(personas, client_for, case):
    response = _post_step(client_for(personas.officer_a), case, "emergency", {"safety_assessment": "x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('class="form-errors"') >= 2
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_two_officers_on_one_case_the_second_gets_409_and_keeps_the_input(personas, units, client_for, case):
    from mangnon.accounts.roles import Role
    from mangnon.accounts.tests.factories import MembershipFactory, UserFactory

    colleague = UserFactory()
    MembershipFactory(user=colleague, role=Role.COMMUNE_OFFICER, admin_unit=units.commune_a)
    first, second = client_for(personas.officer_a), client_for(colleague)
    read = case.version
    assert _post_step(first, case, "assessed", step_data(case, Status.ASSESSED), read).status_code == 302
    typed = {**step_data(case, Status.ASSESSED), "safety_assessment": "Nhận định của cán bộ thứ hai"}
    response = _post_step(second, case, "assessed", typed, read)
    assert response.status_code == 409
    html = response.content.decode()
    assert "data-stale" in html and "Nhận định của cán bộ thứ hai" in html
    assert f'name="version" value="{read + 1}"' in html
    case.refresh_from_db()
    assert case.version == read + 1 and case.steps.count() == 2  # the first officer's step is kept


def test_step_pages_forbidden(personas, client_for, case):
    assert client_for(personas.chair_a).get(f"/cases/{case.pk}/steps/assessed/").status_code == 403
    assert (
        _post_step(client_for(personas.chair_a), case, "assessed", step_data(case, "assessed")).status_code
        == 403
    )
    for user in (personas.officer_b, personas.hotline):
        assert client_for(user).get(f"/cases/{case.pk}/steps/assessed/").status_code == 404
        assert _post_step(client_for(user), case, "assessed", step_data(case, "assessed")).status_code == 404
    response = client_for(personas.officer_a).get(f"/cases/{case.pk}/steps/closed/")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.steps.count() == 1


def test_plan_with_services_and_approval_by_the_chair_only(personas, client_for, case):
    advance(case, Status.INVESTIGATING, officer=personas.officer_a, chair=personas.chair_a)
    officer = client_for(personas.officer_a)
    html = officer.get(f"/cases/{case.pk}/steps/plan_drafted/").content.decode()
    assert "data-services-formset" in html and html.count("data-service-row") == 3
    day = (timezone.localdate() + timedelta(days=30)).strftime("%d/%m/%Y")
    page = {
        "goals": "An toàn", "responsible": "Cán bộ xã", "review_dates": day,
        "services-TOTAL_FORMS": "3", "services-INITIAL_FORMS": "0",
        "services-0-service_type": "psychological", "services-1-service_type": "education",
    }  # fmt: skip
    assert _post_step(officer, case, "plan_drafted", page).status_code == 302
    case.refresh_from_db()
    assert case.services.count() == 2
    assert officer.get(f"/cases/{case.pk}/steps/plan_approved/").status_code == 403
    chair = client_for(personas.chair_a)
    html = chair.get(f"/cases/{case.pk}/steps/plan_approved/").content.decode()
    assert str(personas.chair_a) in html  # the chairperson signs
    assert _post_step(chair, case, "plan_approved", step_data(case, Status.PLAN_APPROVED)).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.PLAN_APPROVED


def test_returning_a_plan_needs_a_reason(personas, client_for, case):
    advance(case, Status.PLAN_DRAFTED, officer=personas.officer_a, chair=personas.chair_a)
    chair = client_for(personas.chair_a)
    response = _post_step(chair, case, "investigating", {"reason": ""})
    assert response.status_code == 400 and "data-meta-errors" in response.content.decode()
    assert _post_step(chair, case, "investigating", {"reason": "Thiếu dịch vụ y tế"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.INVESTIGATING and case.steps.last().reason == "Thiếu dịch vụ y tế"


def test_closing_without_a_safe_review_is_refused_on_the_page(personas, client_for, case):
    advance(case, Status.REVIEWED, officer=personas.officer_a, chair=personas.chair_a, safe=False)
    response = _post_step(client_for(personas.officer_a), case, "closed", {})
    assert response.status_code == 409 and "data-meta-errors" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.REVIEWED


# --- opening -----------------------------------------------------------------------------------------


def test_open_page_from_a_contact_prefills_form01_and_opens(personas, client_for, row):
    client = client_for(personas.officer_a)
    response = client.get("/cases/open/", {"contact": row.contact.pk})
    html = response.content.decode()
    assert response.status_code == 200 and "Đặng Minh Khôi" in html and "06/03/2026 16:30" in html
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="intake.contact", object_id=str(row.contact.pk)
    ).exists()
    form = response.context["open_form"]
    data = {
        **{k: v for k, v in response.context["form"].initial.items() if v is not None},
        "contact": row.contact.pk,
        "submission": form.initial["submission"],
        "commune": form.initial["commune"],
    }
    data["received_at"] = "01/01/2020 00:00"  # ignored: the contact's time is the case's clock
    data["child_date_of_birth"] = "04/05/2016"
    response = client.post("/cases/open/", data)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.received_at == row.contact.received_at
    assert client.post("/cases/open/", data).status_code == 302  # sent twice: still one case
    assert Case.objects.count() == 1


def test_open_page_for_a_registered_child(personas, client_for, units):
    child = ChildFactory(admin_unit=units.commune_a, person__full_name="Lê Thị Mai")
    client = client_for(personas.officer_a)
    response = client.get("/cases/open/", {"child": child.pk})
    assert response.status_code == 200 and "Lê Thị Mai" in response.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        object_type="registry.child",
        object_id=str(child.pk),
        changes__page="case_open",
    ).exists()
    data = {
        "child": child.pk, "commune": units.commune_a.pk, "source": "in_person",
        "received_at": "02/03/2026 08:15", "child_name": "Lê Thị Mai", "child_sex": "M",
        "child_date_of_birth": "04/05/2016", "place": "Tổ 1",
    }  # fmt: skip
    response = client.post("/cases/open/", {**data, "place": ""})
    assert response.status_code == 400 and Case.objects.count() == 0
    assert client.post("/cases/open/", data).status_code == 302
    case = Case.objects.get()
    assert case.child == child and timezone.localtime(case.received_at).hour == 8
    response = client.post("/cases/open/", data)
    assert response.status_code == 400 and "data-open-errors" in response.content.decode()  # one open case


def test_a_counsellor_opens_a_case_but_is_not_shown_it(personas, client_for, row, units):
    client = client_for(personas.hotline)
    response = client.get("/cases/open/", {"contact": row.contact.pk})
    assert response.status_code == 200
    data = {
        **{k: v for k, v in response.context["form"].initial.items() if v is not None},
        "contact": row.contact.pk, "commune": units.commune_a.pk, "child_date_of_birth": "04/05/2016",
    }  # fmt: skip
    response = client.post("/cases/open/", data)
    case = Case.objects.get()
    assert response.status_code == 302 and not response["Location"].startswith("/cases/")
    assert client.get(f"/cases/{case.pk}/").status_code == 404


def test_open_page_forbidden(personas, client_for, row, units):
    assert client_for(personas.chair_a).get("/cases/open/", {"contact": row.contact.pk}).status_code == 403
    assert client_for(personas.viewer).get("/cases/open/", {"contact": row.contact.pk}).status_code == 403
    assert client_for(personas.officer_b).get("/cases/open/", {"contact": row.contact.pk}).status_code == 404
    child = ChildFactory(admin_unit=units.commune_a)
    assert client_for(personas.officer_b).get("/cases/open/", {"child": child.pk}).status_code == 404
    assert client_for(personas.officer_a).get("/cases/open/", {"child": "x"}).status_code == 404
    assert client_for(personas.officer_a).get("/cases/open/").status_code == 400
    assert client_for(personas.officer_b).post("/cases/open/", {"contact": row.contact.pk}).status_code == 404
    assert Case.objects.count() == 0


# --- assignment and the child's timeline -------------------------------------------------------------


def test_assign_from_the_case_page(personas, client_for, units, case):
    from mangnon.accounts.roles import Role
    from mangnon.accounts.tests.factories import MembershipFactory, UserFactory

    colleague = UserFactory()
    MembershipFactory(user=colleague, role=Role.COMMUNE_OFFICER, admin_unit=units.commune_a)
    url = f"/cases/{case.pk}/assign/"
    response = client_for(personas.officer_a).post(url, {"version": case.version, "caseworker": colleague.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.caseworker == colleague
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(case.pk), changes__caseworker__isnull=False
    ).exists()
    assert (
        client_for(personas.chair_a)
        .post(url, {"version": case.version, "caseworker": colleague.pk})
        .status_code
        == 403
    )
    assert (
        client_for(personas.officer_b)
        .post(url, {"version": case.version, "caseworker": colleague.pk})
        .status_code
        == 404
    )


def test_the_child_s_timeline_shows_the_case_to_those_who_read_cases(personas, client_for, case):
    url = f"/children/{case.child_id}/"
    html = client_for(personas.officer_a).get(url).content.decode()
    assert f'href="/cases/{case.pk}/"' in html and case.number in html
    html = client_for(personas.collaborator_a).get(url).content.decode()
    assert case.number not in html


def test_open_page_prefills_a_child_the_caller_only_named(personas, client_for):
    """Mẫu 01 starts from what the counsellor wrote down: the officer does not type the child again."""
    named = ContactChildFactory(
        contact__counsellor=personas.hotline, child=None, name="Vũ Thị Lan", sex="F", age=9
    )
    response = client_for(personas.officer_a).get("/cases/open/", {"contact": named.contact.pk})
    initial = response.context["form"].initial
    assert response.status_code == 200
    assert (initial["child_name"], initial["child_sex"], initial["child_age"]) == ("Vũ Thị Lan", "F", 9)
