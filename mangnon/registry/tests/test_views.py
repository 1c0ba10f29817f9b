"""The registry pages: allowed, forbidden (out of scope → 404, wrong role → 403, anonymous → login) and
audited, for every view; the duplicate check while registering; optimistic concurrency when editing."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import NoReverseMatch, reverse

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.core.navigation import items_for
from mangnon.registry.codes import RiskType, SpecialGroup
from mangnon.registry.models import Child, RegistrationDecision, RiskFlag, SpecialCircumstance
from mangnon.registry.tests.factories import (
    CaregiverFactory,
    ChildFactory,
    HouseholdFactory,
    RiskFlagFactory,
    SpecialCircumstanceFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/children/"
NEW = "/children/new/"
CANDIDATES = "/children/new/candidates"


def _views(child_id: int) -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="registry.child", object_id=str(child_id)
    ).count()


@pytest.fixture
def child_a(units):
    return ChildFactory(admin_unit=units.commune_a, person__full_name="Nguyễn Văn An")


@pytest.fixture
def child_b(units):
    return ChildFactory(admin_unit=units.commune_b, person__full_name="Lê Thị Bình")


def test_url_names():
    assert reverse("registry:list") == LIST
    assert reverse("registry:register") == NEW
    assert reverse("registry:candidates") == CANDIDATES
    assert reverse("registry:detail", args=[7]) == "/children/7/"
    assert reverse("registry:print", args=[7]) == "/children/7/print/"
    assert reverse("registry:edit", args=[7]) == "/children/7/edit/"
    assert reverse("registry:household", args=[3]) == "/children/households/3/"


def test_menu_entry_for_roles_that_see_children(personas):
    def keys(user):
        return [i["key"] for i in items_for(user)]

    for user in (personas.officer_a, personas.chair_a, personas.collaborator_a, personas.province_officer):
        assert "children" in keys(user)
    for user in (personas.viewer, personas.system_admin, personas.survey):
        assert "children" not in keys(user)


# --- list -------------------------------------------------------------------------------------------


def test_list_shows_own_children_with_counts_and_is_audited(personas, client_for, child_a, child_b):
    SpecialCircumstanceFactory(child=child_a, group=SpecialGroup.D)
    RiskFlagFactory(child=child_a, risk_type=RiskType.NEGLECT)
    other = ChildFactory(person__full_name="Trần Văn Cường")
    response = client_for(personas.officer_a).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nguyễn Văn An" in html and "Trần Văn Cường" in html
    assert "Lê Thị Bình" not in html  # commune B
    assert 'data-count="total">2<' in html
    assert 'data-count="special">1<' in html
    assert 'data-count="at_risk">1<' in html
    assert 'data-group="d"' in html and 'data-risk-count="1"' in html
    # Vietnamese order: by tên (An before Cường).
    assert html.index("Nguyễn Văn An") < html.index("Trần Văn Cường")
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="registry.child").last()
    assert event is not None and set(event.changes["shown"]) == {child_a.pk, other.pk}


def test_list_filters_by_name_without_diacritics_and_by_group(personas, client_for, child_a):
    ChildFactory(person__full_name="Trần Văn Cường")
    client = client_for(personas.officer_a)
    html = client.get(LIST, {"q": "nguyen van an"}).content.decode()
    assert "Nguyễn Văn An" in html and "Trần Văn Cường" not in html
    SpecialCircumstanceFactory(child=child_a, group=SpecialGroup.D)
    html = client.get(LIST, {"group": "d"}).content.decode()
    assert "Nguyễn Văn An" in html and "Trần Văn Cường" not in html
    html = client.get(LIST, {"age_min": "0", "age_max": "3"}).content.decode()
    assert "data-no-children" in html


def test_list_bad_filter_is_400_with_the_error(personas, client_for, child_a):
    response = client_for(personas.officer_a).get(LIST, {"age_min": "9", "age_max": "3"})
    assert response.status_code == 400
    assert "data-form-errors" in response.content.decode()


def test_list_export_links_for_roles_that_may_export(personas, client_for, child_a):
    html = client_for(personas.officer_a).get(LIST, {"q": "an"}).content.decode()
    assert "data-import" in html  # the commune officer keeps the list: import is offered too
    try:
        url = reverse("registry_export:children", kwargs={"fmt": "xlsx"})
    except NoReverseMatch:  # the export pages are installed separately; without them, no link
        assert "data-export-links" not in html
    else:
        assert f"{url}?q=an" in html
    assert "data-export-links" not in client_for(personas.collaborator_a).get(LIST).content.decode()


def test_list_paginates(personas, client_for, units):
    ChildFactory.create_batch(27, admin_unit=units.commune_a)
    client = client_for(personas.officer_a)
    html = client.get(LIST).content.decode()
    assert html.count("data-child-id=") == 25 and "data-pagination" in html
    assert client.get(LIST, {"page": "2"}).content.decode().count("data-child-id=") == 2


def test_list_forbidden_for_other_roles_and_anonymous(personas, client_for, client):
    assert client_for(personas.viewer).get(LIST).status_code == 403
    assert client_for(personas.system_admin).get(LIST).status_code == 403
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_list_of_commune_b_officer_never_shows_commune_a(personas, client_for, child_a):
    html = client_for(personas.officer_b).get(LIST, {"q": "an"}).content.decode()
    assert "Nguyễn Văn An" not in html


# --- profile and print ------------------------------------------------------------------------------


def test_profile_shows_the_child_family_timeline_and_is_audited(personas, client_for, child_a):
    household = HouseholdFactory(admin_unit=child_a.admin_unit)
    Child.objects.filter(pk=child_a.pk).update(household=household)
    CaregiverFactory(child=child_a, person__full_name="Nguyễn Văn Bố")
    SpecialCircumstanceFactory(child=child_a, group=SpecialGroup.D, end_date=date(2025, 1, 1))
    response = client_for(personas.officer_a).get(f"/children/{child_a.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nguyễn Văn An" in html and "Nguyễn Văn Bố" in html
    assert f"/children/households/{household.pk}/" in html
    assert 'data-timeline-kind="registered"' in html
    assert 'data-timeline-kind="circumstance_start"' in html
    assert 'data-timeline-kind="circumstance_end"' in html
    assert _views(child_a.pk) == 1


def test_sensitive_groups_only_for_case_working_roles_and_audited(personas, client_for, child_a):
    SpecialCircumstanceFactory(child=child_a, group=SpecialGroup.L)
    html = client_for(personas.collaborator_a).get(f"/children/{child_a.pk}/").content.decode()
    assert 'data-circumstance="l"' not in html and "data-hidden-sensitive" in html
    html = client_for(personas.officer_a).get(f"/children/{child_a.pk}/").content.decode()
    assert 'data-circumstance="l"' in html
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(child_a.pk)).last()
    assert event is not None and event.actor_id == personas.officer_a.pk
    assert "sensitive_shown" in event.changes


def test_profile_forbidden(personas, client_for, client, child_a):
    url = f"/children/{child_a.pk}/"
    assert client_for(personas.officer_b).get(url).status_code == 404
    assert client_for(personas.viewer).get(url).status_code == 403
    assert client.get(url).status_code == 302
    assert client_for(personas.officer_a).get("/children/999999/").status_code == 404
    assert _views(child_a.pk) == 0


def test_print_version_has_no_navigation_and_is_audited(personas, client_for, client, child_a):
    url = f"/children/{child_a.pk}/print/"
    response = client_for(personas.officer_a).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nguyễn Văn An" in html and "data-print-page" in html
    assert "main-nav" not in html and "<form" not in html
    assert _views(child_a.pk) == 1
    assert client_for(personas.officer_b).get(url).status_code == 404
    assert client_for(personas.viewer).get(url).status_code == 403
    assert client.get(url).status_code == 302


# --- registration -----------------------------------------------------------------------------------


def _form(units, **over):
    data = {
        "full_name": "Phạm Thị Duyên",
        "sex": "F",
        "date_of_birth": "04/05/2016",
        "commune": str(units.commune_a.pk),
        "address": "Tổ 3",
        "father_name": "Phạm Văn Long",
        "submission": "k1",
    }
    data.update(over)
    return data


def test_register_page_and_a_new_child(personas, client_for, units):
    client = client_for(personas.officer_a)
    html = client.get(NEW).content.decode()
    assert 'hx-post="/children/new/candidates"' in html and 'placeholder="dd/mm/yyyy"' in html
    response = client.post(NEW, _form(units))
    child = Child.objects.get(person__full_name="Phạm Thị Duyên")
    assert response.status_code == 302 and response["Location"] == f"/children/{child.pk}/"
    assert child.person.date_of_birth == date(2016, 5, 4) and child.admin_unit == units.commune_a
    assert RegistrationDecision.objects.get(child=child).decision == "new"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(child.pk)).exists()
    assert [c.person.full_name for c in child.caregivers.all()] == ["Phạm Văn Long"]
    # The same submit again (double click, reload) creates nothing more.
    client.post(NEW, _form(units))
    assert Child.objects.filter(person__full_name="Phạm Thị Duyên").count() == 1


def test_register_with_bad_input_keeps_what_was_typed(personas, client_for, units):
    response = client_for(personas.officer_a).post(NEW, _form(units, date_of_birth="31/02/2016"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "data-register-errors" in html and 'value="Phạm Thị Duyên"' in html and 'value="Tổ 3"' in html
    assert not Child.objects.filter(person__full_name="Phạm Thị Duyên").exists()


def test_register_shows_a_likely_duplicate_and_links_instead(personas, client_for, units, child_a):
    client = client_for(personas.officer_a)
    data = _form(units, full_name="Nguyen Van An", sex="M", date_of_birth="04/05/2016")
    response = client.post(NEW, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-candidate="{child_a.pk}"' in html and 'value="Nguyen Van An"' in html
    assert Child.objects.count() == 1
    response = client.post(NEW, {**data, "decision": str(child_a.pk)})
    assert response.status_code == 302 and response["Location"] == f"/children/{child_a.pk}/"
    assert Child.objects.count() == 1
    assert RegistrationDecision.objects.get(child=child_a).decision == "linked"
    # Or the officer confirms that this is another child.
    response = client.post(NEW, {**data, "submission": "k2", "decision": "new"})
    assert response.status_code == 302 and Child.objects.count() == 2


def test_register_cannot_link_to_a_child_out_of_scope(personas, client_for, units, child_a):
    data = _form(units, commune=str(units.commune_b.pk), decision=str(child_a.pk))
    response = client_for(personas.officer_b).post(NEW, data)
    assert response.status_code == 404
    assert not RegistrationDecision.objects.exists()


def test_register_forbidden(personas, client_for, client, units):
    assert client_for(personas.viewer).get(NEW).status_code == 403
    assert client_for(personas.chair_a).post(NEW, _form(units)).status_code == 403
    assert client.get(NEW).status_code == 302
    # A commune the officer does not work in is not a choice.
    response = client_for(personas.officer_b).post(NEW, _form(units))
    assert response.status_code == 400 and not Child.objects.exists()


def test_candidates_partial_shows_in_scope_candidates_only_and_audits(personas, client_for, units, child_a):
    typed = {"full_name": "nguyen van an", "sex": "M", "date_of_birth": "04/05/2016"}
    html = client_for(personas.officer_a).post(CANDIDATES, typed).content.decode()
    assert f'data-candidate="{child_a.pk}"' in html and "Nguyễn Văn An" in html
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="registry.child").last()
    assert event is not None and event.changes["ids"] == [child_a.pk]
    response = client_for(personas.officer_b).post(CANDIDATES, typed)
    assert response.status_code == 200
    assert (
        "Nguyễn Văn An" not in response.content.decode()
        and "data-candidate=" not in response.content.decode()
    )
    assert client_for(personas.viewer).post(CANDIDATES, typed).status_code == 403
    assert client_for(personas.officer_a).get(CANDIDATES).status_code == 405


def test_candidates_partial_anonymous(client):
    assert client.post(CANDIDATES, {"full_name": "an"}).status_code == 302


# --- edit -------------------------------------------------------------------------------------------


def test_edit_saves_with_the_current_version(personas, client_for, units, child_a):
    client = client_for(personas.officer_a)
    url = f"/children/{child_a.pk}/edit/"
    html = client.get(url).content.decode()
    assert 'value="Nguyễn Văn An"' in html and f'name="version" value="{child_a.version}"' in html
    assert _views(child_a.pk) == 1
    data = _form(units, full_name="Nguyễn Văn Ân", sex="M", version=str(child_a.version))
    response = client.post(url, data)
    assert response.status_code == 302
    child_a.refresh_from_db()
    assert child_a.person.full_name == "Nguyễn Văn Ân" and child_a.version == 2


def test_edit_with_a_stale_version_is_409_and_keeps_the_input(personas, client_for, units, child_a):
    url = f"/children/{child_a.pk}/edit/"
    Child.objects.filter(pk=child_a.pk).update(version=5)
    data = _form(units, full_name="Nguyễn Văn Ẩn", sex="M", version="1")
    response = client_for(personas.officer_a).post(url, data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "data-stale" in html and 'value="Nguyễn Văn Ẩn"' in html
    child_a.refresh_from_db()
    assert child_a.person.full_name == "Nguyễn Văn An"
    # The kept input now carries the current version: saved again on purpose, it goes through.
    assert 'name="version" value="5"' in html
    assert client_for(personas.officer_a).post(url, {**data, "version": "5"}).status_code == 302
    child_a.refresh_from_db()
    assert child_a.person.full_name == "Nguyễn Văn Ẩn"


def test_edit_forbidden(personas, client_for, client, child_a):
    url = f"/children/{child_a.pk}/edit/"
    assert client_for(personas.officer_b).get(url).status_code == 404
    assert client_for(personas.chair_a).get(url).status_code == 403
    assert client_for(personas.viewer).get(url).status_code == 403
    assert client.get(url).status_code == 302


# --- circumstances and risks ------------------------------------------------------------------------


def test_add_and_end_a_circumstance(personas, client_for, child_a):
    client = client_for(personas.officer_a)
    url = f"/children/{child_a.pk}/circumstances/"
    response = client.post(url, {"group": "d", "start_date": "01/03/2024", "source": "commune_review"})
    assert response.status_code == 302
    row = SpecialCircumstance.objects.get(child=child_a)
    assert row.group == "d" and row.start_date == date(2024, 3, 1)
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="registry.specialcircumstance"
    ).exists()
    response = client.post(f"/children/{child_a.pk}/circumstances/{row.pk}/end/", {"end_date": "01/04/2024"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.end_date == date(2024, 4, 1)


def test_a_bad_circumstance_writes_nothing(personas, client_for, child_a):
    client = client_for(personas.officer_a)
    response = client.post(
        f"/children/{child_a.pk}/circumstances/", {"group": "d", "start_date": "32/01/2024"}
    )
    assert response.status_code == 302
    assert not SpecialCircumstance.objects.exists()
    follow = client.get(response["Location"]).content.decode()
    assert "message-error" in follow


def test_add_and_end_a_risk(personas, client_for, child_a):
    client = client_for(personas.officer_a)
    response = client.post(
        f"/children/{child_a.pk}/risks/", {"risk_type": "neglect", "start_date": "01/03/2024"}
    )
    assert response.status_code == 302
    flag = RiskFlag.objects.get(child=child_a)
    response = client.post(f"/children/{child_a.pk}/risks/{flag.pk}/end/", {"end_date": "02/03/2024"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.end_date == date(2024, 3, 2)
    assert AuditEvent.objects.filter(object_type="registry.riskflag").count() == 2


def test_classification_writes_forbidden(personas, client_for, client, child_a):
    row = SpecialCircumstanceFactory(child=child_a, group=SpecialGroup.D)
    flag = RiskFlagFactory(child=child_a)
    posts = [
        (f"/children/{child_a.pk}/circumstances/", {"group": "a", "start_date": "01/03/2024"}),
        (f"/children/{child_a.pk}/circumstances/{row.pk}/end/", {"end_date": "01/04/2024"}),
        (f"/children/{child_a.pk}/risks/", {"risk_type": "neglect", "start_date": "01/03/2024"}),
        (f"/children/{child_a.pk}/risks/{flag.pk}/end/", {"end_date": "01/04/2024"}),
    ]
    for url, data in posts:
        assert client_for(personas.officer_b).post(url, data).status_code == 404
        assert client_for(personas.chair_a).post(url, data).status_code == 403
        assert client.post(url, data).status_code == 302
    row.refresh_from_db()
    flag.refresh_from_db()
    assert row.end_date is None and flag.end_date is None
    assert SpecialCircumstance.objects.count() == 1 and RiskFlag.objects.count() == 1


def test_sensitive_classification_ended_only_by_roles_that_see_it(personas, client_for, child_a):
    row = SpecialCircumstanceFactory(child=child_a, group=SpecialGroup.L)
    url = f"/children/{child_a.pk}/circumstances/{row.pk}/end/"
    assert client_for(personas.collaborator_a).post(url, {"end_date": "01/04/2024"}).status_code == 403
    row.refresh_from_db()
    assert row.end_date is None
    # The province's case manager works cases: sees it and may end it.
    assert client_for(personas.case_manager).post(url, {"end_date": "01/04/2024"}).status_code == 302
    row.refresh_from_db()
    assert row.end_date == date(2024, 4, 1)


# --- household --------------------------------------------------------------------------------------


def test_household_page(personas, client_for, client, child_a):
    household = HouseholdFactory(admin_unit=child_a.admin_unit, address="Tổ 9")
    Child.objects.filter(pk=child_a.pk).update(household=household)
    url = f"/children/households/{household.pk}/"
    response = client_for(personas.officer_a).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nguyễn Văn An" in html and "Tổ 9" in html
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="registry.household")
    assert event.object_id == str(household.pk) and event.changes["children"] == [child_a.pk]
    assert client_for(personas.officer_b).get(url).status_code == 404
    assert client_for(personas.viewer).get(url).status_code == 403
    assert client.get(url).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="registry.household").count() == 1
