"""The intake pages: allowed, forbidden (out of scope → 404, wrong role → 403, anonymous → login) and
audited, for every view; the keyboard-first screen; typed text kept on a refused save; repeat callers
and children recognised as typed; the emergency path."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from mangnon.core.models import AuditAction, AuditEvent
from mangnon.core.navigation import items_for
from mangnon.intake.codes import ContactKind, NonDataType, Outcome, Urgency
from mangnon.intake.models import Contact, ContactChild
from mangnon.intake.tests.factories import ContactChildFactory, ContactFactory
from mangnon.registry.models import Child
from mangnon.registry.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

NEW = "/intake/new/"
LIST = "/intake/"


def form(**over):
    data = {
        "contact_type": "data",
        "channel": "phone",
        "line": "111",
        "caller_phone": "0912 345 678",
        "caller_name": "Trần Văn Khải",
        "caller_relationship": "neighbour",
        "reasons": ["violence.physical"],
        "urgency": "normal",
        "narrative": "Hàng xóm nghe tiếng trẻ khóc.",
        "outcome": "",
        "received_at": "",
        "submission": "form-1",
        "child-TOTAL_FORMS": "2",
        "child-INITIAL_FORMS": "0",
        "child-MIN_NUM_FORMS": "0",
        "child-MAX_NUM_FORMS": "10",
    }
    return {**data, **over}


def views_of(contact: Contact) -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="intake.contact", object_id=str(contact.pk)
    ).count()


def test_url_names():
    assert reverse("intake:list") == LIST
    assert reverse("intake:new") == NEW
    assert reverse("intake:detail", args=[5]) == "/intake/5/"
    assert reverse("intake:edit", args=[5]) == "/intake/5/edit/"
    assert reverse("intake:register_child", args=[5, 2]) == "/intake/5/children/2/register/"


def test_menu_entries(personas):
    def keys(user):
        return [i["key"] for i in items_for(user)]

    assert {"intake", "contacts"} <= set(keys(personas.hotline))
    assert {"intake", "contacts"} <= set(keys(personas.officer_a))
    assert "contacts" in keys(personas.province_manager) and "intake" not in keys(personas.province_manager)
    for user in (personas.viewer, personas.chair_a, personas.collaborator_a, personas.system_admin):
        assert not {"intake", "contacts"} & set(keys(user))


# --- the intake screen ------------------------------------------------------------------------------


def test_screen_is_keyboard_first(personas, client_for):
    response = client_for(personas.hotline).get(NEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert "autofocus" in html and "intake/intake.js" in html
    # every channel and every type of contact carries its shortcut, shown on screen
    for key in (
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "0",
        "I",
        "C",
        "Q",
        "N",
        "G",
        "K",
        "X",
        "U",
        "L",
        "R",
        "P",
    ):
        assert f'data-shortcut="{key}"' in html and f"Alt+{key}" in html
    # the type comes first in the tab order, then the channel, the emergency toggle and the caller
    fields = ("contact_type", "channel", "emergency", "caller_phone", "reasons", "narrative")
    order = [html.index(f'name="{name}"') for name in fields]
    assert order == sorted(order)
    # the filter matches the labels the officer reads (Vietnamese, without diacritics)
    assert 'data-reason="violence.sexual"' in html and 'data-search="xam hai tinh duc bao luc' in html
    assert 'name="submission"' in html and 'hx-post="/intake/new/previous"' in html
    assert 'value="111" selected' in html  # the only line of the test database


def test_non_data_contact_in_two_keystrokes_stores_no_reasons(personas, client_for):
    client = client_for(personas.hotline)
    # what the untouched screen sends once the type is chosen
    minimal = {
        "contact_type": NonDataType.SILENT, "channel": "phone", "line": "111", "urgency": "normal",
        "caller_relationship": "unknown", "submission": "k", "child-TOTAL_FORMS": "2",
        "child-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = client.post(NEW, minimal)
    assert response.status_code == 302 and response["Location"] == NEW
    contact = Contact.objects.get()
    assert contact.kind == ContactKind.NON_DATA and contact.non_data_type == NonDataType.SILENT
    assert not contact.reasons.exists() and contact.counsellor == personas.hotline
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="intake.contact").count() == 1
    assert "message-success" in client.get(NEW).content.decode()  # ready for the next call


def test_data_contact_with_children_is_saved(personas, client_for, units):
    child = ChildFactory(admin_unit=units.commune_a, person__full_name="Lê Văn Tâm")
    data = form(
        commune=str(units.commune_a.pk),
        linked_children=[str(child.pk)],
        **{"child-0-name": "Bé Na", "child-0-age": "9", "child-0-sex": "F"},
    )
    response = client_for(personas.hotline).post(NEW, data)
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.admin_unit == units.commune_a and contact.caller_phone == "0912345678"
    rows = list(contact.children.order_by("pk"))
    assert rows[0].child == child and rows[1].name == "Bé Na" and rows[1].age == 9


def test_refused_save_keeps_everything_typed(personas, client_for, units):
    child = ChildFactory(admin_unit=units.commune_a, person__full_name="Lê Văn Tâm")
    data = form(
        reasons=[],
        narrative="Một câu chuyện dài mà người gọi kể.",
        linked_children=[str(child.pk)],
        **{"child-0-name": "Bé Na", "child-0-age": "9"},
    )
    response = client_for(personas.hotline).post(NEW, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "data-intake-errors" in html
    assert "Một câu chuyện dài mà người gọi kể." in html
    assert 'value="0912 345 678"' in html and 'value="Trần Văn Khải"' in html
    assert 'value="Bé Na"' in html and 'value="9"' in html
    assert re.search(rf'value="{child.pk}"\s+checked', html) and "Lê Văn Tâm" in html
    assert Contact.objects.count() == 0


def test_non_data_type_with_reasons_ticked_comes_back_with_them(personas, client_for):
    response = client_for(personas.hotline).post(NEW, form(contact_type=NonDataType.ABUSIVE))
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'value="violence.physical"\s+checked', html)
    assert Contact.objects.count() == 0


def test_anonymous_caller_with_a_name_is_refused(personas, client_for):
    response = client_for(personas.hotline).post(NEW, form(caller_anonymous="on"))
    assert response.status_code == 400 and Contact.objects.count() == 0


def test_double_submit_makes_one_contact(personas, client_for):
    client = client_for(personas.hotline)
    assert client.post(NEW, form()).status_code == 302
    assert client.post(NEW, form()).status_code == 302
    assert Contact.objects.count() == 1
    response = client.post(NEW, form(narrative="Khác"))  # same key, other details
    assert response.status_code == 400 and Contact.objects.count() == 1


def test_emergency_save_offers_to_open_a_case(personas, client_for):
    client = client_for(personas.hotline)
    response = client.post(NEW, form(emergency="on"))
    contact = Contact.objects.get()
    assert contact.urgency == Urgency.EMERGENCY
    assert response.status_code == 302 and response["Location"] == f"/intake/{contact.pk}/?saved=1"
    html = client.get(response["Location"]).content.decode()
    assert "data-emergency-saved" in html
    assert f"/cases/open/?contact={contact.pk}" in html  # the cases app's open page


def test_screen_forbidden_for_roles_that_do_not_take_contacts_and_anonymous(personas, client_for):
    for user in (personas.viewer, personas.chair_a, personas.province_manager, personas.collaborator_a):
        assert client_for(user).get(NEW).status_code == 403
        assert client_for(user).post(NEW, form()).status_code == 403
    response = Client().get(NEW)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_place_out_of_scope_is_forbidden(personas, client_for, units):
    # commune B is not among commune A's officer's choices: the form refuses it, nothing is written
    response = client_for(personas.officer_a).post(NEW, form(commune=str(units.commune_b.pk)))
    assert response.status_code == 400 and Contact.objects.count() == 0


# --- repeat callers and children ------------------------------------------------------------------


def test_repeat_caller_recognised_as_typed(personas, client_for, units):
    mine = ContactFactory(counsellor=personas.hotline, caller_phone="0912345678")
    ContactFactory(counsellor=personas.officer_a, caller_phone="0912345678")
    response = client_for(personas.hotline).post("/intake/new/previous", {"caller_phone": "+84 912 345 678"})
    html = response.content.decode()
    assert re.search(r'data-repeat-caller\s+data-count="2"', html)
    assert (
        f'data-previous="{mine.pk}"' in html and html.count("data-previous=") == 1
    )  # the other: a count only
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="intake.contact").last()
    assert event.changes == {"page": "previous_caller", "shown": [mine.pk]}
    assert (
        "data-repeat-caller"
        not in client_for(personas.hotline)
        .post("/intake/new/previous", {"caller_phone": "0999"})
        .content.decode()
    )


def test_previous_forbidden(personas, client_for):
    assert (
        client_for(personas.viewer).post("/intake/new/previous", {"caller_phone": "0912345678"}).status_code
        == 403
    )
    assert Client().post("/intake/new/previous", {"caller_phone": "0912345678"}).status_code == 302


def test_child_search_shows_children_in_scope_with_earlier_contacts(personas, client_for, units):
    child = ChildFactory(admin_unit=units.commune_a, person__full_name="Nguyễn Văn An")
    ChildFactory(admin_unit=units.commune_b, person__full_name="Nguyễn Văn Anh")
    ContactChildFactory(contact=ContactFactory(counsellor=personas.officer_a), child=child, name="")
    response = client_for(personas.officer_a).post("/intake/new/children", {"child_q": "nguyen van an"})
    html = response.content.decode()
    assert f'data-child-result="{child.pk}"' in html and "Nguyễn Văn Anh" not in html
    assert re.search(r'data-repeat-child\s+data-count="1"', html)
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="registry.child").last()
    assert event.changes["shown"] == [child.pk]
    # a chosen child stays, checked, whatever is typed next
    html = (
        client_for(personas.officer_a)
        .post("/intake/new/children", {"child_q": "zzz", "linked_children": [str(child.pk)]})
        .content.decode()
    )
    assert re.search(rf'value="{child.pk}"\s+checked', html)


def test_child_search_forbidden(personas, client_for):
    assert client_for(personas.chair_a).post("/intake/new/children", {"child_q": "an"}).status_code == 403
    assert Client().post("/intake/new/children", {"child_q": "an"}).status_code == 302


# --- emergency panel --------------------------------------------------------------------------------


def test_emergency_panel_lists_open_emergencies_polls_quietly(personas, client_for, units):
    mine = ContactFactory(counsellor=personas.hotline, urgency=Urgency.EMERGENCY)
    ContactFactory(counsellor=personas.officer_a, urgency=Urgency.EMERGENCY)
    ContactFactory(counsellor=personas.hotline, urgency=Urgency.EMERGENCY, outcome=Outcome.CASE_OPENED)
    client = client_for(personas.hotline)
    html = client.get(NEW).content.decode()
    assert f'data-emergency="{mine.pk}"' in html and html.count("data-emergency=") == 1
    assert 'data-emergency-others="1"' in html  # a colleague's: counted, not shown
    token = re.search(r'shown=([^"]+)"', html).group(1)
    before = AuditEvent.objects.count()
    assert client.get(f"/intake/emergencies/?shown={token}").status_code == 204
    assert AuditEvent.objects.count() == before  # nothing new shown: nothing written
    new = ContactFactory(counsellor=personas.hotline, urgency=Urgency.EMERGENCY)
    response = client.get(f"/intake/emergencies/?shown={token}")
    assert response.status_code == 200 and f'data-emergency="{new.pk}"' in response.content.decode()
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="intake.contact").last()
    assert event.changes == {"page": "emergencies", "shown": [mine.pk, new.pk]}


def test_emergency_panel_of_a_commune_officer_and_forbidden(personas, client_for, units):
    in_a = ContactFactory(counsellor=personas.hotline, urgency=Urgency.EMERGENCY, admin_unit=units.commune_a)
    in_b = ContactFactory(counsellor=personas.hotline, urgency=Urgency.EMERGENCY, admin_unit=units.commune_b)
    html = client_for(personas.officer_a).get("/intake/emergencies/").content.decode()
    assert f'data-emergency="{in_a.pk}"' in html and f'data-emergency="{in_b.pk}"' not in html
    assert client_for(personas.viewer).get("/intake/emergencies/").status_code == 403
    assert Client().get("/intake/emergencies/").status_code == 302


# --- the contact page -------------------------------------------------------------------------------


def test_detail_for_the_taker_shows_the_caller_and_is_audited(personas, client_for, units):
    contact = ContactFactory(counsellor=personas.hotline, caller_name="Trần Khải", caller_phone="0912345678")
    html = client_for(personas.hotline).get(f"/intake/{contact.pk}/").content.decode()
    assert "Trần Khải" in html and "0912345678" in html and "Bạo lực thể chất" in html
    assert "data-edit" in html and f"/cases/open/?contact={contact.pk}" in html
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(contact.pk)).last()
    assert event.changes["caller_shown"] is True


def test_detail_beyond_the_taker_withholds_the_caller_without_consent(personas, client_for, units):
    contact = ContactFactory(counsellor=personas.hotline, caller_name="Trần Khải", caller_phone="0912345678")
    html = client_for(personas.officer_a).get(f"/intake/{contact.pk}/").content.decode()
    assert "Trần Khải" not in html and "0912345678" not in html and "data-caller-withheld" in html
    assert "data-edit" not in html
    assert views_of(contact) == 1
    Contact.objects.filter(pk=contact.pk).update(caller_consents_to_identity=True)
    assert "Trần Khải" in client_for(personas.officer_a).get(f"/intake/{contact.pk}/").content.decode()


def test_detail_forbidden(personas, client_for, units):
    contact = ContactFactory(counsellor=personas.officer_a, admin_unit=units.commune_a)
    assert client_for(personas.officer_b).get(f"/intake/{contact.pk}/").status_code == 404
    assert client_for(personas.hotline).get(f"/intake/{contact.pk}/").status_code == 404  # not theirs
    assert client_for(personas.viewer).get(f"/intake/{contact.pk}/").status_code == 403
    assert client_for(personas.chair_a).get(f"/intake/{contact.pk}/").status_code == 403
    response = Client().get(f"/intake/{contact.pk}/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert views_of(contact) == 0


def test_detail_shows_earlier_contacts_of_the_same_caller_and_child(personas, client_for, units):
    child = ChildFactory(admin_unit=units.commune_a)
    earlier = ContactFactory(counsellor=personas.hotline, caller_phone="0912345678")
    ContactChildFactory(contact=earlier, child=child, name="")
    contact = ContactFactory(counsellor=personas.hotline, caller_phone="0912345678")
    ContactChildFactory(contact=contact, child=child, name="")
    html = client_for(personas.hotline).get(f"/intake/{contact.pk}/").content.decode()
    assert (
        re.search(r'data-repeat-caller\s+data-count="1"', html) and f'data-repeat-child="{child.pk}"' in html
    )


# --- edit -------------------------------------------------------------------------------------------


def edit_form(contact: Contact, **over):
    data = form(received_at="02/01/2026 08:30", version=str(contact.version))
    data.pop("submission")
    return {**data, **over}


def test_edit_saves_with_the_version_and_audits(personas, client_for):
    contact = ContactFactory(counsellor=personas.hotline)
    client = client_for(personas.hotline)
    assert client.get(f"/intake/{contact.pk}/edit/").status_code == 200
    response = client.post(f"/intake/{contact.pk}/edit/", edit_form(contact, reasons=["family.custody"]))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.version == 2 and list(contact.reasons.values_list("code", flat=True)) == ["family.custody"]
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(contact.pk)).exists()


def test_edit_with_a_stale_version_keeps_the_input_and_is_409(personas, client_for):
    contact = ContactFactory(counsellor=personas.hotline)
    Contact.objects.filter(pk=contact.pk).update(version=5)
    response = client_for(personas.hotline).post(
        f"/intake/{contact.pk}/edit/", edit_form(contact, narrative="Điều tôi vừa gõ")
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "data-stale" in html and "Điều tôi vừa gõ" in html and 'name="version" value="5"' in html


def test_edit_forbidden(personas, client_for, units):
    contact = ContactFactory(counsellor=personas.hotline, admin_unit=units.commune_a)
    assert client_for(personas.officer_b).get(f"/intake/{contact.pk}/edit/").status_code == 404
    assert client_for(personas.province_manager).get(f"/intake/{contact.pk}/edit/").status_code == 403
    # commune A's officer may change it but not read the caller's details: no edit form
    assert client_for(personas.officer_a).get(f"/intake/{contact.pk}/edit/").status_code == 403
    assert Client().get(f"/intake/{contact.pk}/edit/").status_code == 302


# --- children after the fact ------------------------------------------------------------------------


def test_link_a_registered_child_identifying_an_entry(personas, client_for, units):
    row = ContactChildFactory(contact=ContactFactory(counsellor=personas.officer_a))
    child = ChildFactory(admin_unit=units.commune_a)
    response = client_for(personas.officer_a).post(
        f"/intake/{row.contact_id}/children/", {"linked_children": [str(child.pk)], "entry": str(row.pk)}
    )
    assert response.status_code == 302
    assert ContactChild.objects.get(pk=row.pk).child == child
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(row.contact_id)).exists()


def test_add_a_child_as_described(personas, client_for):
    contact = ContactFactory(counsellor=personas.hotline)
    client = client_for(personas.hotline)
    client.post(f"/intake/{contact.pk}/children/", {"entry-name": "Bé Tí", "entry-age": "4"})
    assert contact.children.get().name == "Bé Tí"
    client.post(f"/intake/{contact.pk}/children/", {"entry-name": ""})
    assert contact.children.count() == 1


def test_children_forbidden(personas, client_for, units):
    contact = ContactFactory(counsellor=personas.hotline, admin_unit=units.commune_a)
    other = ChildFactory(admin_unit=units.commune_b)
    assert (
        client_for(personas.officer_b)
        .post(f"/intake/{contact.pk}/children/", {"entry-name": "x"})
        .status_code
        == 404
    )
    assert (
        client_for(personas.province_manager)
        .post(f"/intake/{contact.pk}/children/", {"entry-name": "x"})
        .status_code
        == 403
    )
    response = client_for(personas.officer_a).post(
        f"/intake/{contact.pk}/children/", {"linked_children": [other.pk]}
    )
    assert response.status_code == 404  # a child of commune B, out of commune A's officer's scope
    assert Client().post(f"/intake/{contact.pk}/children/", {"entry-name": "x"}).status_code == 302
    assert not contact.children.exists()


def test_register_an_entry_in_the_registry(personas, client_for, units):
    row = ContactChildFactory(contact=ContactFactory(counsellor=personas.hotline, admin_unit=units.commune_a))
    client = client_for(personas.hotline)
    url = f"/intake/{row.contact_id}/children/{row.pk}/register/"
    html = client.get(url).content.decode()
    assert 'value="Bé Na"' in html  # prefilled from what the caller said
    response = client.post(
        url, {"full_name": "Lò Thị Na", "sex": "F", "birth_year": "2017", "commune": str(units.commune_a.pk)}
    )
    assert response.status_code == 302
    linked = ContactChild.objects.get(pk=row.pk).child
    assert linked is not None and linked.person.full_name == "Lò Thị Na"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="registry.child").exists()


def test_register_an_entry_asks_first_when_the_child_may_be_registered(personas, client_for, units):
    existing = ChildFactory(admin_unit=units.commune_a, person__full_name="Lò Thị Na", person__sex="F",
                            person__date_of_birth=date(2017, 5, 2))  # fmt: skip
    row = ContactChildFactory(contact=ContactFactory(counsellor=personas.hotline, admin_unit=units.commune_a))
    url = f"/intake/{row.contact_id}/children/{row.pk}/register/"
    typed = {
        "full_name": "Lo Thi Na",
        "sex": "F",
        "date_of_birth": "02/05/2017",
        "commune": str(units.commune_a.pk),
    }
    client = client_for(personas.hotline)
    response = client.post(url, typed)
    assert response.status_code == 400 and f'data-candidate="{existing.pk}"' in response.content.decode()
    assert Child.objects.count() == 1 and ContactChild.objects.get(pk=row.pk).child is None
    assert client.post(url, {**typed, "decision": str(existing.pk)}).status_code == 302
    assert ContactChild.objects.get(pk=row.pk).child == existing and Child.objects.count() == 1


def test_register_an_entry_forbidden(personas, client_for, units):
    row = ContactChildFactory(contact=ContactFactory(counsellor=personas.hotline, admin_unit=units.commune_a))
    url = f"/intake/{row.contact_id}/children/{row.pk}/register/"
    assert client_for(personas.officer_b).get(url).status_code == 404
    assert client_for(personas.province_manager).get(url).status_code == 403
    assert (
        client_for(personas.hotline).get(f"/intake/{row.contact_id}/children/999999/register/").status_code
        == 404
    )
    assert Client().get(url).status_code == 302
    assert Child.objects.count() == 0


# --- list -------------------------------------------------------------------------------------------


def test_list_of_a_counsellor_is_their_own_contacts_audited(personas, client_for, units):
    mine = ContactFactory(counsellor=personas.hotline)
    theirs = ContactFactory(counsellor=personas.officer_a)
    html = client_for(personas.hotline).get(LIST).content.decode()
    assert f'data-contact-id="{mine.pk}"' in html and f'data-contact-id="{theirs.pk}"' not in html
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="intake.contact").last()
    assert event.changes == {"page": "list", "shown": [mine.pk]}


def test_list_of_an_officer_is_their_communes_filtered(personas, client_for, units):
    in_a = ContactFactory(counsellor=personas.hotline, admin_unit=units.commune_a)
    in_b = ContactFactory(counsellor=personas.hotline, admin_unit=units.commune_b)
    silent = ContactFactory(
        counsellor=personas.hotline, kind=ContactKind.NON_DATA, non_data_type=NonDataType.SILENT,
        admin_unit=units.commune_a,
    )  # fmt: skip
    client = client_for(personas.officer_a)
    html = client.get(LIST).content.decode()
    assert f'data-contact-id="{in_a.pk}"' in html and f'data-contact-id="{in_b.pk}"' not in html
    html = client.get(LIST, {"kind": "data", "reason": "violence"}).content.decode()
    assert f'data-contact-id="{in_a.pk}"' in html and f'data-contact-id="{silent.pk}"' not in html
    assert client.get(LIST, {"since": "02/01/2026", "until": "01/01/2026"}).status_code == 400


def test_list_forbidden(personas, client_for):
    assert client_for(personas.viewer).get(LIST).status_code == 403
    assert client_for(personas.collaborator_a).get(LIST).status_code == 403
    assert Client().get(LIST).status_code == 302
