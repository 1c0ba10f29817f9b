"""The Decree 56 forms: what each requires, the rules between fields, JSON-safe storage, the same class
for a page's POST and an API body, and the stored data shown back with labels."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone, translation

from mangnon.cases import step_forms
from mangnon.cases.tests.factories import CaseFactory
from mangnon.cases.tests.steps import step_data
from mangnon.cases.workflow import Status, transition
from mangnon.orgs.codes import OrgKind
from mangnon.orgs.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages are checked in English (Vietnamese is the default language)."""
    with translation.override("en"):
        yield


def _errors(form: str, data, case=None, to=None):
    t = transition(case.status, to) if case is not None and to else None
    with pytest.raises(ValidationError) as exc:
        step_forms.validate(form, data, case=case, transition=t)
    return exc.value.message_dict


FORM01 = {
    "source": "phone",
    "received_at": "2026-03-06T16:30:00+07:00",
    "child_name": "Đặng Minh Khôi",
    "child_sex": "M",
    "child_age": 9,
    "place": "Tổ 4, khu 2",
}


def test_form01_stores_json_safe_values():
    form = step_forms.validate("01", FORM01)
    stored = form.stored()
    assert stored["received_at"] == "2026-03-06T16:30:00+07:00"
    assert stored["child_age"] == 9 and stored["reporter_consents"] is False


def test_form01_accepts_the_page_s_vietnamese_formats():
    data = QueryDict(mutable=True)
    data.update(
        {**FORM01, "received_at": "06/03/2026 16:30", "child_age": "", "child_date_of_birth": "04/05/2016"}
    )
    stored = step_forms.validate("01", data).stored()
    assert stored["received_at"] == "2026-03-06T16:30:00+07:00"
    assert stored["child_date_of_birth"] == "2016-05-04"


def test_form01_requires_the_basics_with_plain_messages():
    errors = _errors("01", {})
    assert {"source", "received_at", "child_name", "child_sex", "place", "child_date_of_birth"} <= set(errors)
    assert "estimated age" in errors["child_date_of_birth"][0]


def test_form01_refuses_future_dates_and_a_birth_after_receipt():
    future = (timezone.now() + timedelta(days=2)).isoformat()
    errors = _errors("01", {**FORM01, "received_at": future})
    assert errors["received_at"] == ["This is in the future."]
    errors = _errors("01", {**FORM01, "child_date_of_birth": "2026-03-07"})
    assert "after the information was received" in errors["child_date_of_birth"][0]
    assert _errors("01", {**FORM01, "child_age": 30})["child_age"]


def test_form01_records_the_reporter_only_with_their_consent():
    errors = _errors("01", {**FORM01, "reporter_name": "Nguyễn Thị Hoa", "reporter_phone": "0912345678"})
    assert set(errors) == {"reporter_name", "reporter_phone"}
    assert "only if they agree" in errors["reporter_name"][0]
    stored = step_forms.validate(
        "01", {**FORM01, "reporter_consents": True, "reporter_name": "Nguyễn Thị Hoa"}
    ).stored()
    assert stored["reporter_name"] == "Nguyễn Thị Hoa"


def test_form02_assessment_without_danger_and_without_measures(units):
    case = CaseFactory()
    step_forms.validate(
        "02", step_data(case, Status.ASSESSED), case=case, transition=transition("received", "assessed")
    )
    errors = _errors(
        "02", {**step_data(case, Status.ASSESSED), "serious_danger": True}, case, Status.ASSESSED
    )
    assert "emergency" in errors["serious_danger"][0]
    errors = _errors(
        "02", {**step_data(case, Status.ASSESSED), "measures": ["emergency_intervention"]}, case, "assessed"
    )
    assert errors["measures"]


def test_form02_emergency_needs_danger_measures_time_and_placement(units):
    case = CaseFactory()
    valid = step_data(case, Status.EMERGENCY)
    stored = step_forms.validate(
        "02", valid, case=case, transition=transition("received", "emergency")
    ).stored()
    assert stored["measures"] == ["emergency_intervention", "temporary_separation"]
    errors = _errors(
        "02", {"safety_assessment": "x", "measures": ["temporary_separation"]}, case, "emergency"
    )
    assert {"serious_danger", "measures_applied_at", "placement"} <= set(errors)
    errors = _errors("02", {"safety_assessment": "x", "serious_danger": True}, case, "emergency")
    assert errors["measures"] == ["Choose the emergency measures applied."]
    before = (case.received_at - timedelta(hours=1)).isoformat()
    errors = _errors("02", {**valid, "measures_applied_at": before}, case, "emergency")
    assert "before the information was received" in errors["measures_applied_at"][0]


def test_form03_meeting_within_the_case(units):
    case = CaseFactory(status=Status.ASSESSED)
    valid = step_data(case, Status.INVESTIGATING)
    step_forms.validate("03", valid, case=case)
    errors = _errors("03", {**valid, "meeting_on": "2026-03-01"}, case)
    assert "before the information was received" in errors["meeting_on"][0]
    assert set(_errors("03", {}, case)) == {"information_collected", "meeting_on", "participants", "needs"}


def test_form04_plan_with_services_from_an_api_body_or_a_page(units):
    case = CaseFactory(status=Status.INVESTIGATING)
    provider = Organisation.objects.create(
        name="Trung tâm Công tác xã hội tỉnh", kind=OrgKind.SOCIAL_WORK_CENTRE, admin_unit=case.province,
        province=case.province,
    )  # fmt: skip
    body = step_data(case, Status.PLAN_DRAFTED)
    body["services"][0]["provider"] = provider.pk
    form = step_forms.validate("04", body, case=case)
    stored = form.stored()
    assert stored["services"][0]["provider"] == provider.pk
    assert stored["services"][0]["provider_name"] == provider.name
    assert stored["review_dates"] == body["review_dates"]
    page = QueryDict(mutable=True)
    day = timezone.localdate() + timedelta(days=20)
    page.update({
        "goals": "An toàn", "responsible": "Cán bộ xã", "review_dates": day.strftime("%d/%m/%Y"),
        "services-TOTAL_FORMS": "3", "services-INITIAL_FORMS": "0",
        "services-0-service_type": "legal_aid", "services-0-provider": str(provider.pk),
    })  # fmt: skip
    form = step_forms.validate("04", page, case=case)
    assert [s["service_type"] for s in form.stored()["services"]] == ["legal_aid"]


def test_form04_needs_a_service_future_reviews_and_known_providers(units):
    case = CaseFactory(status=Status.INVESTIGATING)
    body = {**step_data(case, Status.PLAN_DRAFTED), "services": []}
    assert _errors("04", body, case)["services"] == ["Plan at least one service."]
    body = step_data(case, Status.PLAN_DRAFTED)
    body["review_dates"] = ["2026-01-01"]
    assert _errors("04", body, case)["review_dates"] == ["A review date cannot be in the past."]
    body = step_data(case, Status.PLAN_DRAFTED)
    body["services"] = [
        {"service_type": "medical", "provider": 999999, "start": "2026-12-10", "end": "2026-12-01"}
    ]
    errors = _errors("04", body, case)
    assert "services[0].provider" in errors and "services[0].end" in errors
    assert _errors("04", {**step_data(case, "plan_drafted"), "review_dates": "31/02/2026"}, case)[
        "review_dates"
    ]


def test_form05_and_form06(units):
    case = CaseFactory(status=Status.PLAN_DRAFTED)
    step_forms.validate("05", step_data(case, Status.PLAN_APPROVED), case=case)
    assert set(_errors("05", {}, case)) == {"decision_number", "decision_date", "signer"}
    stored = step_forms.validate("06", step_data(case, Status.REVIEWED)).stored()
    assert step_forms.no_longer_at_risk(stored)
    assert _errors("06", {**step_data(case, Status.REVIEWED), "harm": "severe"})["harm"]


@pytest.mark.parametrize(
    ("change", "closable"),
    [
        ({}, True),
        ({"harm": "medium"}, False),
        ({"abuser_access": "high"}, False),
        ({"obstacles": "medium"}, False),
        ({"child_capacity": "low"}, False),
        ({"child_capacity": "high"}, True),
        ({"child_stable": False}, False),
    ],
)
def test_the_closing_rule(change, closable):
    review = {
        "harm": "low",
        "abuser_access": "low",
        "obstacles": "low",
        "child_capacity": "medium",
        "child_stable": True,
    }
    assert step_forms.no_longer_at_risk({**review, **change}) is closable


def test_display_rows_show_labels_and_vietnamese_formats(units):
    case = CaseFactory()
    stored = step_forms.validate(
        "02", step_data(case, Status.EMERGENCY), case=case, transition=transition("received", "emergency")
    ).stored()
    rows = dict(step_forms.display_rows("02", stored))
    assert rows["The child's life, health or dignity is in serious danger"] == "Yes"
    assert rows["Emergency measures applied"] == "Emergency intervention, Temporary separation from the carer"
    assert rows["Measures applied at"] == "06/03/2026 21:30"
    plan = step_forms.validate(
        "04", step_data(CaseFactory(status="investigating"), "plan_drafted"), case=case
    ).stored()
    labels = [label for label, _text in step_forms.display_rows("04", plan)]
    assert labels.count("Service") == 2
