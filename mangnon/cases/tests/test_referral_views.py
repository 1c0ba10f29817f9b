"""The referral pages: the received and sent lists (paginated, no N+1, audited), sending from a case and
from a contact, one referral with its answer forms (409 on a stale version, input kept), the case page's
referrals section and the menu entry. Allowed, forbidden (commune B → 404, wrong role → 403, anonymous
→ login) and audited on every page."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mangnon.cases import referral_services as referrals
from mangnon.cases.codes import ReferralStatus
from mangnon.cases.models import Referral
from mangnon.cases.tests.test_referral_services import (
    REASON,
    consent_for,
    hotline_contact,
    open_case,
    social_work_centre,
)
from mangnon.core.models import AuditAction, AuditEvent
from mangnon.core.navigation import items_for
from mangnon.intake.codes import Outcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(personas):
    case = open_case(personas)
    consent_for(case.child)
    return case


@pytest.fixture
def to_b(personas, units, case):
    """Commune A refers its case to commune B (the child has moved there)."""
    return referrals.referral_send(
        actor=personas.officer_a, case=case, to_unit=units.commune_b, reason=REASON
    ).referral


@pytest.fixture
def to_province(personas, units, case):
    return referrals.referral_send(
        actor=personas.officer_a, case=case, to_unit=units.province, reason=REASON
    ).referral


def _views(referral: Referral, page: str = "detail") -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="cases.referral", object_id=str(referral.pk), changes__page=page
    ).count()


def _shown(page: str) -> list[int]:
    """The referrals the last list view of `page` named."""
    event = AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="cases.referral", object_id=page
    ).last()
    return event.changes["shown"] if event is not None else []


def test_url_names():
    assert reverse("referrals:list") == "/cases/referrals/"
    assert reverse("referrals:send") == "/cases/referrals/send/"
    assert reverse("referrals:detail", args=[3]) == "/cases/referrals/3/"
    assert reverse("referrals:accept", args=[3]) == "/cases/referrals/3/accept/"
    assert reverse("referrals:reject", args=[3]) == "/cases/referrals/3/reject/"
    assert reverse("referrals:service_add", args=[3]) == "/cases/referrals/case/3/services/"
    assert reverse("referrals:service_change", args=[3, 4]) == "/cases/referrals/case/3/services/4/"


def test_menu_entry(personas):
    def keys(user: Any) -> list[str]:
        return [i["key"] for i in items_for(user)]

    for user in (personas.officer_a, personas.chair_a, personas.province_officer, personas.hotline):
        assert "referrals" in keys(user), user
    for user in (personas.collaborator_a, personas.viewer, personas.system_admin, personas.survey):
        assert "referrals" not in keys(user), user


def test_anonymous_is_sent_to_login(client, to_b):
    login = reverse("accounts:login")
    for url in ("/cases/referrals/", "/cases/referrals/send/", f"/cases/referrals/{to_b.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(login), url
    for url in (f"/cases/referrals/{to_b.pk}/accept/", f"/cases/referrals/{to_b.pk}/reject/"):
        response = client.post(url, {"accept-version": 1})
        assert response.status_code == 302 and response["Location"].startswith(login), url
    assert Referral.objects.get(pk=to_b.pk).status == ReferralStatus.SENT


# --- lists -------------------------------------------------------------------------------------------


def test_received_and_sent_lists_and_their_audit(personas, client_for, to_b):
    html = client_for(personas.officer_b).get("/cases/referrals/").content.decode()
    assert f'data-referral-id="{to_b.pk}"' in html and "data-to-answer" in html
    assert "Đặng Minh Khôi" in html and 'data-waiting="received"' in html
    assert _shown("list:received") == [to_b.pk]
    html = client_for(personas.officer_b).get("/cases/referrals/?direction=sent").content.decode()
    assert "data-referral-id" not in html and "data-no-referrals" in html
    html = client_for(personas.officer_a).get("/cases/referrals/").content.decode()
    assert "data-referral-id" not in html  # nothing was sent to commune A
    html = client_for(personas.officer_a).get("/cases/referrals/?direction=sent").content.decode()
    assert f'data-referral-id="{to_b.pk}"' in html and "data-to-answer" not in html
    assert _shown("list:sent") == [to_b.pk]


def test_the_hotline_sees_the_contacts_it_passed_on(personas, client_for, units):
    contact = hotline_contact(personas, units)
    sent = referrals.referral_send(
        actor=personas.hotline, contact=contact, to_unit=units.commune_a, reason=REASON, caller_consent=True
    ).referral
    html = client_for(personas.hotline).get("/cases/referrals/").content.decode()  # sent, by default
    assert f'data-referral-id="{sent.pk}"' in html and "Bé Na" in html


def test_lists_forbidden_and_filters(personas, client_for, to_province):
    for user in (personas.collaborator_a, personas.viewer, personas.system_admin):
        assert client_for(user).get("/cases/referrals/").status_code == 403
    html = client_for(personas.officer_b).get("/cases/referrals/?direction=sent").content.decode()
    assert f'data-referral-id="{to_province.pk}"' not in html
    html = client_for(personas.officer_b).get("/cases/referrals/").content.decode()
    assert f'data-referral-id="{to_province.pk}"' not in html
    client = client_for(personas.province_officer)
    html = client.get("/cases/referrals/", {"status": "accepted"}).content.decode()
    assert "data-referral-id" not in html
    html = client.get("/cases/referrals/", {"status": "sent"}).content.decode()
    assert f'data-referral-id="{to_province.pk}"' in html
    assert client.get("/cases/referrals/", {"status": "nonsense"}).status_code == 400


def test_the_list_paginates_without_n_plus_1(personas, client_for, units):
    client = client_for(personas.officer_b)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/cases/referrals/").status_code == 200
        return len(ctx.captured_queries)

    def refer(n: int) -> None:
        for i in range(n):
            case = open_case(personas, name=f"Trẻ Số {Referral.objects.count() + i}")
            consent_for(case.child)
            referrals.referral_send(
                actor=personas.officer_a, case=case, to_unit=units.commune_b, reason=REASON
            )
        contact = hotline_contact(personas, units, admin_unit=units.commune_b)
        referrals.referral_send(
            actor=personas.hotline,
            contact=contact,
            to_unit=units.commune_b,
            reason=REASON,
            caller_consent=True,
        )

    refer(2)
    client.get("/cases/referrals/")
    few = count()
    refer(24)
    assert count() <= few
    html = client.get("/cases/referrals/").content.decode()
    assert html.count("data-referral-id=") == 25 and "data-pagination" in html
    html = client.get("/cases/referrals/", {"direction": "received", "page": 2}).content.decode()
    assert html.count("data-referral-id=") == 3


# --- sending -----------------------------------------------------------------------------------------


def test_send_from_a_case(personas, client_for, units, case):
    client = client_for(personas.officer_a)
    page = client.get("/cases/referrals/send/", {"case": case.pk})
    assert page.status_code == 200 and b'data-consent="recorded"' in page.content
    assert AuditEvent.objects.filter(object_id=str(case.pk), changes__page="referral_send").count() == 1
    data = {"case": case.pk, "submission": "s-1", "to_unit": units.province.pk, "reason": REASON}
    response = client.post("/cases/referrals/send/", data)
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/referrals/{referral.pk}/"
    assert client.post("/cases/referrals/send/", data).status_code == 302  # a second click sends nothing
    assert Referral.objects.count() == 1 and referral.to_unit == units.province


def test_send_refusals_keep_the_form(personas, client_for, units):
    case = open_case(personas)  # no consent recorded
    client = client_for(personas.officer_a)
    assert b'data-consent="none"' in client.get("/cases/referrals/send/", {"case": case.pk}).content
    data = {"case": case.pk, "submission": "s-2", "to_unit": units.province.pk, "reason": REASON}
    response = client.post("/cases/referrals/send/", data)
    assert response.status_code == 400 and b"data-send-errors" in response.content
    assert REASON.encode() in response.content
    response = client.post(
        "/cases/referrals/send/", {**data, "emergency_override": "on", "override_reason": "Mẹ bỏ đi"}
    )
    assert response.status_code == 302
    assert client.get("/cases/referrals/send/").status_code == 400  # neither a case nor a contact


def test_send_forbidden(personas, client_for, case):
    url = "/cases/referrals/send/"
    assert client_for(personas.officer_b).get(url, {"case": case.pk}).status_code == 404
    assert client_for(personas.chair_a).get(url, {"case": case.pk}).status_code == 403
    assert client_for(personas.collaborator_a).get(url, {"case": case.pk}).status_code == 403
    assert client_for(personas.chair_a).post(url, {"case": case.pk, "reason": REASON}).status_code == 403
    assert Referral.objects.count() == 0


def test_send_from_a_contact(personas, client_for, units):
    contact = hotline_contact(personas, units, admin_unit=units.commune_a)
    client = client_for(personas.hotline)
    page = client.get("/cases/referrals/send/", {"contact": contact.pk}).content.decode()
    assert f'<option value="{units.commune_a.pk}" selected>' in page  # where it happened
    assert 'name="caller_consent"' in page and 'name="to_org"' not in page
    event = AuditEvent.objects.get(object_type="intake.contact", changes__page="referral_send")
    assert event.object_id == str(contact.pk)
    data = {"contact": contact.pk, "to_unit": units.commune_a.pk, "reason": REASON, "caller_consent": "on"}
    assert client.post("/cases/referrals/send/", data).status_code == 302
    assert Referral.objects.get().caller_consent
    assert (
        client_for(personas.officer_b).get("/cases/referrals/send/", {"contact": contact.pk}).status_code
        == 404
    )


# --- one referral ------------------------------------------------------------------------------------


def test_the_receiver_sees_what_was_passed_not_the_case(personas, client_for, case, to_b):
    client = client_for(personas.officer_b)
    html = client.get(f"/cases/referrals/{to_b.pk}/").content.decode()
    assert "Đặng Minh Khôi" in html and REASON in html and case.number in html
    assert "data-case-link" not in html and "data-accept" in html and "data-reject" in html
    assert 'data-basis="consent"' in html
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert _views(to_b) == 1


def test_the_sender_sees_it_without_the_answer_forms(personas, client_for, to_b):
    html = client_for(personas.officer_a).get(f"/cases/referrals/{to_b.pk}/").content.decode()
    assert "data-case-link" in html and "data-accept" not in html


def test_detail_forbidden(personas, client_for, to_province):
    for user in (personas.officer_b, personas.hotline, personas.collaborator_a, personas.viewer):
        assert client_for(user).get(f"/cases/referrals/{to_province.pk}/").status_code == 404, user
    assert client_for(personas.officer_a).get("/cases/referrals/999999/").status_code == 404
    assert _views(to_province) == 0


def test_accept_and_reject_through_the_page(personas, client_for, to_b):
    client = client_for(personas.officer_b)
    empty = client.post(f"/cases/referrals/{to_b.pk}/reject/", {"reject-version": 1, "reject-reason": ""})
    assert empty.status_code == 400 and b"data-reject-errors" in empty.content
    response = client.post(
        f"/cases/referrals/{to_b.pk}/accept/", {"accept-version": 1, "accept-note": "Nhận"}
    )
    assert response.status_code == 302
    to_b.refresh_from_db()
    assert to_b.status == ReferralStatus.ACCEPTED and to_b.responded_by == personas.officer_b
    html = client.get(f"/cases/referrals/{to_b.pk}/").content.decode()
    assert "data-answer" in html and "data-accept" not in html


def test_a_stale_answer_gets_409_and_keeps_what_was_typed(personas, client_for, to_province):
    referrals.referral_accept(actor=personas.province_officer, referral=to_province, version=1)
    response = client_for(personas.case_manager).post(
        f"/cases/referrals/{to_province.pk}/reject/",
        {"reject-version": 1, "reject-reason": "Không thuộc tỉnh"},
    )
    assert response.status_code == 409 and b"data-stale" in response.content
    assert Referral.objects.get(pk=to_province.pk).status == ReferralStatus.ACCEPTED


def test_answer_forbidden(personas, client_for, to_b):
    for user in (personas.officer_a, personas.chair_a):  # they see it, they may not answer it
        response = client_for(user).post(f"/cases/referrals/{to_b.pk}/accept/", {"accept-version": 1})
        assert response.status_code == 403, user
    assert client_for(personas.hotline).post(f"/cases/referrals/{to_b.pk}/accept/").status_code == 404
    assert Referral.objects.get(pk=to_b.pk).status == ReferralStatus.SENT


def test_an_accepted_contact_offers_the_commune_to_open_a_case(personas, client_for, units):
    contact = hotline_contact(personas, units)
    referral = referrals.referral_send(
        actor=personas.hotline, contact=contact, to_unit=units.commune_a, reason=REASON, caller_consent=True
    ).referral
    client = client_for(personas.officer_a)
    html = client.get(f"/cases/referrals/{referral.pk}/").content.decode()
    assert "data-contact-summary" in html and "data-caller-withheld" in html and "Trần Văn Bình" not in html
    assert "Bé Na" in html and "data-open-case" not in html and "data-contact-link" not in html
    client.post(f"/cases/referrals/{referral.pk}/accept/", {"accept-version": 1})
    html = client.get(f"/cases/referrals/{referral.pk}/").content.decode()
    assert f'href="/cases/open/?contact={contact.pk}"' in html and "data-contact-link" in html
    contact.refresh_from_db()
    assert contact.outcome == Outcome.REFERRED


def test_the_organisations_answer_is_recorded_by_the_sender(personas, client_for, units, case):
    centre = social_work_centre(units)
    referral = referrals.referral_send(
        actor=personas.officer_a, case=case, to_org=centre, reason=REASON
    ).referral
    html = client_for(personas.officer_a).get(f"/cases/referrals/{referral.pk}/").content.decode()
    assert "data-accept" in html and centre.name in html
    response = client_for(personas.officer_a).post(
        f"/cases/referrals/{referral.pk}/reject/", {"reject-version": 1, "reject-reason": "Hết chỗ"}
    )
    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.REJECTED


# --- the case page's section -------------------------------------------------------------------------


def test_the_case_page_lists_its_referrals_and_offers_to_refer(personas, client_for, case, to_province):
    html = client_for(personas.officer_a).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-section="referrals"' in html and f'data-referral-id="{to_province.pk}"' in html
    assert f'href="/cases/referrals/send/?case={case.pk}"' in html
    html = client_for(personas.chair_a).get(f"/cases/{case.pk}/").content.decode()
    assert f'data-referral-id="{to_province.pk}"' in html and "/cases/referrals/send/" not in html


def test_the_contact_page_links_to_the_send_form(personas, client_for, units):
    contact = hotline_contact(personas, units)
    html = client_for(personas.hotline).get(reverse("intake:detail", args=[contact.pk])).content.decode()
    assert f'href="/cases/referrals/send/?contact={contact.pk}"' in html
