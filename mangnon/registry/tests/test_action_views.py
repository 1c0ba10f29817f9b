"""The registry's action pages (move, merge, consent, caregivers, households): allowed, forbidden (other
commune → 404, a role without the action → 403, anonymous → login), audited, and what each one changes.
A refused write shows why and writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.registry.codes import ChildStatus, SpecialGroup
from mangnon.registry.models import (
    Caregiver,
    Child,
    Consent,
    Household,
    HouseholdMember,
    HouseholdStatus,
    Person,
)
from mangnon.registry.tests.factories import (
    CaregiverFactory,
    ChildFactory,
    HouseholdFactory,
    SpecialCircumstanceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def child_a(units):
    return ChildFactory(admin_unit=units.commune_a, person__full_name="Nguyễn Văn An")


@pytest.fixture
def carer(child_a):
    return CaregiverFactory(child=child_a, person__full_name="Nguyễn Văn Bố", relationship="father")


def _events(action, object_type, object_id=None):
    events = AuditEvent.objects.filter(action=action, object_type=object_type)
    return events.filter(object_id=str(object_id)) if object_id is not None else events


def _assert_forbidden(personas, client_for, client, method, url, data=None, *, roles_403=None):
    """Commune B's officer → 404; roles without the action → 403; anonymous → the login page."""
    call = (lambda c: c.get(url)) if method == "get" else (lambda c: c.post(url, data or {}))
    assert call(client_for(personas.officer_b)).status_code == 404
    for user in roles_403 or (personas.chair_a, personas.collaborator_a, personas.viewer):
        assert call(client_for(user)).status_code == 403
    response = call(client)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_url_names():
    assert reverse("registry:move", args=[7]) == "/children/7/move/"
    assert reverse("registry:merge", args=[7]) == "/children/7/merge/"
    assert reverse("registry:consent_record", args=[7]) == "/children/7/consents/"
    assert reverse("registry:consent_withdraw", args=[7, 2]) == "/children/7/consents/2/withdraw/"
    assert reverse("registry:caregiver_add", args=[7]) == "/children/7/caregivers/"
    assert reverse("registry:household_create", args=[7]) == "/children/7/household/"
    assert reverse("registry:household_member_add", args=[3]) == "/children/households/3/members/"
    assert reverse("registry:household_status", args=[3]) == "/children/households/3/status/"


# --- move --------------------------------------------------------------------------------------------


def test_move_page_offers_the_communes_the_officer_may_register_in(personas, client_for, units, child_a):
    url = f"/children/{child_a.pk}/move/"
    response = client_for(personas.province_officer).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="version" value="{child_a.version}"' in html
    assert f'<option value="{units.commune_b.pk}">' in html
    assert f'<option value="{units.commune_a.pk}">' not in html  # where the child is already
    event = _events(AuditAction.VIEW, "registry.child", child_a.pk).get()
    assert event.changes == {"page": "move"}
    # A commune officer registers only in their own commune: nowhere to move to, and the page says so.
    html = client_for(personas.officer_a).get(url).content.decode()
    assert "data-no-communes" in html and "data-move-form" not in html


def test_move_changes_the_scope(personas, client_for, units, child_a):
    url = f"/children/{child_a.pk}/move/"
    data = {"commune": str(units.commune_b.pk), "version": str(child_a.version)}
    response = client_for(personas.province_officer).post(url, data)
    assert response.status_code == 302 and response["Location"] == f"/children/{child_a.pk}/"
    child_a.refresh_from_db()
    assert child_a.admin_unit == units.commune_b and child_a.person.admin_unit == units.commune_b
    update = _events(AuditAction.UPDATE, "registry.child", child_a.pk).get()
    assert update.changes["admin_unit"] == [units.commune_a.code, units.commune_b.code]
    # The old commune's officer no longer sees the child; the new commune's does.
    assert client_for(personas.officer_a).get(f"/children/{child_a.pk}/").status_code == 404
    assert client_for(personas.officer_b).get(f"/children/{child_a.pk}/").status_code == 200


def test_move_with_a_stale_version_says_so_and_writes_nothing(personas, client_for, units, child_a):
    Child.objects.filter(pk=child_a.pk).update(version=5)
    url = f"/children/{child_a.pk}/move/"
    data = {"commune": str(units.commune_b.pk), "version": "1"}
    response = client_for(personas.province_officer).post(url, data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "data-stale" in html
    # The choice is kept, now against the current version: sent again on purpose, it goes through.
    assert f'<option value="{units.commune_b.pk}" selected>' in html and 'name="version" value="5"' in html
    child_a.refresh_from_db()
    assert child_a.admin_unit == units.commune_a
    assert not _events(AuditAction.UPDATE, "registry.child").exists()
    response = client_for(personas.province_officer).post(url, {**data, "version": "5"})
    assert response.status_code == 302


def test_move_to_a_commune_that_is_not_a_choice_writes_nothing(personas, client_for, units, child_a):
    url = f"/children/{child_a.pk}/move/"
    data = {"commune": str(units.commune_b.pk), "version": str(child_a.version)}
    response = client_for(personas.officer_a).post(url, data)
    assert response.status_code == 400 and "data-move-errors" not in response.content.decode()
    child_a.refresh_from_db()
    assert child_a.admin_unit == units.commune_a


def test_move_forbidden(personas, client_for, client, units, child_a):
    url = f"/children/{child_a.pk}/move/"
    _assert_forbidden(personas, client_for, client, "get", url)
    data = {"commune": str(units.commune_b.pk), "version": "1"}
    _assert_forbidden(personas, client_for, client, "post", url, data)
    child_a.refresh_from_db()
    assert child_a.admin_unit == units.commune_a
    assert not _events(AuditAction.VIEW, "registry.child").exists()


# --- merge -------------------------------------------------------------------------------------------


@pytest.fixture
def twin(units):
    """The same child registered a second time, without diacritics."""
    return ChildFactory(admin_unit=units.commune_a, person__full_name="Nguyen Van An")


def test_merge_page_lists_the_likely_duplicates_in_scope(personas, client_for, units, child_a, twin):
    elsewhere = ChildFactory(admin_unit=units.commune_b, person__full_name="Nguyễn Văn An")
    response = client_for(personas.officer_a).get(f"/children/{child_a.pk}/merge/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-candidate="{twin.pk}"' in html and f'data-candidate="{elsewhere.pk}"' not in html
    assert f'href="/children/{child_a.pk}/merge/?other={twin.pk}"' in html
    shown = AuditEvent.objects.get(action=AuditAction.VIEW, changes__page="merge_candidates")
    assert shown.changes["ids"] == [twin.pk]
    assert _events(AuditAction.VIEW, "registry.child", child_a.pk).get().changes == {"page": "merge"}


def test_merge_compares_both_records_side_by_side(personas, client_for, child_a, twin, carer):
    SpecialCircumstanceFactory(child=twin, group=SpecialGroup.D)
    response = client_for(personas.officer_a).get(f"/children/{child_a.pk}/merge/", {"other": twin.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-merge-compare" in html and "Nguyen Van An" in html and "Nguyễn Văn Bố" in html
    assert f'data-keep="{child_a.pk}"' in html and f'data-keep="{twin.pk}"' in html
    # Both records were shown: both views are audited.
    assert _events(AuditAction.VIEW, "registry.child", child_a.pk).exists()
    assert _events(AuditAction.VIEW, "registry.child", twin.pk).exists()


def test_merge_keeps_the_chosen_record_and_the_other_id_redirects(personas, client_for, child_a, twin):
    client = client_for(personas.officer_a)
    SpecialCircumstanceFactory(child=twin, group=SpecialGroup.D)
    response = client.post(f"/children/{child_a.pk}/merge/", {"other": twin.pk, "keep": child_a.pk})
    assert response.status_code == 302 and response["Location"] == f"/children/{child_a.pk}/"
    twin.refresh_from_db()
    assert twin.status == ChildStatus.MERGED and twin.merged_into_id == child_a.pk
    assert child_a.circumstances.filter(group=SpecialGroup.D).exists()
    assert _events(AuditAction.UPDATE, "registry.child", twin.pk).get().changes["merged_into"] == child_a.pk
    assert _events(AuditAction.UPDATE, "registry.child", child_a.pk).get().changes["merged_from"] == twin.pk
    # The merged record's id leads to the survivor, on the profile and on the merge page.
    response = client.get(f"/children/{twin.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/children/{child_a.pk}/"
    response = client.get(f"/children/{twin.pk}/merge/")
    assert response.status_code == 302 and response["Location"] == f"/children/{child_a.pk}/merge/"


def test_merge_may_keep_the_other_record(personas, client_for, child_a, twin):
    client = client_for(personas.province_officer)
    response = client.post(f"/children/{child_a.pk}/merge/", {"other": twin.pk, "keep": twin.pk})
    assert response.status_code == 302 and response["Location"] == f"/children/{twin.pk}/"
    child_a.refresh_from_db()
    assert child_a.status == ChildStatus.MERGED and child_a.merged_into_id == twin.pk
    assert client.get(f"/children/{child_a.pk}/")["Location"] == f"/children/{twin.pk}/"


def test_merge_refuses_what_cannot_be_merged_and_writes_nothing(personas, client_for, units, child_a, twin):
    client = client_for(personas.officer_a)
    url = f"/children/{child_a.pk}/merge/"
    elsewhere = ChildFactory(admin_unit=units.commune_b)
    # Outside the scope and not existing read the same: existence is not revealed.
    for number in (elsewhere.pk, 999999):
        response = client.get(url, {"other": number})
        assert response.status_code == 400 and "data-merge-errors" in response.content.decode()
        assert client.post(url, {"other": number, "keep": child_a.pk}).status_code == 400
    assert client.get(url, {"other": child_a.pk}).status_code == 400  # itself
    response = client.post(url, {"other": twin.pk, "keep": elsewhere.pk})  # neither of the two
    assert response.status_code == 400 and "data-merge-compare" in response.content.decode()
    assert not Child.objects.filter(status=ChildStatus.MERGED).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()
    # A record merged already is not offered again.
    third = ChildFactory(admin_unit=units.commune_a)
    Child.objects.filter(pk=third.pk).update(status=ChildStatus.MERGED, merged_into=twin)
    assert client.post(url, {"other": third.pk, "keep": child_a.pk}).status_code == 400
    assert Child.objects.filter(status=ChildStatus.MERGED).count() == 1


def test_merge_only_for_roles_that_may_merge(personas, client_for, client, child_a, twin):
    url = f"/children/{child_a.pk}/merge/"
    # The case manager edits records but does not merge them: no button, no page.
    roles = (personas.case_manager, personas.chair_a, personas.collaborator_a, personas.viewer)
    _assert_forbidden(personas, client_for, client, "get", url, roles_403=roles)
    data = {"other": twin.pk, "keep": child_a.pk}
    _assert_forbidden(personas, client_for, client, "post", url, data, roles_403=roles)
    assert not Child.objects.filter(status=ChildStatus.MERGED).exists()
    profile = f"/children/{child_a.pk}/"
    assert "data-merge" not in client_for(personas.case_manager).get(profile).content.decode()
    html = client_for(personas.officer_a).get(profile).content.decode()
    assert f'href="{url}"' in html and f'href="/children/{child_a.pk}/move/"' in html


# --- consent -----------------------------------------------------------------------------------------


def _consent(**over):
    data = {"purpose": "registration", "given_on": "01/03/2024", "given_by_child": "on"}
    data.update(over)
    return data


def test_profile_offers_the_consent_forms_to_editors_only(personas, client_for, child_a, carer):
    Consent.objects.create(
        child=child_a, purpose="case_work", given_by=carer.person, given_on=date(2024, 1, 2)
    )
    html = client_for(personas.officer_a).get(f"/children/{child_a.pk}/").content.decode()
    assert "data-record-consent" in html and "data-withdraw-consent" in html
    assert f'<option value="{carer.person_id}">Nguyễn Văn Bố' in html
    for other in (
        client_for(personas.collaborator_a).get(f"/children/{child_a.pk}/"),
        client_for(personas.officer_a).get(f"/children/{child_a.pk}/print/"),
    ):
        assert other.status_code == 200
        html = other.content.decode()
        assert 'data-consent="case_work"' in html
        assert "data-record-consent" not in html and "data-withdraw-consent" not in html


def test_record_a_consent_given_by_a_caregiver(personas, client_for, child_a, carer):
    url = f"/children/{child_a.pk}/consents/"
    response = client_for(personas.officer_a).post(url, _consent(given_by=str(carer.person_id)))
    assert response.status_code == 302 and response["Location"] == f"/children/{child_a.pk}/#consents"
    consent = Consent.objects.get(child=child_a)
    assert consent.given_by == carer.person and consent.given_by_child
    assert consent.given_on == date(2024, 3, 1)
    assert _events(AuditAction.CREATE, "registry.consent", consent.pk).exists()


def test_a_guardian_typed_in_is_recorded_as_a_caregiver_too(personas, client_for, child_a):
    url = f"/children/{child_a.pk}/consents/"
    data = _consent(other_name="  Trần  Thị Lan ", other_relationship="guardian")
    assert client_for(personas.officer_a).post(url, data).status_code == 302
    consent = Consent.objects.get(child=child_a)
    assert consent.given_by is not None and consent.given_by.full_name == "Trần Thị Lan"
    assert Caregiver.objects.get(child=child_a).relationship == "guardian"


def test_consent_refused_by_the_service_shows_why_and_writes_nothing(personas, client_for, child_a):
    # The child is 7 or older: without the child's own agreement nothing is written, not even the carer.
    url = f"/children/{child_a.pk}/consents/"
    data = _consent(other_name="Trần Thị Lan", other_relationship="guardian", given_by_child="")
    response = client_for(personas.officer_a).post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "data-consent-errors" in html and 'value="Trần Thị Lan"' in html
    assert "data-facts" in html  # the profile, with the form beside its errors
    assert not Consent.objects.exists() and not Caregiver.objects.exists()
    assert not Person.objects.filter(full_name="Trần Thị Lan").exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


def test_consent_needs_one_guardian(personas, client_for, child_a, carer):
    url = f"/children/{child_a.pk}/consents/"
    client = client_for(personas.officer_a)
    both = _consent(given_by=str(carer.person_id), other_name="Trần Thị Lan", other_relationship="mother")
    assert client.post(url, both).status_code == 400
    assert client.post(url, _consent()).status_code == 400  # no one: the service's rule, on the form
    assert client.post(url, _consent(other_name="Trần Thị Lan")).status_code == 400  # no relationship
    assert not Consent.objects.exists() and Caregiver.objects.count() == 1


def test_withdraw_a_consent(personas, client_for, child_a, carer):
    consent = Consent.objects.create(
        child=child_a, purpose="registration", given_by=carer.person, given_on=date(2024, 1, 2)
    )
    url = f"/children/{child_a.pk}/consents/{consent.pk}/withdraw/"
    client = client_for(personas.officer_a)
    response = client.post(url, {"withdrawn_on": "01/01/2024"})  # before it was given
    assert response.status_code == 302
    assert "message-error" in client.get(response["Location"]).content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
    response = client.post(url, {"withdrawn_on": "05/02/2024", "reason": "Gia đình chuyển đi"})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == date(2024, 2, 5) and consent.withdrawal_reason == "Gia đình chuyển đi"
    assert _events(AuditAction.UPDATE, "registry.consent", consent.pk).count() == 1
    html = client.get(f"/children/{child_a.pk}/").content.decode()
    assert "data-withdrawn" in html and "data-withdraw-consent" not in html
    # Withdrawn already: refused, said in a message.
    response = client.post(url, {"withdrawn_on": "06/02/2024"})
    assert "message-error" in client.get(response["Location"]).content.decode()
    assert _events(AuditAction.UPDATE, "registry.consent", consent.pk).count() == 1


def test_consent_writes_forbidden(personas, client_for, client, child_a, carer):
    consent = Consent.objects.create(
        child=child_a, purpose="registration", given_by=carer.person, given_on=date(2024, 1, 2)
    )
    record = f"/children/{child_a.pk}/consents/"
    _assert_forbidden(personas, client_for, client, "post", record, _consent(given_by=str(carer.person_id)))
    withdraw = f"/children/{child_a.pk}/consents/{consent.pk}/withdraw/"
    _assert_forbidden(personas, client_for, client, "post", withdraw, {"withdrawn_on": "05/02/2024"})
    consent.refresh_from_db()
    assert Consent.objects.count() == 1 and consent.withdrawn_on is None
    # Another child's consent is not reachable through this child.
    other = ChildFactory(admin_unit=child_a.admin_unit)
    response = client_for(personas.officer_a).post(
        f"/children/{other.pk}/consents/{consent.pk}/withdraw/", {"withdrawn_on": "05/02/2024"}
    )
    assert response.status_code == 404
    assert client_for(personas.officer_a).get(record).status_code == 405


# --- caregivers --------------------------------------------------------------------------------------


def test_add_a_caregiver(personas, client_for, child_a):
    url = f"/children/{child_a.pk}/caregivers/"
    data = {
        "full_name": "Trần Thị Lan",
        "relationship": "mother",
        "sex": "F",
        "birth_year": "1990",
        "phone": "0912345678",
        "is_primary": "on",
        "lives_with_child": "on",
    }
    response = client_for(personas.officer_a).post(url, data)
    assert response.status_code == 302 and response["Location"] == f"/children/{child_a.pk}/#family"
    carer = Caregiver.objects.select_related("person").get(child=child_a)
    assert carer.relationship == "mother" and carer.is_primary and carer.lives_with_child
    person = carer.person
    assert (person.full_name, person.sex, person.birth_year, person.phone) == (
        "Trần Thị Lan",
        "F",
        1990,
        "0912345678",
    )
    assert person.admin_unit == child_a.admin_unit
    assert _events(AuditAction.CREATE, "registry.caregiver", carer.pk).exists()


def test_a_bad_caregiver_keeps_the_input_and_writes_nothing(personas, client_for, child_a):
    url = f"/children/{child_a.pk}/caregivers/"
    client = client_for(personas.officer_a)
    response = client.post(url, {"full_name": "Trần Thị Lan", "relationship": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "data-caregiver-errors" in html and 'value="Trần Thị Lan"' in html
    # The service's own rule (a plausible year of birth), beside the field.
    response = client.post(url, {"full_name": "Trần Thị Lan", "relationship": "mother", "birth_year": "1800"})
    assert response.status_code == 400 and "data-caregiver-errors" in response.content.decode()
    assert not Caregiver.objects.exists() and not Person.objects.filter(full_name="Trần Thị Lan").exists()


def test_caregiver_add_forbidden(personas, client_for, client, child_a):
    data = {"full_name": "Trần Thị Lan", "relationship": "mother"}
    _assert_forbidden(personas, client_for, client, "post", f"/children/{child_a.pk}/caregivers/", data)
    assert not Caregiver.objects.exists()


# --- households --------------------------------------------------------------------------------------


def test_create_a_household_for_a_child_without_one(personas, client_for, child_a, carer):
    url = f"/children/{child_a.pk}/household/"
    client = client_for(personas.officer_a)
    profile = client.get(f"/children/{child_a.pk}/").content.decode()
    assert f'href="{url}"' in profile
    response = client.get(url)
    assert response.status_code == 200
    assert f'<option value="{carer.person_id}">' in response.content.decode()
    assert _events(AuditAction.VIEW, "registry.child", child_a.pk).last().changes == {
        "page": "household_create"
    }
    response = client.post(url, {"code": "HK-01", "address": "Tổ 4", "head": str(carer.person_id)})
    household = Household.objects.get(code="HK-01")
    assert response.status_code == 302 and response["Location"] == f"/children/households/{household.pk}/"
    child_a.refresh_from_db()
    assert child_a.household == household and household.head == carer.person
    assert household.admin_unit == child_a.admin_unit
    members = set(HouseholdMember.objects.filter(household=household).values_list("person_id", flat=True))
    assert members == {child_a.pk, carer.person_id}
    assert _events(AuditAction.CREATE, "registry.household", household.pk).exists()
    # The child has a household now: the page leads to it and creates nothing more.
    response = client.post(url, {"code": "HK-02"})
    assert response["Location"] == f"/children/households/{household.pk}/"
    assert Household.objects.count() == 1
    assert "data-create-household" not in client.get(f"/children/{child_a.pk}/").content.decode()


def test_household_create_forbidden(personas, client_for, client, child_a):
    url = f"/children/{child_a.pk}/household/"
    _assert_forbidden(personas, client_for, client, "get", url)
    _assert_forbidden(personas, client_for, client, "post", url, {"code": "HK-01"})
    assert not Household.objects.exists()


@pytest.fixture
def household(child_a):
    household = HouseholdFactory(admin_unit=child_a.admin_unit)
    HouseholdMember.objects.create(household=household, person=child_a.person)
    Child.objects.filter(pk=child_a.pk).update(household=household)
    return household


def test_household_page_offers_the_actions_to_editors_only(personas, client_for, household):
    url = f"/children/households/{household.pk}/"
    html = client_for(personas.officer_a).get(url).content.decode()
    assert "data-add-member" in html and "data-set-status" in html
    html = client_for(personas.chair_a).get(url).content.decode()
    assert "data-add-member" not in html and "data-set-status" not in html


def test_add_a_caregiver_of_the_households_children_as_member(personas, client_for, household, carer):
    url = f"/children/households/{household.pk}/members/"
    client = client_for(personas.officer_a)
    response = client.get(url)
    assert response.status_code == 200
    assert f'<option value="{carer.person_id}">Nguyễn Văn Bố' in response.content.decode()
    assert _events(AuditAction.VIEW, "registry.household", household.pk).get().changes == {
        "page": "add_member"
    }
    response = client.post(url, {"person": str(carer.person_id), "relationship_to_head": "father"})
    assert response.status_code == 302 and response["Location"] == f"/children/households/{household.pk}/"
    member = HouseholdMember.objects.get(household=household, person=carer.person)
    assert member.relationship_to_head == "father"
    update = _events(AuditAction.UPDATE, "registry.household", household.pk).get()
    assert update.changes["member_added"] == carer.person_id
    # A member already: no longer offered.
    assert f'<option value="{carer.person_id}">' not in client.get(url).content.decode()


def test_add_a_registered_child_as_member_by_number(personas, client_for, units, household):
    sibling = ChildFactory(admin_unit=units.commune_a)
    url = f"/children/households/{household.pk}/members/"
    client = client_for(personas.province_officer)
    assert client.post(url, {"child": str(sibling.pk), "relationship_to_head": "sibling"}).status_code == 302
    sibling.refresh_from_db()
    assert sibling.household == household
    # A child of another commune, another household's child, nothing at all: refused, nothing written.
    elsewhere = ChildFactory(admin_unit=units.commune_b)
    other_home = ChildFactory(admin_unit=units.commune_a, household=HouseholdFactory())
    for data in ({"child": str(elsewhere.pk)}, {"child": str(other_home.pk)}, {}, {"child": "999999"}):
        response = client.post(url, data)
        assert response.status_code == 400 and "data-member-errors" in response.content.decode()
    assert HouseholdMember.objects.filter(household=household).count() == 2


def test_household_member_add_forbidden(personas, client_for, client, household, carer):
    url = f"/children/households/{household.pk}/members/"
    _assert_forbidden(personas, client_for, client, "get", url)
    _assert_forbidden(personas, client_for, client, "post", url, {"person": str(carer.person_id)})
    assert HouseholdMember.objects.filter(household=household).count() == 1


def test_set_a_years_status(personas, client_for, household):
    url = f"/children/households/{household.pk}/status/"
    client = client_for(personas.officer_a)
    response = client.get(url)
    assert response.status_code == 200
    assert _events(AuditAction.VIEW, "registry.household", household.pk).get().changes == {"page": "status"}
    response = client.post(url, {"year": "2024", "status": "poor"})
    assert response.status_code == 302 and response["Location"] == f"/children/households/{household.pk}/"
    assert client.post(url, {"year": "2024", "status": "near_poor"}).status_code == 302
    assert HouseholdStatus.objects.get(household=household, year=2024).status == "near_poor"
    assert _events(AuditAction.UPDATE, "registry.household", household.pk).count() == 2
    # An implausible year: the service's rule, beside the field; nothing written.
    response = client.post(url, {"year": "1990", "status": "poor"})
    assert response.status_code == 400 and "data-status-errors" in response.content.decode()
    assert HouseholdStatus.objects.filter(household=household).count() == 1


def test_household_status_forbidden(personas, client_for, client, household):
    url = f"/children/households/{household.pk}/status/"
    _assert_forbidden(personas, client_for, client, "get", url)
    _assert_forbidden(personas, client_for, client, "post", url, {"year": "2024", "status": "poor"})
    assert not HouseholdStatus.objects.exists()
