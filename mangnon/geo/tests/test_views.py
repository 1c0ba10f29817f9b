import re

import pytest
from django.urls import reverse

from mangnon.accounts.tests.factories import UserFactory
from mangnon.geo.models import AdminUnit

pytestmark = pytest.mark.django_db

BROWSE = "/geo/"


def _codes(html: str) -> list[str]:
    return re.findall(r'data-unit-code="(\d+)"', html)


def test_url_names():
    assert reverse("geo:browse") == BROWSE
    assert reverse("geo:unit", args=[7]) == "/geo/units/7/"
    assert reverse("geo:children", args=[7]) == "/geo/units/7/children"


def test_browse_lists_provinces_with_htmx_expand_and_plain_link(personas, client_for, units):
    response = client_for(personas.officer_a).get(BROWSE)
    assert response.status_code == 200
    html = response.content.decode()
    assert _codes(html) == ["22"]
    assert "Tỉnh Quảng Ninh" in html
    assert "data-expand" in html
    assert f'hx-get="/geo/units/{units.province.pk}/children?on=' in html
    assert f'href="/geo/units/{units.province.pk}/?on=' in html  # works without JavaScript
    assert 'data-period="current"' in html


def test_browse_before_the_reform_shows_the_date_dd_mm_yyyy(personas, client_for):
    html = client_for(personas.viewer).get(BROWSE, {"on": "2025-06-30"}).content.decode()
    assert "30/06/2025" in html
    assert 'data-period="pre-reform"' in html
    assert 'data-on="pre-reform"' in html and 'data-on="now"' in html


def test_browse_accepts_a_typed_date(personas, client_for):
    html = client_for(personas.viewer).get(BROWSE, {"on": "01/06/2020"}).content.decode()
    assert "01/06/2020" in html
    assert "?on=2020-06-01" in html


def test_browse_bad_date_is_400_with_the_error_shown(personas, client_for):
    response = client_for(personas.viewer).get(BROWSE, {"on": "2020-13-45"})
    assert response.status_code == 400
    assert "data-date-error" in response.content.decode()


def test_browse_anonymous_is_redirected_to_login(client):
    response = client.get(BROWSE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_browse_user_without_role_is_403(client_for):
    assert client_for(UserFactory(username="no-role")).get(BROWSE).status_code == 403


def test_children_partial_before_the_reform_lists_the_13_districts(personas, client_for, units):
    response = client_for(personas.officer_a).get(
        f"/geo/units/{units.province.pk}/children", {"on": "2020-06-01"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # a fragment, not a page
    codes = _codes(html)
    assert len(codes) == 13
    assert units.district_a.code in codes
    # Districts expand further, on the same day.
    assert f'hx-get="/geo/units/{units.district_a.pk}/children?on=2020-06-01"' in html


def test_children_partial_now_lists_the_54_current_units(personas, client_for, units):
    html = client_for(personas.officer_a).get(f"/geo/units/{units.province.pk}/children").content.decode()
    codes = _codes(html)
    assert len(codes) == 54
    assert units.commune_a.code in codes and units.commune_b.code in codes
    assert "data-expand" not in html  # current communes are leaves


def test_children_partial_of_a_district_viewed_after_it_ended(personas, client_for, units):
    # A pre-reform district opened with today's date still shows its communes (as on 30/06/2025).
    html = client_for(personas.viewer).get(f"/geo/units/{units.district_a.pk}/children").content.decode()
    assert units.legacy_a.code in _codes(html)
    assert "?on=2025-06-30" in html


def test_children_partial_bad_date_is_400(personas, client_for, units):
    response = client_for(personas.viewer).get(f"/geo/units/{units.province.pk}/children", {"on": "x"})
    assert response.status_code == 400


def test_children_partial_unknown_unit_is_404(personas, client_for):
    assert client_for(personas.viewer).get("/geo/units/999999/children").status_code == 404


def test_children_partial_forbidden(client, client_for, units):
    url = f"/geo/units/{units.province.pk}/children"
    assert client.get(url).status_code == 302
    assert client_for(UserFactory(username="no-role")).get(url).status_code == 403


def test_children_partial_queries_do_not_grow_with_children(
    personas, client_for, units, django_assert_max_num_queries
):
    c = client_for(personas.viewer)
    c.get(f"/geo/units/{units.province.pk}/children", {"on": "2020-06-01"})
    with django_assert_max_num_queries(10):
        html = c.get(f"/geo/units/{units.province.pk}/children").content.decode()
    assert len(_codes(html)) == 54


def test_detail_of_a_legacy_commune_shows_where_it_went(personas, client_for, units):
    response = client_for(personas.officer_b).get(f"/geo/units/{units.legacy_a.pk}/", {"on": "2025-06-30"})
    assert response.status_code == 200
    html = response.content.decode()
    assert units.legacy_a.name in html
    assert "data-successors" in html and "data-predecessors" not in html
    successors = html.split("data-successors", 1)[1].split("</section>", 1)[0]
    assert units.commune_a.code in _codes(successors)
    assert "data-default" in successors
    assert "30/06/2025" in html  # valid to, dd/mm/yyyy
    # The breadcrumb walks up through the pre-reform district.
    breadcrumb = html.split("data-breadcrumb", 1)[1].split("</nav>", 1)[0]
    assert _codes(breadcrumb) == ["22", units.district_a.code]


def test_detail_of_a_current_commune_shows_what_it_absorbed(personas, client_for, units):
    html = client_for(personas.officer_a).get(f"/geo/units/{units.commune_a.pk}/").content.decode()
    assert "Phường Hạ Long" in html
    assert "01/07/2025" in html
    assert "data-successors" not in html
    predecessors = html.split("data-predecessors", 1)[1].split("</section>", 1)[0]
    expected = set(
        AdminUnit.objects.filter(successor_links__new_unit=units.commune_a).values_list("code", flat=True)
    )
    assert set(_codes(predecessors)) == expected
    assert units.legacy_a.code in expected


def test_detail_of_a_district_lists_its_communes_with_their_successors(
    personas, client_for, units, django_assert_max_num_queries
):
    c = client_for(personas.viewer)
    c.get(f"/geo/units/{units.province.pk}/")
    with django_assert_max_num_queries(13):  # 12 + the top bar's unread-notification count
        response = c.get(f"/geo/units/{units.district_a.pk}/", {"on": "2020-06-01"})
    html = response.content.decode()
    expected = AdminUnit.objects.filter(parent=units.district_a).count()
    table = html.split("data-children", 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert table.count("<tr") == expected
    assert units.commune_a.name in table  # where legacy_a went


def test_detail_of_a_unit_not_valid_on_the_date_says_so(personas, client_for, units):
    html = client_for(personas.viewer).get(f"/geo/units/{units.district_a.pk}/").content.decode()
    assert "data-date-note" in html
    assert units.legacy_a.code in _codes(html)


def test_detail_forbidden_and_not_found(client, client_for, personas, units):
    url = f"/geo/units/{units.commune_a.pk}/"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert client_for(UserFactory(username="no-role")).get(url).status_code == 403
    assert client_for(personas.viewer).get("/geo/units/999999/").status_code == 404


def test_no_inline_script_or_style(personas, client_for, units):
    for url in (BROWSE, f"/geo/units/{units.commune_a.pk}/", f"/geo/units/{units.province.pk}/children"):
        html = client_for(personas.viewer).get(url).content.decode()
        assert "style=" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
        assert not re.search(r"\son[a-z]+=", html)


def test_nav_entry_for_users_who_may_view_geography(personas, client_for):
    html = client_for(personas.collaborator_a).get(BROWSE).content.decode()
    assert 'data-nav="geo"' in html
    assert 'href="/geo/"' in html


def test_nav_entry_hidden_without_geo_view():
    from mangnon.core.navigation import items_for

    user = UserFactory(username="no-role")
    assert "geo" not in [i["key"] for i in items_for(user)]
