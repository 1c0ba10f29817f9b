"""The directory pages: allowed, forbidden (another province → 404, may read but not keep → 403, anonymous →
login) and audited writes, for every view. Reads write no audit event: the directory holds no personal
data (accounts.roles, ORG_VIEW)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mangnon.accounts.models import User
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.core.navigation import items_for
from mangnon.orgs.codes import OrgKind, ServiceType
from mangnon.orgs.models import Organisation
from mangnon.orgs.tests.factories import OrganisationFactory, other_province_commune

pytestmark = pytest.mark.django_db

LIST = "/directory/"
NEW = "/directory/new/"


@pytest.fixture
def school_a(units):
    return OrganisationFactory(name="Trường THCS Hồng Hải", admin_unit=units.commune_a)


@pytest.fixture
def elsewhere(db):
    return OrganisationFactory(name="Trường THCS Nơi Khác", admin_unit=other_province_commune())


def org_events():
    return AuditEvent.objects.filter(object_type="orgs.organisation")


def login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_url_names():
    assert reverse("orgs:list") == LIST
    assert reverse("orgs:create") == NEW
    assert reverse("orgs:detail", args=[7]) == "/directory/7/"
    assert reverse("orgs:edit", args=[7]) == "/directory/7/edit/"
    assert reverse("orgs:deactivate", args=[7]) == "/directory/7/deactivate/"
    assert reverse("orgs:reactivate", args=[7]) == "/directory/7/reactivate/"


def test_menu_entry_for_every_role(personas):
    for user in personas.all().values():
        assert "directory" in [i["key"] for i in items_for(user)], user.username
    assert "directory" not in [i["key"] for i in items_for(User.objects.create(username="nobody"))]


# --- list -------------------------------------------------------------------------------------------


def test_list_shows_the_province_directory_and_writes_no_audit_event(personas, client_for, units, school_a):
    OrganisationFactory(name="Trung tâm Công tác xã hội tỉnh", kind=OrgKind.SOCIAL_WORK_CENTRE,
                        admin_unit=units.province, services=[ServiceType.PSYCHOLOGICAL])  # fmt: skip
    OrganisationFactory(name="Trường THCS Nơi Khác", admin_unit=other_province_commune())
    response = client_for(personas.officer_b).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Trường THCS Hồng Hải" in html and "Trung tâm Công tác xã hội tỉnh" in html
    assert "Trường THCS Nơi Khác" not in html
    assert 'data-total="2"' in html and "data-create" in html
    assert not org_events().exists()


def test_list_filters(personas, client_for, units, school_a):
    OrganisationFactory(name="Bệnh viện Tiên Yên", kind=OrgKind.HOSPITAL, admin_unit=units.commune_b,
                        services=[ServiceType.MEDICAL])  # fmt: skip
    OrganisationFactory(name="Trường THCS Đã Đóng", active=False)
    client = client_for(personas.viewer)
    html = client.get(LIST, {"q": "hong hai"}).content.decode()
    assert "Trường THCS Hồng Hải" in html and "Bệnh viện Tiên Yên" not in html
    html = client.get(LIST, {"kind": "hospital"}).content.decode()
    assert "Bệnh viện Tiên Yên" in html and "Trường THCS Hồng Hải" not in html
    html = client.get(LIST, {"commune": units.commune_b.code}).content.decode()
    assert "Bệnh viện Tiên Yên" in html and "Trường THCS Hồng Hải" not in html
    html = client.get(LIST, {"service": "medical"}).content.decode()
    assert "Bệnh viện Tiên Yên" in html and "Trường THCS Hồng Hải" not in html
    html = client.get(LIST, {"status": "inactive"}).content.decode()
    assert "Trường THCS Đã Đóng" in html and "data-inactive" in html and "Trường THCS Hồng Hải" not in html
    assert "data-no-organisations" in client.get(LIST, {"q": "không có"}).content.decode()
    assert "data-create" not in html  # the leadership viewer reads the directory but does not keep it


def test_list_bad_filter_is_400(personas, client_for):
    response = client_for(personas.officer_a).get(LIST, {"kind": "castle"})
    assert response.status_code == 400 and "data-form-errors" in response.content.decode()


def test_list_paginates(personas, client_for, units):
    OrganisationFactory.create_batch(27, admin_unit=units.commune_a)
    client = client_for(personas.officer_a)
    html = client.get(LIST).content.decode()
    assert html.count("data-org-id=") == 25 and "data-pagination" in html
    assert client.get(LIST, {"page": "2"}).content.decode().count("data-org-id=") == 2


def test_list_forbidden_without_a_membership_and_for_anonymous(client_for, client):
    assert client_for(User.objects.create(username="nobody")).get(LIST).status_code == 403
    assert login_redirect(client.get(LIST))


# --- detail -----------------------------------------------------------------------------------------


def test_detail_for_every_role_of_the_province(personas, client_for, school_a):
    url = f"/directory/{school_a.pk}/"
    html = client_for(personas.officer_b).get(url).content.decode()
    assert "Trường THCS Hồng Hải" in html and "data-edit" not in html  # reads, does not keep it
    html = client_for(personas.officer_a).get(url).content.decode()
    assert "data-edit" in html and "data-deactivate" in html
    assert client_for(personas.viewer).get(url).status_code == 200
    assert not org_events().exists()


def test_detail_forbidden(personas, client_for, client, elsewhere):
    assert client_for(personas.officer_a).get(f"/directory/{elsewhere.pk}/").status_code == 404
    assert client_for(personas.officer_a).get("/directory/999999/").status_code == 404
    nobody = client_for(User.objects.create(username="nobody"))
    assert nobody.get(f"/directory/{elsewhere.pk}/").status_code == 403
    assert login_redirect(client.get(f"/directory/{elsewhere.pk}/"))


# --- create -----------------------------------------------------------------------------------------


def _form(unit, **over):
    data = {
        "name": "Trường THCS Hà Khánh",
        "kind": "school",
        "admin_unit": str(unit.pk),
        "services": ["education", "psychological"],
        "school_level": "lower_secondary",
        "boarding": "",
        "phone": "0203 3 111 222",
        "submission": "form-1",
    }
    return {**data, **over}


def test_create_page_offers_only_the_units_the_user_keeps(personas, client_for, units):
    html = client_for(personas.officer_a).get(NEW).content.decode()
    assert f'value="{units.commune_a.pk}" selected' in html and f'value="{units.commune_b.pk}"' not in html
    html = client_for(personas.province_officer).get(NEW).content.decode()
    assert f'value="{units.province.pk}"' in html and f'value="{units.commune_b.pk}"' in html


def test_create_adds_once_and_is_audited(personas, client_for, units):
    client = client_for(personas.officer_a)
    response = client.post(NEW, _form(units.commune_a))
    org = Organisation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/directory/{org.pk}/"
    assert org.services == ["psychological", "education"] and org.created_by == personas.officer_a
    assert client.post(NEW, _form(units.commune_a)).status_code == 302  # a double submit
    assert Organisation.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(org.pk)).count() == 1


def test_create_keeps_what_was_typed_on_an_error(personas, client_for, units):
    response = client_for(personas.officer_a).post(NEW, _form(units.commune_a, kind="police", email="a@"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Trường THCS Hà Khánh"' in html and "data-form-errors" in html
    assert not Organisation.objects.exists() and not org_events().exists()


def test_create_forbidden(personas, client_for, client, units):
    assert client_for(personas.viewer).get(NEW).status_code == 403
    assert client_for(personas.hotline).post(NEW, _form(units.commune_a)).status_code == 403
    # A unit the officer does not keep is not a choice: the form refuses it.
    assert client_for(personas.officer_b).post(NEW, _form(units.commune_a)).status_code == 400
    assert login_redirect(client.get(NEW))
    assert not Organisation.objects.exists()


# --- edit -------------------------------------------------------------------------------------------


def _edit(org, **over):
    data = {
        "name": org.name,
        "kind": org.kind,
        "admin_unit": str(org.admin_unit_id),
        "services": list(org.services),
        "school_level": "",
        "boarding": "",
        "version": str(org.version),
    }
    return {**data, **over}


def test_edit_saves_and_is_audited(personas, client_for, school_a):
    url = f"/directory/{school_a.pk}/edit/"
    client = client_for(personas.officer_a)
    html = client.get(url).content.decode()
    assert 'value="Trường THCS Hồng Hải"' in html
    response = client.post(url, _edit(school_a, name="Trường THCS Hồng Hải 2", address="Tổ 5"))
    assert response.status_code == 302
    school_a.refresh_from_db()
    assert school_a.name == "Trường THCS Hồng Hải 2" and school_a.version == 2
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.changes["name"] == ["Trường THCS Hồng Hải", "Trường THCS Hồng Hải 2"]


def test_edit_of_a_stale_version_keeps_the_input(personas, client_for, school_a):
    Organisation.objects.filter(pk=school_a.pk).update(version=5)
    response = client_for(personas.officer_a).post(
        f"/directory/{school_a.pk}/edit/", _edit(school_a, name="Tên tôi vừa gõ")
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "data-stale" in html and 'value="Tên tôi vừa gõ"' in html and 'name="version" value="5"' in html
    assert Organisation.objects.get().name == "Trường THCS Hồng Hải" and not org_events().exists()


def test_edit_forbidden(personas, client_for, client, school_a, elsewhere):
    url = f"/directory/{school_a.pk}/edit/"
    assert client_for(personas.officer_b).get(url).status_code == 403
    assert client_for(personas.officer_b).post(url, _edit(school_a, name="X")).status_code == 403
    assert client_for(personas.viewer).get(url).status_code == 403
    assert client_for(personas.province_officer).get(f"/directory/{elsewhere.pk}/edit/").status_code == 404
    assert login_redirect(client.get(url))
    assert Organisation.objects.get(pk=school_a.pk).name == "Trường THCS Hồng Hải"


# --- deactivate and reactivate ----------------------------------------------------------------------


def test_deactivate_and_reactivate(personas, client_for, school_a):
    client = client_for(personas.officer_a)
    response = client.post(f"/directory/{school_a.pk}/deactivate/", {"version": "1"})
    assert response.status_code == 302
    school_a.refresh_from_db()
    assert not school_a.active
    html = client.get(f"/directory/{school_a.pk}/").content.decode()
    assert "data-reactivate" in html and "data-inactive" in html
    assert "Trường THCS Hồng Hải" not in client.get(LIST).content.decode()
    client.post(f"/directory/{school_a.pk}/reactivate/", {"version": "2"})
    school_a.refresh_from_db()
    assert school_a.active and school_a.version == 3
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(school_a.pk)).count() == 2


def test_deactivate_with_a_stale_version_changes_nothing(personas, client_for, school_a):
    response = client_for(personas.officer_a).post(
        f"/directory/{school_a.pk}/deactivate/", {"version": "7"}, follow=True
    )
    assert "message-error" in response.content.decode()
    assert Organisation.objects.get().active and not org_events().exists()


def test_deactivate_forbidden(personas, client_for, client, school_a, elsewhere):
    url = f"/directory/{school_a.pk}/deactivate/"
    assert client_for(personas.officer_b).post(url, {"version": "1"}).status_code == 403
    assert client_for(personas.hotline).post(url, {"version": "1"}).status_code == 403
    other = f"/directory/{elsewhere.pk}/deactivate/"
    assert client_for(personas.province_officer).post(other, {"version": "1"}).status_code == 404
    assert login_redirect(client.post(url, {"version": "1"}))
    assert client_for(personas.officer_a).get(url).status_code == 405
    assert Organisation.objects.filter(active=True).count() == 2
